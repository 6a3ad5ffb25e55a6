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
  /** Fraction of codebook entries the held-out windows use. */
  readonly codebookUsage: number;
  /** Codebook perplexity over the held-out windows. */
  readonly codebookPerplexity: number;
}

/** A held-out batch reconstructed by the generator. */
export interface Reconstruction {
  /** Reconstructed windows, row-major `[batch, windowSamples]`. */
  readonly reconstruction: Float32Array<ArrayBuffer>;
  /** The codes, row-major `[batch, latentLength]`. */
  readonly codes: Int32Array<ArrayBuffer>;
}

/** A generator that runs elsewhere (e.g. in Workers), seen through its outputs. */
export interface RemoteGenerator {
  /** Entries in its codebook. */
  readonly codebookSize: number;
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
  const counts = new Float64Array(generator.codebookSize);
  // A local generator reconstructs one batch after another; a remote one gets them all at once.
  const pending = codec instanceof Codec ? [] : batches.map((batch) => generator.reconstruct(batch));
  // Awaited in order below; a later rejection must not go unhandled meanwhile.
  for (const p of pending) p.catch(() => {});
  let windows = 0, absNormalised = 0, samples = 0;
  for (const [index, batch] of batches.entries()) {
    const w = batch.windowSamples;
    const { reconstruction, codes } = await (pending[index] ?? generator.reconstruct(batch));
    const batchCounts = countCodes(codes, counts.length);
    for (let k = 0; k < counts.length; k++) counts[k]! += batchCounts[k]!;
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
      const median = source.stats.mode === "median_mad" ? source.stats.shiftPa : medianOf(pA);
      baseline.add(pA, new Float32Array(w).fill(median), { read });
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

/**
 * Run `codec` on one batch.
 *
 * @param codec The generator.
 * @param batch `values` row-major `[batchSize, windowSamples]`.
 * @returns The reconstruction and codes.
 */
export async function reconstructBatch(
  codec: Codec,
  batch: Pick<DatasetBatch, "values" | "batchSize" | "windowSamples">,
): Promise<Reconstruction> {
  const input = tf.tensor2d(batch.values, [batch.batchSize, batch.windowSamples]);
  const out = codec.forward(input);
  try {
    return {
      reconstruction: Float32Array.from(await out.reconstruction.data<"float32">()),
      codes: Int32Array.from(await out.indices.data<"int32">()),
    };
  } finally {
    tf.dispose([input, out.reconstruction, out.indices, out.commitLoss]);
  }
}

function localGenerator(codec: Codec): RemoteGenerator {
  return { codebookSize: codec.quantizer.spec.codebookSize, reconstruct: (batch) => reconstructBatch(codec, batch) };
}

function medianOf(values: Float32Array): number {
  const sorted = Float32Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
