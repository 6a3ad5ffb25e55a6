import { assertAlmostEquals, assertEquals } from "../_assert.ts";
import type { DatasetBatch, WindowSource } from "../../lib/data/types.ts";
import { Codec } from "../../lib/model/codec.ts";
import { kernelPlanFor } from "../../lib/model/kernel_plan.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import type { NormalisationMode } from "../../lib/signal/types.ts";
import { evaluateHeldOut } from "../../lib/train/evaluate.ts";
import { normals } from "../model/_reference.ts";
import {
  referenceCodebook,
  referenceDecode,
  referenceEncode,
  referenceQuantize,
  referenceResidualQuantize,
} from "../model/_reference_codec.ts";

const MODEL = parseConfig({
  model: {
    enc_channels: [4, 8],
    enc_down_strides: [4],
    enc_num_res_blocks: 1,
    dec_channels: [8, 4],
    dec_up_strides: [4],
    dec_num_res_blocks: 1,
    latent_dim: 4,
    codebook_size: 16,
  },
}).model;
const W = 32;

function source(mode: NormalisationMode, read: number, windowIndex: number): WindowSource {
  // Two reads with different shifts and scales, so a wrong or swapped denormalisation shows.
  const stats = read === 0
    ? { mode, shiftPa: 82.5, scalePa: 11.25, clip: null }
    : { mode, shiftPa: 104, scalePa: 7.5, clip: null };
  return {
    fileIndex: 0,
    readIndex: read,
    readId: `read-${read}`,
    windowIndex,
    stats,
    calibration: { offsetAdc: 0, scalePaPerAdc: 0.25 },
  };
}

function batches(mode: NormalisationMode): DatasetBatch[] {
  const rng = Rng.fromSeed(31);
  return [[0, 0, 1], [1, 0]].map((reads, b): DatasetBatch => ({
    values: normals(rng, reads.length * W, mode === "minmax" ? 0.4 : 1),
    batchSize: reads.length,
    windowSamples: W,
    epoch: 0,
    position: {
      epoch: 0,
      lanes: [{ order: 0, readIndex: 0, windowIndex: b }],
      lane: 0,
      epochWindow: 3 * b,
      blockOffset: 0,
      shuffleWindows: 0,
      windowSamples: W,
      interleaveFiles: 1,
      shuffleFiles: false,
    },
    sources: reads.map((r, i) => source(mode, r, b * 3 + i)),
  }));
}

/** Samples grouped by read, in the order first seen. */
type ByRead = Map<string, { ref: number[]; est: number[] }>;

