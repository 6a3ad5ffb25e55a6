/**
 * Held-out evaluation: reconstruct windows the training never sees and
 * compare them with the originals in picoamps, against the trivial
 * per-read-median baseline, so the numbers have a scale.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { DatasetBatch } from "../data/types.ts";
import { codebookStats, countCodes } from "../model/codebook_stats.ts";
import type { Codec } from "../model/codec.ts";
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
  /** 10·log10(Σ(x − mean)² / Σ(x − x̂)²) over all held-out samples, in pA. */
  readonly snrDb: number;
  /** The same SNR for the baseline that predicts each read's median current. */
  readonly baselineSnrDb: number;
  /** Pearson correlation of reconstruction and original. */
  readonly pearsonR: number;
  /** Fraction of codebook entries the held-out windows use. */
  readonly codebookUsage: number;
  /** Codebook perplexity over the held-out windows. */
  readonly codebookPerplexity: number;
}

/**
 * Reconstruct `batches` with `codec` and measure. The baseline is the read's
 * median current: exactly the normalisation shift for `median_mad` data; for
 * `minmax` data (whose shift is the midrange) the window's own median.
 *
 * @param codec The generator.
 * @param batches Held-out batches (`values` `[batch, windowSamples]` with their sources).
 * @returns The metrics.
 */
export async function evaluateHeldOut(codec: Codec, batches: readonly DatasetBatch[]): Promise<HeldOutMetrics> {
  const model = new SignalMetricsAccumulator();
  const baseline = new SignalMetricsAccumulator();
  const counts = new Float64Array(codec.quantizer.spec.codebookSize);
  let windows = 0, absNormalised = 0, samples = 0;
  for (const batch of batches) {
    const w = batch.windowSamples;
    const input = tf.tensor2d(batch.values, [batch.batchSize, w]);
    const out = codec.forward(input);
    const reconstruction = await out.reconstruction.data<"float32">();
    const codes = await out.indices.data<"int32">();
    tf.dispose([input, out.reconstruction, out.indices, out.commitLoss]);
    const batchCounts = countCodes(codes, counts.length);
    for (let k = 0; k < counts.length; k++) counts[k]! += batchCounts[k]!;
    for (let row = 0; row < batch.batchSize; row++) {
      const source = batch.sources[row];
      if (source === undefined) throw new RangeError(`Cannot evaluate: batch row ${row} has no source`);
      const x = batch.values.subarray(row * w, (row + 1) * w);
      const y = reconstruction.subarray(row * w, (row + 1) * w);
      for (let i = 0; i < w; i++) absNormalised += Math.abs(x[i]! - y[i]!);
      const pA = denormalise(x, source.stats);
      model.add(pA, denormalise(y, source.stats));
      const median = source.stats.mode === "median_mad" ? source.stats.shiftPa : medianOf(pA);
      baseline.add(pA, new Float32Array(w).fill(median));
      samples += w;
      windows++;
    }
  }
  if (windows === 0) throw new RangeError("Cannot evaluate: no held-out windows");
  const m = model.result();
  const stats = codebookStats(counts);
  return {
    windows,
    l1: absNormalised / samples,
    maePa: m.mae,
    snrDb: m.snrDb,
    baselineSnrDb: baseline.result().snrDb,
    pearsonR: m.pearsonR,
    codebookUsage: stats.usage,
    codebookPerplexity: stats.perplexity,
  };
}

function medianOf(values: Float32Array): number {
  const sorted = Float32Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
