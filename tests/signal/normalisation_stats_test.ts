import { assertAlmostEquals, assertEquals, assertThrows } from "../_assert.ts";
import { adcToPa } from "../../lib/pod5/calibration.ts";
import { MAD_TO_SIGMA, MIN_SCALE_PA, normalisationStats, normalisationStatsFromAdc } from "../../lib/signal/mod.ts";
import { Rng } from "../../lib/runtime/rng.ts";

/** Median by full sort (the reference the fast paths must match). */
function sortedMedian(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

function randomAdc(rng: Rng, length: number, spread: number): Int16Array {
  // A narrow Gaussian-ish current with rare spikes and many repeated values.
  return Int16Array.from({ length }, () => {
    const base = 500 + Math.round(rng.nextNormal() * spread);
    return rng.nextInt(50) === 0 ? base + rng.nextInt(4000) - 2000 : base;
  });
}

Deno.test("normalisationStatsFromAdc() equals the sort-based median and MAD for odd and even lengths", () => {
  const rng = Rng.fromSeed(11);
  const calibration = { offsetAdc: 9, scalePaPerAdc: 0.2340060174465179 };
  for (const length of [1, 2, 3, 10, 101, 1000, 4001]) {
    const adc = randomAdc(rng, length, 30);
    const median = sortedMedian(Array.from(adc));
    const mad = sortedMedian(Array.from(adc, (v) => Math.abs(v - median)));
    const scale = Math.fround(calibration.scalePaPerAdc);
    const stats = normalisationStatsFromAdc(adc, calibration);
    assertEquals(stats.mode, "median_mad");
    const pA = adcToPa(adc, calibration);
    assertEquals(stats.shiftPa, sortedMedian(Array.from(pA)), `median, length ${length}`);
    assertEquals(stats.scalePa, Math.max(MAD_TO_SIGMA * mad * scale, MIN_SCALE_PA), `scale, length ${length}`);
    assertEquals(stats.clip, null);
  }
});

Deno.test("normalisationStats() from pA agrees with the ADC histogram path", () => {
  const rng = Rng.fromSeed(12);
  const calibration = { offsetAdc: -240, scalePaPerAdc: 0.1462070643901825 };
  for (const length of [7, 64, 5000, 20_001]) {
    const adc = randomAdc(rng, length, 80);
    const pA = adcToPa(adc, calibration);
    for (const mode of ["median_mad", "minmax"] as const) {
      const fromAdc = normalisationStatsFromAdc(adc, calibration, { mode });
      const fromPa = normalisationStats(pA, { mode });
      assertEquals(fromPa.shiftPa, fromAdc.shiftPa, `${mode} shift, length ${length}`);
      assertAlmostEquals(fromPa.scalePa, fromAdc.scalePa, 1e-4, `${mode} scale, length ${length}`);
    }
  }
});

Deno.test("normalisationStats() quickselect median equals the sorted median on seeded random floats", () => {
  const rng = Rng.fromSeed(13);
  for (const length of [1, 2, 5, 33, 34, 1000, 9999]) {
    // Few distinct values stress the partitioning with duplicates.
    const values = Array.from({ length }, () => Math.fround(rng.nextInt(length < 100 ? 5 : 200) * 0.5));
    const median = sortedMedian(values);
    const mad = sortedMedian(values.map((v) => Math.abs(v - median)));
    const stats = normalisationStats(Float32Array.from(values), { scaleFloorPa: 1e-9 });
    assertEquals(stats.shiftPa, median, `length ${length}`);
    assertEquals(stats.scalePa, Math.max(MAD_TO_SIGMA * mad, 1e-9), `length ${length}`);
  }
});

Deno.test("normalisationStats() minmax maps the range onto [-1, 1] as shift and scale", () => {
  const stats = normalisationStats(new Float32Array([70, 90, 110, 80]), { mode: "minmax", clip: 3 });
  assertEquals(stats, { mode: "minmax", shiftPa: 90, scalePa: 20, clip: 3 });
  const fromAdc = normalisationStatsFromAdc(new Int16Array([-5, 15, 3]), { offsetAdc: 5, scalePaPerAdc: 0.5 }, {
    mode: "minmax",
  });
  assertEquals(fromAdc, { mode: "minmax", shiftPa: 5, scalePa: 5, clip: null });
});

Deno.test("normalisationStats() ignores non-finite samples", () => {
  const stats = normalisationStats(new Float32Array([NaN, 1, 2, Infinity, 3, -Infinity]));
  assertEquals(stats.shiftPa, 2);
  assertEquals(stats.scalePa, MAD_TO_SIGMA);
  const range = normalisationStats(new Float32Array([NaN, 1, Infinity, 3]), { mode: "minmax" });
  assertEquals([range.shiftPa, range.scalePa], [2, 1]);
});

Deno.test("normalisationStats() floors the scale of a flat read", () => {
  const flat = new Int16Array(100).fill(321);
  for (const mode of ["median_mad", "minmax"] as const) {
    assertEquals(normalisationStatsFromAdc(flat, { offsetAdc: 0, scalePaPerAdc: 1 }, { mode }).scalePa, MIN_SCALE_PA);
    assertEquals(normalisationStats(new Float32Array(5).fill(7), { mode, scaleFloorPa: 0.5 }).scalePa, 0.5);
  }
});

Deno.test("normalisationStats() rejecting empty signals, unusable calibration and bad options", () => {
  assertThrows(() => normalisationStats(new Float32Array(0)), RangeError, "no finite sample");
  assertThrows(() => normalisationStats(new Float32Array([NaN])), RangeError, "no finite sample");
  assertThrows(() => normalisationStatsFromAdc(new Int16Array(0), { offsetAdc: 0, scalePaPerAdc: 1 }), RangeError);
  assertThrows(
    () => normalisationStatsFromAdc(new Int16Array(3), { offsetAdc: 0, scalePaPerAdc: 0 }),
    RangeError,
    "scale 0 is not usable",
  );
  assertThrows(
    () => normalisationStatsFromAdc(new Int16Array(3), { offsetAdc: 0, scalePaPerAdc: NaN }),
    RangeError,
    "not usable",
  );
  assertThrows(() => normalisationStats(new Float32Array(3), { clip: 0 }), RangeError, "clip 0");
  assertThrows(() => normalisationStats(new Float32Array(3), { scaleFloorPa: -1 }), RangeError, "scale floor");
});
