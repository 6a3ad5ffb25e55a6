/**
 * Applying and inverting normalisation: `normalised = clip((pA − shift) / scale)`
 * and `pA = normalised · scale + shift`, then ADC through the read's
 * calibration (lib/pod5's {@linkcode paToAdc}, the one place for that).
 *
 * @module
 */
import { adcToPa, paToAdc } from "../pod5/calibration.ts";
import type { Calibration } from "../pod5/types.ts";
import { normalisationStatsFromAdc } from "./normalisation_stats.ts";
import type { NormalisationOptions, NormalisationStats } from "./types.ts";

/** Below this many samples {@linkcode normaliseAdc} converts directly instead of through a lookup table. */
const LUT_MIN_SAMPLES = 4096;
/** Number of int16 values: the size of a lookup table over every ADC code. */
const INT16_VALUES = 65536;
/**
 * From this many samples on, {@linkcode normaliseAdc} builds its table over every int16 code (about 0.4 ms)
 * instead of finding the samples' range first (a pass costing about 1.7 ns a sample); measured on z1's long read.
 */
const FULL_LUT_MIN_SAMPLES = 1 << 18;

/**
 * Normalise a picoamp signal with given stats: `clip((pA − shiftPa) / scalePa)`;
 * non-finite samples become 0.
 *
 * @example
 * ```ts
 * import { normalise } from "./normalise.ts";
 * const x = normalise(new Float32Array([90, 100, 110]), { mode: "median_mad", shiftPa: 100, scalePa: 10, clip: null });
 * if (x.join() !== "-1,0,1") throw new Error("unexpected");
 * ```
 *
 * @param pA The signal, `[numSamples]`.
 * @param stats The read's stats.
 * @param out Optional destination of the same length (may be `pA` itself).
 * @returns The normalised signal, `[numSamples]` (`out` when given).
 * @throws {RangeError} When `out` has another length or the stats are unusable.
 */
export function normalise(pA: Float32Array, stats: NormalisationStats, out?: Float32Array): Float32Array {
  const values = out ?? new Float32Array(pA.length);
  checkLengths("normalise", values.length, pA.length);
  checkStats(stats);
  const shift = stats.shiftPa;
  const scale = stats.scalePa;
  const clip = stats.clip ?? Infinity;
  for (let i = 0; i < pA.length; i++) {
    const v = pA[i]!;
    const x = Number.isFinite(v) ? (v - shift) / scale : 0;
    values[i] = x > clip ? clip : x < -clip ? -clip : x;
  }
  return values;
}

/**
 * Normalise raw ADC samples: exactly `normalise(adcToPa(adc, calibration), stats)`,
 * bit for bit, but through a lookup table over the samples' ADC codes, so
 * long reads cost one table lookup per sample.
 *
 * @param adc Raw samples, `[numSamples]`.
 * @param calibration The read's calibration.
 * @param options `stats` (required) and an optional `out` of the same length.
 * @returns The normalised signal, `[numSamples]`.
 * @throws {RangeError} When `out` has another length or the stats are unusable.
 */
export function normaliseAdc(
  adc: Int16Array,
  calibration: Calibration,
  options: { readonly stats: NormalisationStats; readonly out?: Float32Array },
): Float32Array {
  const values = options.out ?? new Float32Array(adc.length);
  checkLengths("normalise", values.length, adc.length);
  if (adc.length < LUT_MIN_SAMPLES) return normalise(adcToPa(adc, calibration, values), options.stats, values);
  let min = -(INT16_VALUES / 2);
  let max = INT16_VALUES / 2 - 1;
  if (adc.length < FULL_LUT_MIN_SAMPLES) {
    min = max = adc[0]!;
    for (let i = 1; i < adc.length; i++) {
      const v = adc[i]!;
      if (v < min) min = v;
      else if (v > max) max = v;
    }
  }
  const codes = new Int16Array(max - min + 1);
  for (let i = 0; i < codes.length; i++) codes[i] = min + i;
  const table = normalise(adcToPa(codes, calibration), options.stats);
  for (let i = 0; i < adc.length; i++) values[i] = table[adc[i]! - min]!;
  return values;
}

