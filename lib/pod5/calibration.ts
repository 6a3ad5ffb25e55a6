/**
 * ADC ↔ pA conversion: the one place where raw current is calibrated
 * (notes/pod5_format.md §2.7), in float32 arithmetic as ONT's library does.
 *
 * @module
 */
import type { Calibration } from "./types.ts";

/** Smallest int16 ADC value. */
export const ADC_MIN = -32768;
/** Largest int16 ADC value. */
export const ADC_MAX = 32767;

/**
 * `pA = (adc + offsetAdc) × scalePaPerAdc`, rounded to float32.
 *
 * @param adc Raw samples.
 * @param calibration The read's calibration.
 * @param out Optional destination of the same length.
 * @returns The picoamp values (`out` when given).
 *
 * @example
 * ```ts
 * import { adcToPa } from "./calibration.ts";
 *
 * const pA = adcToPa(Int16Array.of(1057), { offsetAdc: -253, scalePaPerAdc: 0.14620706 });
 * if (Math.abs(pA[0]! - 117.5505) > 1e-3) throw new Error(String(pA[0]));
 * ```
 */
export function adcToPa(adc: Int16Array, calibration: Calibration, out?: Float32Array): Float32Array {
  const pA = out ?? new Float32Array(adc.length);
  if (pA.length !== adc.length) {
    throw new RangeError(`Cannot calibrate: output has ${pA.length} values, input ${adc.length}`);
  }
  const offset = Math.fround(calibration.offsetAdc);
  const scale = Math.fround(calibration.scalePaPerAdc);
  // (int16 + float32) is exact in float32 for these magnitudes, and the product
  // of two float32 values is exact in float64, so one rounding on store
  // reproduces numpy's float32 result bit for bit.
  for (let i = 0; i < adc.length; i++) pA[i] = Math.fround(adc[i]! + offset) * scale;
  return pA;
}

/**
 * The inverse of {@linkcode adcToPa}: `adc = rint(pA / scale − offset)`,
 * clipped to the int16 range; non-finite values map to 0 pA.
 *
 * @param pA Picoamp values.
 * @param calibration The read's calibration.
 * @param out Optional destination of the same length.
 * @returns The ADC values (`out` when given).
 * @throws {RangeError} When the scale is zero or not finite.
 *
 * @example Back to the same ADC values
 * ```ts
 * import { adcToPa, paToAdc } from "./calibration.ts";
 *
 * const calibration = { offsetAdc: 9, scalePaPerAdc: 0.23400601744651794 };
 * const adc = Int16Array.of(449, 433, -9, 787);
 * if (paToAdc(adcToPa(adc, calibration), calibration).join() !== adc.join()) throw new Error("not inverse");
 * ```
 */
export function paToAdc(pA: Float32Array, calibration: Calibration, out?: Int16Array): Int16Array {
  const adc = out ?? new Int16Array(pA.length);
  if (adc.length !== pA.length) {
    throw new RangeError(`Cannot convert to ADC: output has ${adc.length} values, input ${pA.length}`);
  }
  const scale = Math.fround(calibration.scalePaPerAdc);
  if (!Number.isFinite(scale) || scale === 0) {
    throw new RangeError(`Cannot convert to ADC: calibration scale ${calibration.scalePaPerAdc} is not usable`);
  }
  const offset = Math.fround(calibration.offsetAdc);
  for (let i = 0; i < pA.length; i++) {
    const value = pA[i]!;
    const raw = roundHalfEven(Number.isFinite(value) ? value / scale - offset : -offset);
    adc[i] = raw < ADC_MIN ? ADC_MIN : raw > ADC_MAX ? ADC_MAX : raw;
  }
  return adc;
}

/** numpy.rint: round half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
