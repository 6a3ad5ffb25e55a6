import { alignSequences, bonitoIdentity, editIdentity } from "../../lib/validate/align.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { assertEquals, assertGreaterOrEqual } from "../_assert.ts";
import { fullAlignment } from "./_full_alignment.ts";

const counts = (real: string, generated: string) => {
  const { matches, mismatches, insertions, deletions, distance } = alignSequences(real, generated);
  return { matches, mismatches, insertions, deletions, distance };
};

function mutate(rng: Rng, text: string, rate: number): string {
  let out = "";
  for (const base of text) {
    const u = rng.nextFloat();
    if (u < rate / 3) continue; // deletion
    if (u < (2 * rate) / 3) out += "ACGT"[rng.nextInt(4)]; // substitution (or a silent one)
    else out += base;
    if (rng.nextFloat() < rate / 3) out += "ACGT"[rng.nextInt(4)]; // insertion
  }
  return out;
}

Deno.test("alignSequences() counts hand-computed alignments", () => {
  assertEquals(counts("ACGT", "ACGT"), { matches: 4, mismatches: 0, insertions: 0, deletions: 0, distance: 0 });
  assertEquals(counts("ACGT", "AGGT"), { matches: 3, mismatches: 1, insertions: 0, deletions: 0, distance: 1 });
  assertEquals(counts("ACGT", "ACGGT"), { matches: 4, mismatches: 0, insertions: 1, deletions: 0, distance: 1 });
  assertEquals(counts("ACGGT", "ACGT"), { matches: 4, mismatches: 0, insertions: 0, deletions: 1, distance: 1 });
  assertEquals(counts("", "ACG"), { matches: 0, mismatches: 0, insertions: 3, deletions: 0, distance: 3 });
  assertEquals(counts("ACG", ""), { matches: 0, mismatches: 0, insertions: 0, deletions: 3, distance: 3 });
  // Equal cost both ways (1 substitution vs 1 deletion + 1 insertion is not equal: 1 < 2), so a substitution.
  assertEquals(counts("AAAC", "AAAG"), { matches: 3, mismatches: 1, insertions: 0, deletions: 0, distance: 1 });
  // "GATTACA" vs "GCATGCU"-style textbook case: distance 4.
  assertEquals(counts("GATTACA", "GCATGCT").distance, 4);
  const c = alignSequences("ACGTACGT", "ACGAACGTT");
  assertEquals([bonitoIdentity(c), editIdentity(c)], [7 / 9, 1 - 2 / 9]);
});

Deno.test("alignSequences() equals brute-force full dynamic programming on seeded random sequences", () => {
  const rng = Rng.fromSeed(21);
  for (let trial = 0; trial < 300; trial++) {
    const n = rng.nextInt(40);
    const real = Array.from({ length: n }, () => "ACGT"[rng.nextInt(4)]).join("");
    const generated = trial % 3 === 0
      ? Array.from({ length: rng.nextInt(40) }, () => "ACGT"[rng.nextInt(4)]).join("")
      : mutate(rng, real, [0.05, 0.2, 0.5][trial % 3]!);
    assertEquals(counts(real, generated), fullAlignment(real, generated), `${real} / ${generated}`);
  }
});

Deno.test("alignSequences() widens its band until exact, on long reads with indels", () => {
  const rng = Rng.fromSeed(4);
  const real = Array.from({ length: 1500 }, () => "ACGT"[rng.nextInt(4)]).join("");
  for (const rate of [0.02, 0.3]) {
    const generated = mutate(rng, real, rate) + "ACGTACGT".repeat(20); // a long insertion at the end
    const result = alignSequences(real, generated);
    assertEquals(result.exact, true);
    const { matches, mismatches, insertions, deletions, distance } = result;
    assertEquals({ matches, mismatches, insertions, deletions, distance }, fullAlignment(real, generated));
  }
  // With a cell budget too small for the distance, the result says so and bounds the distance from above.
  const far = Array.from({ length: 1500 }, () => "ACGT"[rng.nextInt(4)]).join("");
  const bounded = alignSequences(real, far, { maxCells: 200_000 });
  assertEquals(bounded.exact, false);
  assertGreaterOrEqual(bounded.distance, fullAlignment(real, far).distance);
});