/** A normalised read: its values and the stats that invert them. */
export interface NormalisedSignal {
  /** Normalised samples, `[numSamples]`. */
  readonly values: Float32Array;
  /** The stats, for {@linkcode denormalise}. */
  readonly stats: NormalisationStats;
}

/**
 * Normalise a whole read from its raw ADC: stats over the read (exact
 * histogram median/MAD or min/max), then {@linkcode normaliseAdc}.
 *
 * @example Round trip to ADC
 * ```ts
 * import { denormaliseToAdc, normaliseRead } from "./normalise.ts";
 * const adc = new Int16Array([500, 510, 490, 505, 520]);
 * const calibration = { offsetAdc: 9, scalePaPerAdc: 0.234 };
 * const { values, stats } = normaliseRead(adc, calibration);
 * if (denormaliseToAdc(values, stats, calibration).join() !== adc.join()) throw new Error("not inverse");
 * ```
 *
 * @param adc Raw samples, `[numSamples]`, at least one.
 * @param calibration The read's calibration; its scale must be finite and non-zero.
 * @param options Mode (default `median_mad`), clip (default none), scale floor (default 1e-6 pA).
 * @returns The normalised values and their stats.
 * @throws {RangeError} When `adc` is empty or the calibration unusable.
 */
export function normaliseRead(
  adc: Int16Array,
  calibration: Calibration,
  options: NormalisationOptions = {},
): NormalisedSignal {
  const stats = normalisationStatsFromAdc(adc, calibration, options);
  return { values: normaliseAdc(adc, calibration, { stats }), stats };
}

/**
 * Invert {@linkcode normalise}: `pA = normalised · scalePa + shiftPa`. Exact
 * up to float32 rounding (a few 1e-6 pA), so {@linkcode denormaliseToAdc}
 * gives back the original ADC bit for bit; samples that were clipped come
 * back at the clip level.
 *
 * @param values Normalised samples, `[numSamples]`.
 * @param stats The stats they were normalised with.
 * @param out Optional destination of the same length (may be `values` itself).
 * @returns Picoamps, `[numSamples]` (`out` when given).
 * @throws {RangeError} When `out` has another length or the stats are unusable.
 */
export function denormalise(values: Float32Array, stats: NormalisationStats, out?: Float32Array): Float32Array {
  const pA = out ?? new Float32Array(values.length);
  checkLengths("denormalise", pA.length, values.length);
  checkStats(stats);
  const shift = stats.shiftPa;
  const scale = stats.scalePa;
  for (let i = 0; i < values.length; i++) pA[i] = values[i]! * scale + shift;
  return pA;
}

/**
 * Invert normalisation down to raw ADC: {@linkcode denormalise}, then
 * `paToAdc` with the read's calibration (rint, clipped to int16).
 *
 * @param values Normalised samples, `[numSamples]`.
 * @param stats The stats they were normalised with.
 * @param calibration The read's calibration.
 * @returns ADC samples, `[numSamples]`.
 * @throws {RangeError} When the stats or the calibration are unusable.
 */
export function denormaliseToAdc(
  values: Float32Array,
  stats: NormalisationStats,
  calibration: Calibration,
): Int16Array {
  return paToAdc(denormalise(values, stats), calibration);
}

function checkLengths(action: string, outLength: number, inLength: number): void {
  if (outLength !== inLength) {
    throw new RangeError(`Cannot ${action}: output has ${outLength} values, input ${inLength}`);
  }
}

function checkStats(stats: NormalisationStats): void {
  if (!(stats.scalePa > 0 && Number.isFinite(stats.scalePa)) || !Number.isFinite(stats.shiftPa)) {
    throw new RangeError(`Cannot use normalisation stats: shift ${stats.shiftPa} pA, scale ${stats.scalePa} pA`);
  }
}
