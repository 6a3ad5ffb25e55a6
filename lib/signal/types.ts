/**
 * Plain value types of the signal area: normalisation modes and the stats
 * that map normalised values back to picoamps.
 *
 * @module
 */

/**
 * How a read is normalised (SPEC §4):
 * - `median_mad`: `(pA − median) / max(1.4826·MAD, floor)`, robust, unbounded;
 * - `minmax`: the original code's mode, mapping `[min, max]` onto `[−1, 1]`.
 */
export type NormalisationMode = "median_mad" | "minmax";

/**
 * Everything needed to map normalised values back to picoamps:
 * `normalised = clip((pA − shiftPa) / scalePa)` and `pA = normalised · scalePa + shiftPa`.
 *
 * Both modes reduce to this affine pair: for `median_mad` the shift is the
 * median and the scale `1.4826·MAD`; for `minmax` the shift is the midrange
 * `(min + max) / 2` and the scale half the range. JSON-serialisable.
 */
export interface NormalisationStats {
  /** The mode the stats were computed for. */
  readonly mode: NormalisationMode;
  /** Picoamps subtracted before scaling (median, or midrange for `minmax`). */
  readonly shiftPa: number;
  /** Picoamps per normalised unit, never below the floor it was computed with. */
  readonly scalePa: number;
  /** Normalised values were clipped to `[−clip, clip]`; null when not clipped. */
  readonly clip: number | null;
}

/** Options of the normalisation-stats functions. */
export interface NormalisationOptions {
  /** The mode. Default `"median_mad"`. */
  readonly mode?: NormalisationMode;
  /** Clip normalised values to `[−clip, clip]`; null or absent: no clipping. */
  readonly clip?: number | null;
  /**
   * Smallest scale in pA, so that a flat read does not divide by zero.
   * Default {@linkcode MIN_SCALE_PA} (1e-6 pA, the seed's floor).
   */
  readonly scaleFloorPa?: number;
}

/** The seed's floor on the normalisation scale, in pA. */
export const MIN_SCALE_PA = 1e-6;

/** Scale from the median absolute deviation to a normal σ: 1 / Φ⁻¹(3/4). */
export const MAD_TO_SIGMA = 1.4826;
