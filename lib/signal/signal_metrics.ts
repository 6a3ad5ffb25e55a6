/**
 * How close a reconstructed signal is to the real one: MAE, RMSE, SNR in dB
 * and Pearson r (SPEC §5), per read or pooled over many reads (each centred
 * on its own mean), and the snake_case record report.json holds.
 *
 * @module
 */

/** Agreement between a reference signal and an estimate, in the signals' units (pA for validation). */
export interface SignalMetrics {
  /** Samples compared. */
  readonly numSamples: number;
  /** Mean absolute error. */
  readonly mae: number;
  /** Root mean squared error. */
  readonly rmse: number;
  /**
   * `10·log10(Σ(ref − mean(ref))² / Σ(ref − est)²)`: the reference's variance
   * over the error's mean square, so that a constant estimate at the
   * reference's mean scores 0 dB. `Infinity` for a perfect estimate; NaN when
   * both the reference's variance and the error are zero.
   */
  readonly snrDb: number;
  /** Pearson correlation; NaN when either signal is constant. */
  readonly pearsonR: number;
}

/** Running moments of one read (Welford, float64). */
interface ReadMoments {
  n: number;
  meanRef: number;
  meanEst: number;
  m2Ref: number;
  m2Est: number;
  coMoment: number;
}

const emptyMoments = (): ReadMoments => ({ n: 0, meanRef: 0, meanEst: 0, m2Ref: 0, m2Est: 0, coMoment: 0 });

/** Options of {@linkcode SignalMetricsAccumulator.add}. */
export interface AddSignalOptions {
  /**
   * The read the samples belong to, when a read comes in pieces (a
   * trainer's windows): pieces of one read are centred on that read's mean.
   * Default: the pair is a read of its own.
   */
  readonly read?: string;
}

/**
 * The one pooled signal metric (SPEC §5, what `validate` reports, and what
 * `encode --verify`, the benches and the trainer's held-out scores report
 * too): {@linkcode SignalMetrics} over many reads, each read centred on its
 * own mean, so that reads at different current levels do not count as
 * signal. SNR is `10·log10(Σ over reads of Σ (x − mean of its read)² /
 * Σ (x − x̂)²)`; Pearson r correlates the per-read-centred signals; MAE and
 * RMSE are over all samples. Float64 running moments, stable for long reads.
 *
 * @example Pooled over two reads at different levels
 * ```ts
 * import { assertAlmostEquals, assertEquals } from "@std/assert";
 * import { SignalMetricsAccumulator } from "./signal_metrics.ts";
 * const total = new SignalMetricsAccumulator();
 * total.add(new Float32Array([1, 2, 3]), new Float32Array([1, 2, 4]));
 * total.add(new Float32Array([105, 106]), new Float32Array([105, 106]));
 * const m = total.result();
 * assertEquals([m.numSamples, m.mae], [5, 0.2]);
 * // Signal: (1 + 0 + 1) + (0.25 + 0.25) around each read's mean; error: 1.
 * assertAlmostEquals(m.snrDb, 10 * Math.log10(2.5 / 1), 1e-12);
 * ```
 */
export class SignalMetricsAccumulator {
  readonly #reads = new Map<string, ReadMoments>();
  #closed = emptyMoments();
  #n = 0;
  #sumAbsError = 0;
  #sumSquaredError = 0;

  /**
   * Add one read, or one piece of a read.
   *
   * @param reference The real signal, `[numSamples]`.
   * @param estimate The reconstruction, `[numSamples]`.
   * @param options Which read the samples belong to (default: a read of their own).
   * @throws {RangeError} When the lengths differ.
   */
  add(reference: ArrayLike<number>, estimate: ArrayLike<number>, options: AddSignalOptions = {}): void {
    if (reference.length !== estimate.length) {
      throw new RangeError(
        `Cannot compare signals: reference has ${reference.length} samples, estimate ${estimate.length}`,
      );
    }
    const key = options.read;
    const moments = key === undefined ? emptyMoments() : this.#reads.get(key) ?? emptyMoments();
    let { n, meanRef, meanEst, m2Ref, m2Est, coMoment } = moments;
    let sumAbs = 0, sumSq = 0;
    for (let i = 0; i < reference.length; i++) {
      const r = reference[i]!;
      const e = estimate[i]!;
      n++;
      const dr = r - meanRef;
      const de = e - meanEst;
      meanRef += dr / n;
      meanEst += de / n;
      m2Ref += dr * (r - meanRef);
      m2Est += de * (e - meanEst);
      coMoment += dr * (e - meanEst);
      const error = r - e;
      sumAbs += Math.abs(error);
      sumSq += error * error;
    }
    const updated = { n, meanRef, meanEst, m2Ref, m2Est, coMoment };
    if (key === undefined) this.#close(updated);
    else this.#reads.set(key, updated);
    this.#n += reference.length;
    this.#sumAbsError += sumAbs;
    this.#sumSquaredError += sumSq;
  }

