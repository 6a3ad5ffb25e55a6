/**
 * How close a reconstructed signal is to the real one: MAE, RMSE, SNR in dB
 * and Pearson r (SPEC §5), per read or accumulated over many reads.
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

/**
 * Accumulates {@linkcode SignalMetrics} over any number of signal pairs
 * (Welford-style running moments in float64, stable for long reads).
 *
 * @example Overall metrics over two reads
 * ```ts
 * import { SignalMetricsAccumulator } from "./signal_metrics.ts";
 * const total = new SignalMetricsAccumulator();
 * total.add(new Float32Array([1, 2, 3]), new Float32Array([1, 2, 4]));
 * total.add(new Float32Array([5, 6]), new Float32Array([5, 6]));
 * const m = total.result();
 * if (m.numSamples !== 5 || m.mae !== 0.2) throw new Error("unexpected");
 * ```
 */
export class SignalMetricsAccumulator {
  #n = 0;
  #meanRef = 0;
  #meanEst = 0;
  #m2Ref = 0;
  #m2Est = 0;
  #coMoment = 0;
  #sumAbsError = 0;
  #sumSquaredError = 0;

  /**
   * Add one pair of signals.
   *
   * @param reference The real signal, `[numSamples]`.
   * @param estimate The reconstruction, `[numSamples]`.
   * @throws {RangeError} When the lengths differ.
   */
  add(reference: ArrayLike<number>, estimate: ArrayLike<number>): void {
    if (reference.length !== estimate.length) {
      throw new RangeError(
        `Cannot compare signals: reference has ${reference.length} samples, estimate ${estimate.length}`,
      );
    }
    let n = this.#n;
    let meanRef = this.#meanRef;
    let meanEst = this.#meanEst;
    let m2Ref = this.#m2Ref;
    let m2Est = this.#m2Est;
    let coMoment = this.#coMoment;
    let sumAbs = this.#sumAbsError;
    let sumSq = this.#sumSquaredError;
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
    this.#n = n;
    this.#meanRef = meanRef;
    this.#meanEst = meanEst;
    this.#m2Ref = m2Ref;
    this.#m2Est = m2Est;
    this.#coMoment = coMoment;
    this.#sumAbsError = sumAbs;
    this.#sumSquaredError = sumSq;
  }

  /**
   * The metrics of everything added so far.
   *
   * @returns The metrics (NaN everywhere when nothing was added).
   */
  result(): SignalMetrics {
    const n = this.#n;
    if (n === 0) return { numSamples: 0, mae: NaN, rmse: NaN, snrDb: NaN, pearsonR: NaN };
    const denominator = Math.sqrt(this.#m2Ref * this.#m2Est);
    return {
      numSamples: n,
      mae: this.#sumAbsError / n,
      rmse: Math.sqrt(this.#sumSquaredError / n),
      snrDb: 10 * Math.log10(this.#m2Ref / this.#sumSquaredError),
      pearsonR: denominator > 0 ? Math.max(-1, Math.min(1, this.#coMoment / denominator)) : NaN,
    };
  }
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