/** Two-pass float64 pooled SNR (dB) and Pearson r, each read centred on its own mean (validate's definition). */
function pooled(reads: ByRead): { snrDb: number; pearsonR: number } {
  let signal = 0, noise = 0, cross = 0, estVar = 0;
  for (const { ref, est } of reads.values()) {
    const meanRef = ref.reduce((a, v) => a + v, 0) / ref.length;
    const meanEst = est.reduce((a, v) => a + v, 0) / est.length;
    ref.forEach((v, i) => {
      signal += (v - meanRef) ** 2;
      noise += (v - est[i]!) ** 2;
      cross += (v - meanRef) * (est[i]! - meanEst);
      estVar += (est[i]! - meanEst) ** 2;
    });
  }
  return { snrDb: 10 * Math.log10(signal / noise), pearsonR: cross / Math.sqrt(signal * estVar) };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

for (const mode of ["median_mad", "minmax"] as const) {
  Deno.test(`evaluateHeldOut() matches a float64 reconstruction and two-pass metrics [${mode}]`, async () => {
    await initBackend("cpu");
    const activation = mode === "minmax" ? "tanh" : "linear";
    const codec = new Codec(MODEL, { rng: Rng.fromSeed(30), plan: kernelPlanFor("cpu"), outputActivation: activation });
    const params = await codec.exportParams();
    const codebook = referenceCodebook(params);
    const data = batches(mode);

    const ref: number[] = [], est: number[] = [];
    const model: ByRead = new Map(), baseline: ByRead = new Map();
    const of = (reads: ByRead, key: string) => {
      if (!reads.has(key)) reads.set(key, { ref: [], est: [] });
      return reads.get(key)!;
    };
    let absNormalised = 0;
    const counts = new Map<number, number>();
    for (const batch of data) {
      const z = referenceEncode(params, MODEL, batch.values, [batch.batchSize, W]);
      const q = referenceQuantize(codebook, z, MODEL.beta);
      for (const c of q.indices) counts.set(c, (counts.get(c) ?? 0) + 1);
      const y = referenceDecode(params, MODEL, q.quantized, activation === "tanh");
      batch.sources.forEach(({ stats, readId }, row) => {
        const pA: number[] = [], rec: number[] = [];
        for (let i = 0; i < W; i++) {
          const x = batch.values[row * W + i]!, r = y[row * W + i]!;
          absNormalised += Math.abs(x - r);
          pA.push(x * stats.scalePa + stats.shiftPa);
          rec.push(r * stats.scalePa + stats.shiftPa);
        }
        ref.push(...pA);
        est.push(...rec);
        of(model, readId).ref.push(...pA);
        of(model, readId).est.push(...rec);
        const m = mode === "median_mad" ? stats.shiftPa : median(pA);
        of(baseline, readId).ref.push(...pA);
        of(baseline, readId).est.push(...pA.map(() => m));
      });
    }
    const n = ref.length;
    const total = [...counts.values()].reduce((a, v) => a + v, 0);
    const entropy = [...counts.values()].reduce((a, c) => a - (c / total) * Math.log(c / total), 0);

    const got = await evaluateHeldOut(codec, data);
    assertEquals(got.windows, 5);
    assertAlmostEquals(got.l1, absNormalised / n, 1e-4);
    assertAlmostEquals(got.maePa, ref.reduce((a, v, i) => a + Math.abs(v - est[i]!), 0) / n, 1e-3);
    assertAlmostEquals(got.snrDb, pooled(model).snrDb, 1e-3);
    assertAlmostEquals(got.baselineSnrDb, pooled(baseline).snrDb, 1e-3);
    assertAlmostEquals(got.pearsonR, pooled(model).pearsonR, 1e-4);
    assertAlmostEquals(got.codebookUsage, counts.size / MODEL.codebook_size, 1e-12);
    assertAlmostEquals(got.codebookPerplexity, Math.exp(entropy), 1e-6);
    codec.dispose();
  });
}

Deno.test("evaluateHeldOut() with 3 quantizer stages scores each stage's codes and the SNR of the first K stages alone", async () => {
  await initBackend("cpu");
  const model = { ...MODEL, num_quantizers: 3 };
  const codec = new Codec(model, { rng: Rng.fromSeed(32), plan: kernelPlanFor("cpu"), outputActivation: "linear" });
  const params = await codec.exportParams();
  const codebooks = [1, 2, 3].map((k) => referenceCodebook(params, k === 1 ? "quantizer" : `quantizer/stage_${k}`));
  const data = batches("median_mad");
  // Per stage count K: the samples grouped by read (the pooled SNR centres each read on its own mean).
  const byK: ByRead[] = [new Map(), new Map(), new Map()];
  const counts = [0, 1, 2].map(() => new Map<number, number>());
  for (const batch of data) {
    const z = referenceEncode(params, model, batch.values, [batch.batchSize, W]);
    for (const k of [1, 2, 3]) {
      const q = referenceResidualQuantize(codebooks.slice(0, k), z, model.beta);
      const y = referenceDecode(params, model, q.quantized, false);
      batch.sources.forEach(({ stats, readId }, row) => {
        const reads = byK[k - 1]!;
        if (!reads.has(readId)) reads.set(readId, { ref: [], est: [] });
        const read = reads.get(readId)!;
        for (let i = 0; i < W; i++) {
          read.ref.push(batch.values[row * W + i]! * stats.scalePa + stats.shiftPa);
          read.est.push(y[row * W + i]! * stats.scalePa + stats.shiftPa);
        }
      });
      if (k === 3) {
        q.indices.forEach((stage, s) => stage.forEach((c) => counts[s]!.set(c, (counts[s]!.get(c) ?? 0) + 1)));
      }
    }
  }
  const got = await evaluateHeldOut(codec, data);
  assertEquals(got.snrDbByQuantizers.length, 3);
  byK.forEach((reads, k) => assertAlmostEquals(got.snrDbByQuantizers[k]!, pooled(reads).snrDb, 1e-3));
  assertEquals(got.snrDbByQuantizers[2], got.snrDb);
  assertEquals(got.stageCodebooks.length, 3);
  counts.forEach((c, s) => assertAlmostEquals(got.stageCodebooks[s]!.usage, c.size / model.codebook_size, 1e-12));
  assertEquals([got.codebookUsage, got.codebookPerplexity], [
    got.stageCodebooks[0]!.usage,
    got.stageCodebooks[0]!.perplexity,
  ]);
  codec.dispose();
});