  /**
   * The metrics of everything added so far.
   *
   * @returns The metrics (NaN everywhere when nothing was added).
   */
  result(): SignalMetrics {
    const n = this.#n;
    if (n === 0) return { numSamples: 0, mae: NaN, rmse: NaN, snrDb: NaN, pearsonR: NaN };
    const total = { ...this.#closed };
    for (const read of this.#reads.values()) {
      total.m2Ref += read.m2Ref;
      total.m2Est += read.m2Est;
      total.coMoment += read.coMoment;
    }
    const denominator = Math.sqrt(total.m2Ref * total.m2Est);
    return {
      numSamples: n,
      mae: this.#sumAbsError / n,
      rmse: Math.sqrt(this.#sumSquaredError / n),
      snrDb: 10 * Math.log10(total.m2Ref / this.#sumSquaredError),
      pearsonR: denominator > 0 ? Math.max(-1, Math.min(1, total.coMoment / denominator)) : NaN,
    };
  }

  #close(read: ReadMoments): void {
    this.#closed.m2Ref += read.m2Ref;
    this.#closed.m2Est += read.m2Est;
    this.#closed.coMoment += read.coMoment;
  }
}

/** {@linkcode SignalMetrics} of a reconstruction and of the baseline, in report.json's snake_case, in pA. */
export interface SignalMetricsRecord {
  /** Samples compared. */
  readonly num_samples: number;
  /** The reconstruction's SNR, dB (`Infinity` for a perfect one: null in JSON). */
  readonly snr_db: number;
  /** The baseline's SNR, dB. */
  readonly baseline_snr_db: number;
  /** The reconstruction's mean absolute error, pA. */
  readonly mae_pa: number;
  /** The baseline's mean absolute error, pA. */
  readonly baseline_mae_pa: number;
  /** The reconstruction's root mean squared error, pA. */
  readonly rmse_pa: number;
  /** The reconstruction's Pearson r (null when a signal is constant). */
  readonly pearson_r: number | null;
}

/**
 * The one snake_case mapping of signal metrics (report.json's per-read and
 * pooled entries): the reconstruction's and a baseline's metrics (Pearson r
 * null when a signal is constant).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { signalMetrics, signalMetricsRecord } from "./signal_metrics.ts";
 * const real = new Float32Array([1, 2, 3, 4]);
 * const record = signalMetricsRecord(
 *   signalMetrics(real, new Float32Array([1, 2, 3, 4])),
 *   signalMetrics(real, new Float32Array(4).fill(2.5)),
 * );
 * assertEquals([record.snr_db, record.baseline_snr_db, record.baseline_mae_pa], [Infinity, 0, 1]);
 * ```
 *
 * @param model The reconstruction's metrics.
 * @param baseline The baseline's (the per-read median prediction).
 * @returns The record.
 */
export function signalMetricsRecord(model: SignalMetrics, baseline: SignalMetrics): SignalMetricsRecord {
  return {
    num_samples: model.numSamples,
    snr_db: model.snrDb,
    baseline_snr_db: baseline.snrDb,
    mae_pa: model.mae,
    baseline_mae_pa: baseline.mae,
    rmse_pa: model.rmse,
    pearson_r: finiteOrNull(model.pearsonR),
  };
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * Metrics of one estimate against its reference.
 *
 * @example
 * ```ts
 * import { signalMetrics } from "./signal_metrics.ts";
 * const m = signalMetrics(new Float32Array([0, 2, 4]), new Float32Array([1, 2, 3]));
 * if (m.mae !== 2 / 3 || m.pearsonR !== 1) throw new Error("unexpected");
 * ```
 *
 * @param reference The real signal, `[numSamples]`.
 * @param estimate The reconstruction, `[numSamples]`.
 * @returns The metrics.
 * @throws {RangeError} When the lengths differ.
 */
export function signalMetrics(reference: ArrayLike<number>, estimate: ArrayLike<number>): SignalMetrics {
  const accumulator = new SignalMetricsAccumulator();
  accumulator.add(reference, estimate);
  return accumulator.result();
}
