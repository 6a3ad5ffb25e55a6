import { assert, assertEquals, assertLessOrEqual, assertThrows } from "../_assert.ts";
import { Pod5Reader } from "../../lib/pod5/mod.ts";
import { adcToPa } from "../../lib/pod5/calibration.ts";
import {
  denormalise,
  denormaliseToAdc,
  normalisationStatsFromAdc,
  normalise,
  normaliseAdc,
  normaliseRead,
} from "../../lib/signal/mod.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { fixture } from "../pod5/_fixtures.ts";

Deno.test("normaliseRead() then denormaliseToAdc() gives back every fixture read's ADC exactly, in both modes", async () => {
  for (const name of ["z1.pod5", "b1.pod5"]) {
    await using pod5 = await Pod5Reader.open(fixture(name));
    for await (const read of pod5.reads()) {
      const adc = read.signal();
      const pA = adcToPa(adc, read.calibration);
      for (const mode of ["median_mad", "minmax"] as const) {
        const { values, stats } = normaliseRead(adc, read.calibration, { mode });
        assertEquals(denormaliseToAdc(values, stats, read.calibration), adc, `${name} ${read.readId} ${mode}`);
        const back = denormalise(values, stats);
        let worst = 0;
        for (let i = 0; i < pA.length; i++) worst = Math.max(worst, Math.abs(back[i]! - pA[i]!));
        assertLessOrEqual(worst, 1e-4, `${name} ${read.readId} ${mode}: pA error`);
      }
    }
  }
});

Deno.test("normaliseRead() centres median/MAD reads and bounds minmax reads to [-1, 1]", async () => {
  await using pod5 = await Pod5Reader.open(fixture("z1.pod5"));
  for await (const read of pod5.reads()) {
    const adc = read.signal();
    const robust = normaliseRead(adc, read.calibration).values;
    const sorted = Float32Array.from(robust).sort();
    assertLessOrEqual(Math.abs(sorted[sorted.length >> 1]!), 1e-6, "median ≈ 0");
    const mad = Float32Array.from(robust, Math.abs).sort()[robust.length >> 1]!;
    assertLessOrEqual(Math.abs(mad * 1.4826 - 1), 0.02, "scaled MAD ≈ 1");
    const bounded = normaliseRead(adc, read.calibration, { mode: "minmax" }).values;
    let min = Infinity, max = -Infinity;
    for (const v of bounded) [min, max] = [Math.min(min, v), Math.max(max, v)];
    assertLessOrEqual(Math.abs(min + 1), 1e-6);
    assertLessOrEqual(Math.abs(max - 1), 1e-6);
  }
});

Deno.test("normaliseAdc() equals normalise(adcToPa()) bit for bit on short and long signals", () => {
  const rng = Rng.fromSeed(5);
  const calibration = { offsetAdc: 6, scalePaPerAdc: 0.2340060174465179 };
  for (const length of [10, 4095, 4096, 50_000, 300_000]) {
    const adc = Int16Array.from({ length }, () => 300 + rng.nextInt(900));
    adc[0] = -32768;
    adc[length - 1] = 32767;
    for (const mode of ["median_mad", "minmax"] as const) {
      const stats = normalisationStatsFromAdc(adc, calibration, { mode, clip: 4 });
      assertEquals(normaliseAdc(adc, calibration, { stats }), normalise(adcToPa(adc, calibration), stats), `${length}`);
    }
  }
});

Deno.test("normaliseRead() of a flat read gives zeros that denormalise to the read", () => {
  const adc = new Int16Array(5000).fill(812);
  const calibration = { offsetAdc: 9, scalePaPerAdc: 0.234 };
  for (const mode of ["median_mad", "minmax"] as const) {
    const { values, stats } = normaliseRead(adc, calibration, { mode });
    assertEquals(values, new Float32Array(5000), mode);
    assertEquals(denormaliseToAdc(values, stats, calibration), adc, mode);
    assertEquals(denormalise(values, stats), adcToPa(adc, calibration), mode);
  }
});

Deno.test("normalise() clips to [-clip, clip] and denormalise() inverts every unclipped sample", () => {
  const rng = Rng.fromSeed(9);
  const calibration = { offsetAdc: 0, scalePaPerAdc: 0.5 };
  const adc = Int16Array.from({ length: 20_000 }, () => Math.round(1000 + rng.nextNormal() * 40));
  const { values, stats } = normaliseRead(adc, calibration, { clip: 1.5 });
  assertEquals(stats.clip, 1.5);
  const back = denormaliseToAdc(values, stats, calibration);
  let clipped = 0;
  for (let i = 0; i < adc.length; i++) {
    const x = values[i]!;
    assertLessOrEqual(Math.abs(x), 1.5);
    if (Math.abs(x) < 1.5) assertEquals(back[i], adc[i]);
    else {
      clipped++;
      const edgeAdc = Math.round((stats.shiftPa + Math.sign(x) * 1.5 * stats.scalePa) / 0.5);
      assertLessOrEqual(Math.abs(back[i]! - edgeAdc), 1);
    }
  }
  assert(clipped > 1000 && clipped < 4000, `about 13% of samples lie beyond 1.5σ, got ${clipped}`);
});

Deno.test("normalise() maps non-finite pA to 0 and rejecting mismatched outputs or bad stats", () => {
  const stats = { mode: "median_mad", shiftPa: 10, scalePa: 2, clip: null } as const;
  assertEquals(normalise(new Float32Array([NaN, 12, Infinity, 8]), stats), new Float32Array([0, 1, 0, -1]));
  assertThrows(() => normalise(new Float32Array(3), stats, new Float32Array(2)), RangeError, "output has 2 values");
  assertThrows(() => denormalise(new Float32Array(3), { ...stats, scalePa: 0 }), RangeError, "scale 0 pA");
  assertThrows(() => normalise(new Float32Array(3), { ...stats, shiftPa: NaN }), RangeError, "shift NaN");
});
