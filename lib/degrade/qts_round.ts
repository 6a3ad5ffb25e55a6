/**
 * Bit trimming ("qts"): every sample rounded to the nearest multiple of 2^K,
 * as slow5lib's `slow5_arr_qts_round` computes it (hasindu2008/slow5lib
 * `src/slow5_press.c`, earlier `src/slow5_deg.c`; taken there from sigtk's
 * `src/qts.c`).
 *
 * @module
 */

/** Fewest and most bits `slow5tools degrade --bits` accepts. */
export const MIN_QTS_BITS = 1;
/** Most bits `slow5tools degrade --bits` accepts. */
export const MAX_QTS_BITS = 16;
const INT16_MIN = -32768, INT16_MAX = 32767;

/**
 * Round each sample to the nearest multiple of 2^`bits`, halves up (towards
 * +∞), exactly as slow5lib's `round_to_power_of_2`: keep the value with its
 * low `bits` bits cleared, plus 2^`bits` when those bits were at least
 * 2^(`bits`−1). slow5lib stores the result back into an int16, which wraps
 * values that round past 32767; here they are clipped to the int16 range
 * instead (only samples ≥ 32768 − 2^(`bits`−1) are affected; 13-bit ADCs
 * never get there).
 *
 * @example
 * ```ts
 * import { qtsRound } from "./qts_round.ts";
 * const out = qtsRound(Int16Array.of(5, 6, 7, -5, -6, -7, 32767), 2);
 * if (out.join() !== "4,8,8,-4,-4,-8,32767") throw new Error(out.join());
 * ```
 *
 * @param adc The samples.
 * @param bits K, the number of low bits to clear, 1–16.
 * @returns A new array of rounded samples.
 * @throws {RangeError} When `bits` is not an integer in [1, 16].
 */
export function qtsRound(adc: Int16Array, bits: number): Int16Array {
  checkQtsBits(bits);
  const mask = (1 << bits) - 1;
  const threshold = 1 << (bits - 1);
  const step = 1 << bits;
  const out = new Int16Array(adc.length);
  for (let i = 0; i < adc.length; i++) {
    const x = adc[i]!;
    const low = x & mask;
    const rounded = (x & ~mask) + (low < threshold ? 0 : step);
    out[i] = rounded > INT16_MAX ? INT16_MAX : rounded < INT16_MIN ? INT16_MIN : rounded;
  }
  return out;
}

/**
 * Check K as `slow5tools degrade --bits` does.
 *
 * @example
 * ```ts
 * import { checkQtsBits } from "./qts_round.ts";
 * checkQtsBits(3);
 * let threw = false;
 * try {
 *   checkQtsBits(17);
 * } catch {
 *   threw = true;
 * }
 * if (!threw) throw new Error("17 bits accepted");
 * ```
 *
 * @param bits K.
 * @throws {RangeError} When `bits` is not an integer in [1, 16].
 */
export function checkQtsBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < MIN_QTS_BITS || bits > MAX_QTS_BITS) {
    throw new RangeError(
      `Cannot round samples: bits must be an integer in [${MIN_QTS_BITS}, ${MAX_QTS_BITS}], got ${bits}`,
    );
  }
}
