/**
 * Held-out evaluation: reconstruct windows the training never sees and
 * compare them with the originals in picoamps, against the trivial
 * per-read-median baseline, so the numbers have a scale.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { DatasetBatch } from "../data/types.ts";
import { codebookStats, countStageCodes } from "../model/codebook_stats.ts";
import { Codec } from "../model/codec.ts";
import { denormalise } from "../signal/normalise.ts";
import { SignalMetricsAccumulator } from "../signal/signal_metrics.ts";

/** What {@linkcode evaluateHeldOut} measures. */
export interface HeldOutMetrics {
  /** Windows evaluated. */
  readonly windows: number;
  /** Mean |x − x̂| in the normalised domain (the training L1). */
  readonly l1: number;
  /** Mean |x − x̂| in pA. */
  readonly maePa: number;
  /**
   * 10·log10(Σ(x − mean of its read)² / Σ(x − x̂)²) over all held-out samples,
   * in pA: the pooled SNR of `validate` (`SignalMetricsAccumulator`).
   */
  readonly snrDb: number;
  /** The same SNR for the baseline that predicts each read's median current. */
  readonly baselineSnrDb: number;
  /** Pearson correlation of reconstruction and original, each read centred on its mean. */
  readonly pearsonR: number;
  /** Fraction of codebook entries the held-out windows use (of stage 1). */
  readonly codebookUsage: number;
  /** Codebook perplexity over the held-out windows (of stage 1). */
  readonly codebookPerplexity: number;
  /** Usage and perplexity of each quantizer stage, stage 1 first. */
  readonly stageCodebooks: readonly { readonly perplexity: number; readonly usage: number }[];
  /**
   * The held-out SNR, dB, when only the first K stages are decoded, for
   * K = 1..N (index K − 1); the last is {@linkcode HeldOutMetrics.snrDb}.
   */
  readonly snrDbByQuantizers: readonly number[];
}

/** A held-out batch reconstructed by the generator. */
export interface Reconstruction {
  /** Reconstructed windows, row-major `[batch, windowSamples]`. */
  readonly reconstruction: Float32Array<ArrayBuffer>;
  /** The codes of all N stages, row-major `[batch, latentLength, N]`. */
  readonly codes: Int32Array<ArrayBuffer>;
  /**
   * Reconstructions from the codes of the first K stages, K = 1..N − 1
   * (index K − 1), row-major `[batch, windowSamples]`; empty for one stage.
   */
  readonly byQuantizers: readonly Float32Array<ArrayBuffer>[];
}

/** A generator that runs elsewhere (e.g. in Workers), seen through its outputs. */
export interface RemoteGenerator {
  /** Entries in its codebook. */
  readonly codebookSize: number;
  /** Its quantizer stages N. */
  readonly numQuantizers: number;
  /** Reconstruct one batch. */
  reconstruct(batch: DatasetBatch): Promise<Reconstruction>;
}

/**
 * Reconstruct `batches` with `codec` and measure. The baseline is the read's
 * median current: exactly the normalisation shift for `median_mad` data; for
 * `minmax` data (whose shift is the midrange) the window's own median.
 *
 * @param codec The generator, or a {@linkcode RemoteGenerator}: all batches
 *   are then asked for at once (so Workers reconstruct them in parallel) and
 *   scored in order, with the same result.
 * @param batches Held-out batches (`values` `[batch, windowSamples]` with their sources).
 * @returns The metrics.
 */
