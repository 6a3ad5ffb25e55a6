import { assert, assertAlmostEquals, assertEquals, assertNotEquals, assertThrows } from "../_assert.ts";
import { lecunNormal, normal, orthogonal } from "../../lib/model/init.ts";
import { Rng } from "../../lib/runtime/rng.ts";

Deno.test("lecunNormal() has variance 1/fan_in and no value beyond the truncation", () => {
  const fanIn = 96;
  const w = lecunNormal(Rng.fromSeed(1), [3, 32, 2084]);
  assertEquals(w.length, 3 * 32 * 2084);
  let sum = 0, sq = 0, max = 0;
  for (const v of w) sum += v, sq += v * v, max = Math.max(max, Math.abs(v));
  assertAlmostEquals(sum / w.length, 0, 1e-3);
  assertAlmostEquals(sq / w.length, 1 / fanIn, 2e-4);
  assert(max <= 2 * Math.sqrt(1 / fanIn) / 0.87962566103423978 + 1e-7, `max ${max}`);
});

Deno.test("lecunNormal() gives the same values for the same seed", () => {
  assertEquals(lecunNormal(Rng.fromSeed(7), [8, 8]), lecunNormal(Rng.fromSeed(7), [8, 8]));
  assertNotEquals(lecunNormal(Rng.fromSeed(7), [8, 8]), lecunNormal(Rng.fromSeed(8), [8, 8]));
  assertThrows(
    () => lecunNormal(Rng.fromSeed(7), [8]),
    RangeError,
    "Cannot initialise weights: shape [8] has no positive fan-in",
  );
});

Deno.test("normal() has the requested standard deviation", () => {
  const v = normal(Rng.fromSeed(2), 100000, { std: 128 ** -0.5 });
  let sq = 0;
  for (const x of v) sq += x * x;
  assertAlmostEquals(Math.sqrt(sq / v.length), 128 ** -0.5, 1e-3);
});

Deno.test("orthogonal() returns a matrix with orthonormal columns and rows", () => {
  const n = 16;
  const q = orthogonal(Rng.fromSeed(3), n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      let cols = 0, rows = 0;
      for (let i = 0; i < n; i++) cols += q[i * n + a]! * q[i * n + b]!, rows += q[a * n + i]! * q[b * n + i]!;
      assertAlmostEquals(cols, a === b ? 1 : 0, 1e-5);
      assertAlmostEquals(rows, a === b ? 1 : 0, 1e-5);
    }
  }
});
