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
import { signalMetrics } from "../signal/signal_metrics.ts";

/** One read's metrics. */
export interface ReadSignalMetrics {
  /** The read. */
  readonly read_id: string;
  /** Samples compared. */
  readonly num_samples: number;
  /** 10·log10(variance of the read / mean squared error), dB. */
  readonly snr_db: number;
  /** The same for the per-read-median prediction. */
  readonly baseline_snr_db: number;
  /** Mean absolute error, pA. */
  readonly mae_pa: number;
  /** The median prediction's MAE, pA. */
  readonly baseline_mae_pa: number;
  /** Root mean squared error, pA. */
  readonly rmse_pa: number;
  /** Pearson correlation (null when a signal is constant). */
  readonly pearson_r: number | null;
}

/** Pooled metrics over all reads (each centred on its own mean). */
export interface PooledSignalMetrics {
  /** Samples compared. */
  readonly num_samples: number;
  /** 10·log10(Σ read variances / Σ squared errors), dB. */
  readonly snr_db: number;
  /** The same for the median predictions. */
  readonly baseline_snr_db: number;
  /** Σ|error| / samples, pA. */
  readonly mae_pa: number;
  /** The median predictions' MAE, pA. */
  readonly baseline_mae_pa: number;
  /** √(Σ error² / samples), pA. */
  readonly rmse_pa: number;
  /** Correlation of the centred signals. */
  readonly pearson_r: number | null;
}

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

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

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
  let n = 0, signal = 0, error = 0, baselineError = 0, absError = 0, baselineAbs = 0, cross = 0, generatedVar = 0;
  for await (const real of realReader.reads()) {
    const next = await generated.next();
    if (next.done === true || next.value.readId !== real.readId || next.value.numSamples !== real.numSamples) {
      throw new RangeError(`Cannot compare: ${generatedPath} does not hold read ${real.readId} where ${realPath} does`);
    }
    const x = real.pA(), y = next.value.pA();
    const metrics = signalMetrics(x, y);
    const med = median(x);
    const baseline = signalMetrics(x, new Float32Array(x.length).fill(med));
    let meanX = 0, meanY = 0;
    for (let i = 0; i < x.length; i++) {
      meanX += x[i]!;
      meanY += y[i]!;
    }
    meanX /= Math.max(1, x.length);
    meanY /= Math.max(1, x.length);
    for (let i = 0; i < x.length; i++) {
      const dx = x[i]! - meanX, dy = y[i]! - meanY, e = x[i]! - y[i]!, b = x[i]! - med;
      signal += dx * dx;
      generatedVar += dy * dy;
      cross += dx * dy;
      error += e * e;
      absError += Math.abs(e);
      baselineError += b * b;
      baselineAbs += Math.abs(b);
    }
    n += x.length;
    reads.push({
      read_id: real.readId,
      num_samples: x.length,
      snr_db: metrics.snrDb,
      baseline_snr_db: baseline.snrDb,
      mae_pa: metrics.mae,
      baseline_mae_pa: baseline.mae,
      rmse_pa: metrics.rmse,
      pearson_r: finiteOrNull(metrics.pearsonR),
    });
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
  const denominator = Math.sqrt(signal * generatedVar);
  return {
    reads,
    pooled: {
      num_samples: n,
      snr_db: 10 * Math.log10(signal / error),
      baseline_snr_db: 10 * Math.log10(signal / baselineError),
      mae_pa: absError / n,
      baseline_mae_pa: baselineAbs / n,
      rmse_pa: Math.sqrt(error / n),
      pearson_r: denominator > 0 ? cross / denominator : null,
    },
    traces,
  };
}
