import { assertAlmostEquals, assertEquals, assertThrows } from "../_assert.ts";
import { CodeUsageWindow } from "../../lib/train/code_usage_window.ts";

const counts = (...values: number[]) => Uint32Array.from(values);

Deno.test("CodeUsageWindow.stats() pools the last `capacity` micro-batches", () => {
  const window = new CodeUsageWindow(4, { capacity: 2 });
  assertEquals(window.stats(), { perplexity: 1, usage: 0 });
  window.add([counts(4, 0, 0, 0)]);
  window.add([counts(0, 4, 0, 0)]);
  // Two codes used equally: perplexity 2, usage 2/4.
  assertAlmostEquals(window.stats().perplexity, 2, 1e-9);
  assertEquals(window.stats().usage, 0.5);
  window.add([counts(0, 0, 4, 4)]); // the first batch drops out
  assertAlmostEquals(window.stats().perplexity, 3, 1e-9);
  assertEquals([window.size, window.stats().usage], [2, 0.75]);
});

Deno.test("CodeUsageWindow round-trips through toTensor() and fromTensor()", () => {
  const window = new CodeUsageWindow(3);
  window.add([counts(1, 2, 3)]);
  window.add([counts(0, 5, 0)]);
  const tensor = window.toTensor();
  assertEquals(tensor.shape, [2, 3]); // one stage: the layout of 0.1.0
  assertEquals(Array.from(tensor.data), [1, 2, 3, 0, 5, 0]);
  const back = CodeUsageWindow.fromTensor(tensor);
  assertEquals(back.toTensor(), tensor);
  assertEquals(back.stats(), window.stats());
  assertThrows(() => window.add([counts(1, 2)]), RangeError, "2 values for a codebook of 3");
  assertThrows(() => window.add([counts(1, 2, 3), counts(1, 2, 3)]), RangeError, "2 stages for a window of 1");
});

Deno.test("CodeUsageWindow keeps each quantizer stage's counts apart, and round-trips them", () => {
  const window = new CodeUsageWindow(4, { capacity: 2, stages: 2 });
  window.add([counts(4, 0, 0, 0), counts(1, 1, 1, 1)]);
  window.add([counts(0, 4, 0, 0), counts(0, 0, 0, 0)]); // stage 2 dropped in this micro-batch
  assertAlmostEquals(window.stats(1).perplexity, 2, 1e-9);
  assertEquals(window.stats(1).usage, 0.5);
  assertAlmostEquals(window.stats(2).perplexity, 4, 1e-8);
  assertEquals(window.stats(2).usage, 1);
  const tensor = window.toTensor();
  assertEquals(tensor.shape, [2, 2, 4]);
  assertEquals(Array.from(tensor.data), [4, 0, 0, 0, 1, 1, 1, 1, 0, 4, 0, 0, 0, 0, 0, 0]);
  const back = CodeUsageWindow.fromTensor(tensor, { capacity: 2 });
  assertEquals([back.stages, back.size], [2, 2]);
  assertEquals(back.stats(2), window.stats(2));
  assertEquals(back.toTensor(), tensor);
  assertThrows(() => window.stats(3), RangeError, "stage 3 is not in [1, 2]");
});
