import { assertAlmostEquals, assertEquals, assertThrows } from "../_assert.ts";
import { signalMetrics, SignalMetricsAccumulator } from "../../lib/signal/mod.ts";
import { Rng } from "../../lib/runtime/rng.ts";

Deno.test("signalMetrics() gives MAE, RMSE, SNR and Pearson r of a known pair", () => {
  const m = signalMetrics(new Float32Array([1, 2, 3, 4]), new Float32Array([1, 2, 3, 6]));
  assertEquals(m.numSamples, 4);
  assertEquals(m.mae, 0.5);
  assertEquals(m.rmse, 1);
  // Reference variance sum 5, error square sum 4.
  assertAlmostEquals(m.snrDb, 10 * Math.log10(5 / 4), 1e-12);
  // Co-moment 8, estimate deviation square sum 14 → r = 8 / sqrt(5 · 14).
  assertAlmostEquals(m.pearsonR, 8 / Math.sqrt(5 * 14), 1e-12);
});

Deno.test("signalMetrics() scores a perfect estimate and a constant mean estimate", () => {
  const ref = new Float32Array([2, 4, 6, 8]);
  const perfect = signalMetrics(ref, ref);
  assertEquals([perfect.mae, perfect.rmse, perfect.snrDb, perfect.pearsonR], [0, 0, Infinity, 1]);
  const mean = signalMetrics(ref, new Float32Array(4).fill(5));
  assertAlmostEquals(mean.snrDb, 0, 1e-12);
  assertEquals(mean.pearsonR, NaN);
  assertEquals(new SignalMetricsAccumulator().result().numSamples, 0);
});

Deno.test("SignalMetricsAccumulator.add() over pieces of one read equals signalMetrics() over the whole", () => {
  const rng = Rng.fromSeed(21);
  const ref = Float32Array.from({ length: 10_000 }, () => 90 + rng.nextNormal() * 12);
  const est = Float32Array.from(ref, (v) => v + rng.nextNormal() * 2);
  const whole = signalMetrics(ref, est);
  const pieces = new SignalMetricsAccumulator();
  for (const [a, b] of [[0, 17], [17, 5000], [5000, 10_000]] as const) {
    pieces.add(ref.subarray(a, b), est.subarray(a, b), { read: "the read" });
  }
  const split = pieces.result();
  for (const key of ["mae", "rmse", "snrDb", "pearsonR"] as const) assertAlmostEquals(split[key], whole[key], 1e-9);
  assertAlmostEquals(whole.rmse, 2, 0.1);
  assertAlmostEquals(whole.snrDb, 10 * Math.log10(144 / 4), 0.3);
});

Deno.test("signalMetrics() rejecting signals of different lengths", () => {
  assertThrows(() => signalMetrics(new Float32Array(3), new Float32Array(4)), RangeError, "reference has 3 samples");
});

Deno.test("SignalMetricsAccumulator.add() centres each read on its own mean, as a two-pass float64 reference", () => {
  const rng = Rng.fromSeed(22);
  // Three reads at very different current levels, one given in two pieces (in between another read).
  const levels = [60, 95, 140], lengths = [3000, 1700, 4200];
  const reads = levels.map((level, r) => {
    const ref = Float32Array.from({ length: lengths[r]! }, () => level + rng.nextNormal() * 10);
    return { ref, est: Float32Array.from(ref, (v) => v + 3 + rng.nextNormal() * 2) };
  });
  const pooled = new SignalMetricsAccumulator();
  pooled.add(reads[0]!.ref.subarray(0, 1000), reads[0]!.est.subarray(0, 1000), { read: "a" });
  pooled.add(reads[1]!.ref, reads[1]!.est);
  pooled.add(reads[0]!.ref.subarray(1000), reads[0]!.est.subarray(1000), { read: "a" });
  pooled.add(reads[2]!.ref, reads[2]!.est);
  let signal = 0, estVar = 0, cross = 0, error = 0, abs = 0, n = 0;
  for (const { ref, est } of reads) {
    const meanRef = ref.reduce((a, v) => a + v, 0) / ref.length;
    const meanEst = est.reduce((a, v) => a + v, 0) / est.length;
    ref.forEach((v, i) => {
      signal += (v - meanRef) ** 2;
      estVar += (est[i]! - meanEst) ** 2;
      cross += (v - meanRef) * (est[i]! - meanEst);
      error += (v - est[i]!) ** 2;
      abs += Math.abs(v - est[i]!);
    });
    n += ref.length;
  }
  const m = pooled.result();
  assertEquals(m.numSamples, n);
  assertAlmostEquals(m.snrDb, 10 * Math.log10(signal / error), 1e-9);
  assertAlmostEquals(m.pearsonR, cross / Math.sqrt(signal * estVar), 1e-9);
  assertAlmostEquals(m.mae, abs / n, 1e-9);
  assertAlmostEquals(m.rmse, Math.sqrt(error / n), 1e-9);
  // Centred on one global mean instead, the level differences would count as signal: about 12 dB more here.
  const all = reads.flatMap((r) => [...r.ref]), mean = all.reduce((a, v) => a + v, 0) / all.length;
  const global = 10 * Math.log10(all.reduce((a, v) => a + (v - mean) ** 2, 0) / error);
  assertAlmostEquals(global - m.snrDb, 12, 1.5);
});
