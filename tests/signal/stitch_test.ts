import { assertAlmostEquals, assertEquals, assertThrows } from "../_assert.ts";
import { inferenceWindows, stitch } from "../../lib/signal/mod.ts";
import { Rng } from "../../lib/runtime/rng.ts";

Deno.test("stitch() of unchanged windows is the identity, for every hop, padding and cross-fade", () => {
  const rng = Rng.fromSeed(3);
  for (const numSamples of [1, 799, 1000, 1001, 2500, 7777]) {
    const read = Float32Array.from({ length: numSamples }, () => rng.nextNormal() * 3);
    for (const hopSamples of [1000, 800, 500, 80, 1]) {
      if (hopSamples === 1 && numSamples > 1001) continue;
      for (const pad of ["edge", "zero"] as const) {
        const cut = inferenceWindows(read, { windowSamples: 1000, hopSamples, pad });
        for (const crossfade of ["uniform", "triangular"] as const) {
          assertEquals(
            stitch(cut.windows, cut, { crossfade }),
            read,
            `${numSamples}/${hopSamples}/${pad}/${crossfade}`,
          );
        }
      }
    }
  }
});

Deno.test("stitch() averages overlapping windows by their weights", () => {
  // Two windows of 4 with hop 2 over 6 samples: the middle two samples are covered by both.
  const windows = new Float32Array([1, 1, 1, 1, 3, 3, 3, 3]);
  const layout = { numSamples: 6, windowSamples: 4, hopSamples: 2 };
  assertEquals(Array.from(stitch(windows, layout, { crossfade: "uniform" })), [1, 1, 2, 2, 3, 3]);
  // Triangular weights [1, 2, 2, 1]: sample 2 = (2·1 + 1·3)/3, sample 3 = (1·1 + 2·3)/3.
  const fade = stitch(windows, layout);
  assertAlmostEquals(fade[2]!, 5 / 3, 1e-6);
  assertAlmostEquals(fade[3]!, 7 / 3, 1e-6);
  assertEquals([fade[0], fade[1], fade[4], fade[5]], [1, 1, 3, 3]);
});

Deno.test("stitch() rejecting windows that do not match the layout", () => {
  assertThrows(
    () => stitch(new Float32Array(10), { numSamples: 25, windowSamples: 10, hopSamples: 5 }),
    RangeError,
    "expected 4 windows",
  );
});
