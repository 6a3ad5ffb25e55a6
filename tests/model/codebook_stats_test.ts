import { assertAlmostEquals, assertEquals, assertThrows } from "../_assert.ts";
import { codebookStats, countCodes } from "../../lib/model/codebook_stats.ts";

Deno.test("countCodes() counts each index", () => {
  assertEquals(Array.from(countCodes([3, 0, 3, 3, 1], 5)), [1, 1, 0, 3, 0]);
  assertThrows(() => countCodes([5], 5), RangeError, "Cannot count codes: index 5 is outside [0, 5)");
});

Deno.test("codebookStats() computes exp-entropy perplexity and the used fraction", () => {
  // p = [0.5, 0.25, 0.25, 0]: perplexity = exp(−Σ p·log p) = 2^1.5.
  const s = codebookStats([4, 2, 2, 0]);
  assertAlmostEquals(s.perplexity, 2 ** 1.5, 1e-8);
  assertEquals(s.usage, 0.75);
  const uniform = codebookStats(new Uint32Array(4096).fill(3));
  // The seed's 1e-10 inside the log: exp(−log(1/4096 + 1e-10)).
  assertAlmostEquals(uniform.perplexity, 1 / (1 / 4096 + 1e-10), 1e-6);
  assertEquals(uniform.usage, 1);
  assertEquals(codebookStats([0, 0, 0]), { perplexity: 1, usage: 0 });
  assertAlmostEquals(codebookStats([0, 9, 0]).perplexity, 1, 1e-8);
});
