import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { drawQuantizers } from "../../lib/train/quantizer_dropout.ts";

Deno.test("drawQuantizers() draws nothing with one stage or dropout 0: the RNG does not move", () => {
  const rng = Rng.fromSeed(5);
  const before = rng.state();
  assertEquals(drawQuantizers(rng, { microBatches: 3, numQuantizers: 4, dropout: 0 }), [4, 4, 4]);
  assertEquals(drawQuantizers(rng, { microBatches: 2, numQuantizers: 1, dropout: 0.5 }), [1, 1]);
  assertEquals(rng.state(), before);
});

Deno.test("drawQuantizers() keeps all N with probability 1 − p, else K uniform in 1..N (DAC's scheme)", () => {
  const rng = Rng.fromSeed(6);
  const draws = 20000, n = 4, p = 0.5;
  const counts = new Map<number, number>();
  for (const k of drawQuantizers(rng, { microBatches: draws, numQuantizers: n, dropout: p })) {
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  assertEquals([...counts.keys()].sort(), [1, 2, 3, 4]);
  // P(K = k) = p/N for k < N and 1 − p + p/N for N: 0.125 and 0.625; 4 standard deviations of 20,000 draws.
  for (const k of [1, 2, 3]) assert(Math.abs(counts.get(k)! / draws - p / n) < 0.01, `K=${k}: ${counts.get(k)}`);
  assert(Math.abs(counts.get(4)! / draws - (1 - p + p / n)) < 0.014, `K=4: ${counts.get(4)}`);
});

Deno.test("drawQuantizers() continues the same sequence from a saved RNG state", () => {
  const options = { microBatches: 2, numQuantizers: 3, dropout: 0.7 };
  const straight = Rng.fromSeed(7);
  const first = Array.from({ length: 5 }, () => drawQuantizers(straight, options));
  const rest = Array.from({ length: 5 }, () => drawQuantizers(straight, options));
  const again = Rng.fromSeed(7);
  for (let i = 0; i < 5; i++) drawQuantizers(again, options);
  const resumed = Rng.fromState(again.state());
  assertEquals(Array.from({ length: 5 }, () => drawQuantizers(resumed, options)), rest);
  assert(first.flat().some((k) => k < 3), "some draws drop stages");
});

Deno.test("drawQuantizers() rejecting a dropout outside [0, 1] or a bad count", () => {
  const rng = Rng.fromSeed(8);
  assertThrows(
    () => drawQuantizers(rng, { microBatches: 1, numQuantizers: 2, dropout: 1.5 }),
    RangeError,
    "dropout 1.5",
  );
  assertThrows(
    () => drawQuantizers(rng, { microBatches: 0, numQuantizers: 2, dropout: 0.5 }),
    RangeError,
    "0 micro-batches",
  );
  assertThrows(
    () => drawQuantizers(rng, { microBatches: 1, numQuantizers: 0, dropout: 0.5 }),
    RangeError,
    "0 quantizers",
  );
});
