/**
 * Signal metrics of a validation (SPEC §5): per read, the reconstruction
 * against the real signal in pA (MAE, RMSE, SNR, Pearson r) and the same for
 * a trivial baseline that predicts the read's median; and pooled over all
 * reads, each read centred on its own mean (so that reads at different
 * current levels do not inflate the signal's variance).
 *
 * @module
 */
import { adcToPa } from "../pod5/calibration.ts";
import { Pod5Reader } from "../pod5/reader.ts";
import {
  signalMetrics,
  SignalMetricsAccumulator,
  type SignalMetricsRecord,
  signalMetricsRecord,
} from "../signal/signal_metrics.ts";

/** One read's metrics (report.json's `reads[]` entries, before the basecall fields). */
export interface ReadSignalMetrics extends SignalMetricsRecord {
  /** The read. */
  readonly read_id: string;
}

/** Pooled metrics over all reads, each centred on its own mean (`SignalMetricsAccumulator`). */
export type PooledSignalMetrics = SignalMetricsRecord;

/** A stretch of one read for the picture: real and generated current in pA. */
export interface Trace {
  /** The read. */
  readonly readId: string;
  /** Where the stretch starts, seconds into the read. */
  readonly startSec: number;
  /** Sample rate, Hz. */
  readonly sampleRateHz: number;
  /** Real current, pA. */
  readonly real: Float32Array;
  /** Reconstructed current, pA. */
  readonly generated: Float32Array;
  /** The whole read's SNR, dB. */
  readonly snrDb: number;
}

/** Options of {@linkcode compareSignals}. */
export interface CompareSignalsOptions {
  /** Reads pictured. Default 3. */
  readonly traces?: number;
  /** Seconds of each pictured read. Default 2. */
  readonly traceSec?: number;
}

/** What {@linkcode compareSignals} gives. */
export interface SignalComparison {
  /** Per read, in file order. */
  readonly reads: readonly ReadSignalMetrics[];
  /** Pooled over all reads. */
  readonly pooled: PooledSignalMetrics;
  /** Stretches for the picture: the first reads at least `traceSec` long, from their middle. */
  readonly traces: readonly Trace[];
}

function median(values: Float32Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Compare `generated.pod5` with `real.pod5` read by read (the same read ids,
 * in the same order, with the same lengths).
 *
 * @param realPath The real reads.
 * @param generatedPath Their reconstructions.
 * @param options What to picture.
 * @returns Per-read and pooled metrics, and the pictured stretches.
 * @throws {RangeError} When the files do not hold the same reads.
 */
export async function compareSignals(
  realPath: string,
  generatedPath: string,
  options: CompareSignalsOptions = {},
): Promise<SignalComparison> {
  const traceCount = options.traces ?? 3, traceSec = options.traceSec ?? 2;
  await using realReader = await Pod5Reader.open(realPath);
  await using generatedReader = await Pod5Reader.open(generatedPath);
  const generated = generatedReader.reads();
  const reads: ReadSignalMetrics[] = [];
  const traces: Trace[] = [];
  const pooled = new SignalMetricsAccumulator(), pooledBaseline = new SignalMetricsAccumulator();
  for await (const real of realReader.reads()) {
    const next = await generated.next();
    if (next.done === true || next.value.readId !== real.readId || next.value.numSamples !== real.numSamples) {
      throw new RangeError(`Cannot compare: ${generatedPath} does not hold read ${real.readId} where ${realPath} does`);
    }
    const x = real.pA(), y = next.value.pA();
    const prediction = new Float32Array(x.length).fill(median(x));
    const metrics = signalMetrics(x, y);
    reads.push({ read_id: real.readId, ...signalMetricsRecord(metrics, signalMetrics(x, prediction)) });
    pooled.add(x, y);
    pooledBaseline.add(x, prediction);
    const span = Math.round(traceSec * real.sampleRateHz);
    if (traces.length < traceCount && x.length >= span) {
      const start = Math.floor((x.length - span) / 2);
      traces.push({
        readId: real.readId,
        startSec: start / real.sampleRateHz,
        sampleRateHz: real.sampleRateHz,
        real: x.slice(start, start + span),
        generated: y.slice(start, start + span),
        snrDb: metrics.snrDb,
      });
    }
  }
  if ((await generated.next()).done !== true) {
    throw new RangeError(`Cannot compare: ${generatedPath} holds more reads than ${realPath}`);
  }
  // Short reads only: picture the longest ones whole, so there is always a picture.
  if (traces.length === 0 && reads.length > 0) {
    const longest = [...reads].sort((a, b) => b.num_samples - a.num_samples).slice(0, traceCount);
    for (const pick of longest) {
      const real = await realReader.read(pick.read_id), gen = await generatedReader.read(pick.read_id);
      traces.push({
        readId: pick.read_id,
        startSec: 0,
        sampleRateHz: real.sampleRateHz,
        real: adcToPa(real.signal(), real.calibration),
        generated: adcToPa(gen.signal(), gen.calibration),
        snrDb: pick.snr_db,
      });
    }
  }
  return {
    reads,
    pooled: signalMetricsRecord(pooled.result(), pooledBaseline.result()),
    traces,
  };
}