export async function evaluateHeldOut(
  codec: Codec | RemoteGenerator,
  batches: readonly DatasetBatch[],
): Promise<HeldOutMetrics> {
  const model = new SignalMetricsAccumulator();
  const baseline = new SignalMetricsAccumulator();
  const generator: RemoteGenerator = codec instanceof Codec ? localGenerator(codec) : codec;
  const stages = generator.numQuantizers;
  const byQuantizers = Array.from({ length: stages - 1 }, () => new SignalMetricsAccumulator());
  const counts = Array.from({ length: stages }, () => new Float64Array(generator.codebookSize));
  // A local generator reconstructs one batch after another; a remote one gets them all at once.
  const pending = codec instanceof Codec ? [] : batches.map((batch) => generator.reconstruct(batch));
  // Awaited in order below; a later rejection must not go unhandled meanwhile.
  for (const p of pending) p.catch(() => {});
  let windows = 0, absNormalised = 0, samples = 0;
  for (const [index, batch] of batches.entries()) {
    const w = batch.windowSamples;
    const { reconstruction, codes, byQuantizers: partial } = await (pending[index] ?? generator.reconstruct(batch));
    countStageCodes(codes, { stages, codebookSize: generator.codebookSize }).forEach((batchCounts, stage) => {
      const total = counts[stage]!;
      for (let k = 0; k < total.length; k++) total[k]! += batchCounts[k]!;
    });
    for (let row = 0; row < batch.batchSize; row++) {
      const source = batch.sources[row];
      if (source === undefined) throw new RangeError(`Cannot evaluate: batch row ${row} has no source`);
      const x = batch.values.subarray(row * w, (row + 1) * w);
      const y = reconstruction.subarray(row * w, (row + 1) * w);
      for (let i = 0; i < w; i++) absNormalised += Math.abs(x[i]! - y[i]!);
      const pA = denormalise(x, source.stats);
      // A read's windows are pooled as that read: centred on its mean, as validate centres whole reads.
      const read = `${source.fileIndex}/${source.readIndex}`;
      model.add(pA, denormalise(y, source.stats), { read });
      byQuantizers.forEach((acc, k) =>
        acc.add(pA, denormalise(partial[k]!.subarray(row * w, (row + 1) * w), source.stats), { read })
      );
      const median = source.stats.mode === "median_mad" ? source.stats.shiftPa : medianOf(pA);
      baseline.add(pA, new Float32Array(w).fill(median), { read });
      samples += w;
      windows++;
    }
  }
  if (windows === 0) throw new RangeError("Cannot evaluate: no held-out windows");
  const m = model.result();
  const stageCodebooks = counts.map((c) => codebookStats(c));
  const stats = stageCodebooks[0]!;
  return {
    windows,
    l1: absNormalised / samples,
    maePa: m.mae,
    snrDb: m.snrDb,
    baselineSnrDb: baseline.result().snrDb,
    pearsonR: m.pearsonR,
    codebookUsage: stats.usage,
    codebookPerplexity: stats.perplexity,
    stageCodebooks,
    snrDbByQuantizers: [...byQuantizers.map((acc) => acc.result().snrDb), m.snrDb],
  };
}

/**
 * Run `codec` on one batch: the forward pass with all stages, and the
 * decodes of the first K < N stages' codes.
 *
 * @param codec The generator.
 * @param batch `values` row-major `[batchSize, windowSamples]`.
 * @returns The reconstructions and codes.
 */
export async function reconstructBatch(
  codec: Codec,
  batch: Pick<DatasetBatch, "values" | "batchSize" | "windowSamples">,
): Promise<Reconstruction> {
  const input = tf.tensor2d(batch.values, [batch.batchSize, batch.windowSamples]);
  const out = codec.forward(input);
  try {
    const byQuantizers: Float32Array<ArrayBuffer>[] = [];
    const n = codec.numQuantizers;
    for (let k = 1; k < n; k++) {
      const y = tf.tidy(() => codec.decode(tf.slice(out.indices, [0, 0, 0], [-1, -1, k])));
      byQuantizers.push(Float32Array.from(await y.data<"float32">()));
      y.dispose();
    }
    return {
      reconstruction: Float32Array.from(await out.reconstruction.data<"float32">()),
      codes: Int32Array.from(await out.indices.data<"int32">()),
      byQuantizers,
    };
  } finally {
    tf.dispose([input, out.reconstruction, out.indices, out.commitLoss]);
  }
}

function localGenerator(codec: Codec): RemoteGenerator {
  return {
    codebookSize: codec.quantizer.spec.codebookSize,
    numQuantizers: codec.numQuantizers,
    reconstruct: (batch) => reconstructBatch(codec, batch),
  };
}

function medianOf(values: Float32Array): number {
  const sorted = Float32Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
