/**
 * Per-read normalisation stats (SPEC §4): the robust median/MAD pair or the
 * original min/max pair, computed from picoamps or, exactly and in O(n),
 * from the raw int16 ADC through the read's affine calibration.
 *
 * @module
 */
import { adcToPa } from "../pod5/calibration.ts";
import type { Calibration } from "../pod5/types.ts";
import { adcOrderStats, medianInPlace } from "./_order_stats.ts";
import {
  MAD_TO_SIGMA,
  MIN_SCALE_PA,
  type NormalisationMode,
  type NormalisationOptions,
  type NormalisationStats,
} from "./types.ts";

/**
 * Normalisation stats of a picoamp signal. Non-finite samples are ignored
 * (they normalise to 0). Uses quickselect, not a sort.
 *
 * @example Median/MAD of a small signal
 * ```ts
 * import { normalisationStats } from "./normalisation_stats.ts";
 * const stats = normalisationStats(new Float32Array([1, 2, 3, 4, 100]));
 * if (stats.shiftPa !== 3 || stats.scalePa !== 1.4826) throw new Error("unexpected");
 * ```
 *
 * @param pA The signal in picoamps, at least one finite sample.
 * @param options Mode (default `median_mad`), clip (default none), scale floor (default 1e-6 pA).
 * @returns The stats.
 * @throws {RangeError} When no sample is finite, or an option is out of range.
 */
export function normalisationStats(pA: Float32Array, options: NormalisationOptions = {}): NormalisationStats {
  const { mode, clip, floor } = checkOptions(options);
  let finite = 0;
  for (let i = 0; i < pA.length; i++) if (Number.isFinite(pA[i]!)) finite++;
  if (finite === 0) throw new RangeError("Cannot compute normalisation stats: the signal has no finite sample");
  if (mode === "minmax") {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < pA.length; i++) {
      const v = pA[i]!;
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return minmaxStats(min, max, clip, floor);
  }
  const values = new Float64Array(finite);
  for (let i = 0, j = 0; i < pA.length; i++) if (Number.isFinite(pA[i]!)) values[j++] = pA[i]!;
  const median = medianInPlace(values);
  for (let i = 0; i < values.length; i++) values[i] = Math.abs(values[i]! - median);
  const mad = medianInPlace(values);
  return { mode, shiftPa: median, scalePa: Math.max(MAD_TO_SIGMA * mad, floor), clip };
}

/**
 * Normalisation stats of a read from its raw ADC samples: an exact median
 * and MAD (or min and max) of the ADC from a counting histogram, in O(n),
 * mapped to picoamps through the calibration. The shift equals
 * `normalisationStats(adcToPa(adc, calibration))`'s exactly; the scale differs
 * from it only by the float32 rounding of the picoamp samples (this one is the
 * exact MAD). Much faster than a sort on long reads.
 *
 * @example Stats of a read
 * ```ts
 * import { normalisationStatsFromAdc } from "./normalisation_stats.ts";
 * const adc = new Int16Array([10, 20, 30, 40, 1000]);
 * const stats = normalisationStatsFromAdc(adc, { offsetAdc: 0, scalePaPerAdc: 0.5 });
 * if (stats.shiftPa !== 15 || Math.abs(stats.scalePa - 7.413) > 1e-9) throw new Error("unexpected");
 * ```
 *
 * @param adc The raw samples, at least one.
 * @param calibration The read's calibration; its scale must be finite and non-zero.
 * @param options Mode (default `median_mad`), clip (default none), scale floor (default 1e-6 pA).
 * @returns The stats.
 * @throws {RangeError} When `adc` is empty, the calibration unusable, or an option out of range.
 */
export function normalisationStatsFromAdc(
  adc: Int16Array,
  calibration: Calibration,
  options: NormalisationOptions = {},
): NormalisationStats {
  const { mode, clip, floor } = checkOptions(options);
  const scale = Math.fround(calibration.scalePaPerAdc);
  const offset = Math.fround(calibration.offsetAdc);
  if (!Number.isFinite(scale) || scale === 0 || !Number.isFinite(offset)) {
    throw new RangeError(
      `Cannot compute normalisation stats: calibration offset ${calibration.offsetAdc}, ` +
        `scale ${calibration.scalePaPerAdc} is not usable`,
    );
  }
  const stats = adcOrderStats(adc);
  if (mode === "minmax") {
    // The extremes in pA are the calibrated extremes in ADC, computed by adcToPa itself so they match bit for bit.
    const ends = adcToPa(new Int16Array([stats.minAdc, stats.maxAdc]), calibration);
    return minmaxStats(Math.min(ends[0]!, ends[1]!), Math.max(ends[0]!, ends[1]!), clip, floor);
  }
  // The median in pA is the mean of the two middle samples in pA, each calibrated by adcToPa itself, so that a
  // sample equal to the median normalises to exactly 0 (the MAD needs no such care: it only scales).
  const middle = adcToPa(new Int16Array([stats.lowerMedianAdc, stats.upperMedianAdc]), calibration);
  return {
    mode,
    shiftPa: (middle[0]! + middle[1]!) / 2,
    scalePa: Math.max(MAD_TO_SIGMA * stats.madAdc * Math.abs(scale), floor),
    clip,
  };
}

function minmaxStats(min: number, max: number, clip: number | null, floor: number): NormalisationStats {
  return { mode: "minmax", shiftPa: (min + max) / 2, scalePa: Math.max((max - min) / 2, floor), clip };
}

interface CheckedOptions {
  readonly mode: NormalisationMode;
  readonly clip: number | null;
  readonly floor: number;
}

function checkOptions(options: NormalisationOptions): CheckedOptions {
  const mode = options.mode ?? "median_mad";
  if (mode !== "median_mad" && mode !== "minmax") {
    throw new RangeError(`Cannot normalise: unknown mode "${String(mode)}"`);
  }
  const clip = options.clip ?? null;
  if (clip !== null && !(clip > 0 && Number.isFinite(clip))) {
    throw new RangeError(`Cannot normalise: clip ${clip} must be a positive finite number`);
  }
  const floor = options.scaleFloorPa ?? MIN_SCALE_PA;
  if (!(floor > 0 && Number.isFinite(floor))) {
    throw new RangeError(`Cannot normalise: scale floor ${floor} pA must be a positive finite number`);
  }
  return { mode, clip, floor };
}
