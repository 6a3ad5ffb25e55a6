/**
 * Signal processing between POD5 and the model: per-read normalisation with
 * invertible stats (later: windows, stitching and signal metrics).
 *
 * @example Normalise a read and return to ADC
 * ```ts
 * import { denormaliseToAdc, normaliseRead } from "./mod.ts";
 * const adc = Int16Array.from({ length: 2_500 }, (_, i) => 500 + ((i * 37) % 101));
 * const calibration = { offsetAdc: 9, scalePaPerAdc: 0.234 };
 * const { values, stats } = normaliseRead(adc, calibration);
 * if (denormaliseToAdc(values, stats, calibration).join() !== adc.join()) throw new Error("not inverse");
 * ```
 *
 * @module
 */
export {
  MAD_TO_SIGMA,
  MIN_SCALE_PA,
  type NormalisationMode,
  type NormalisationOptions,
  type NormalisationStats,
} from "./types.ts";
export { normalisationStats, normalisationStatsFromAdc } from "./normalisation_stats.ts";
export {
  denormalise,
  denormaliseToAdc,
  normalise,
  normaliseAdc,
  type NormalisedSignal,
  normaliseRead,
} from "./normalise.ts";
