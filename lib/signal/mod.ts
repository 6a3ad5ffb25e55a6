/**
 * Signal processing between POD5 and the model: per-read normalisation with
 * invertible stats, training and inference windows, overlap-add stitching,
 * and signal metrics.
 *
 * @example Normalise a read, cut it, stitch it back, return to ADC
 * ```ts
 * import { denormaliseToAdc, inferenceWindows, normaliseRead, stitch } from "./mod.ts";
 * const adc = Int16Array.from({ length: 2_500 }, (_, i) => 500 + ((i * 37) % 101));
 * const calibration = { offsetAdc: 9, scalePaPerAdc: 0.234 };
 * const { values, stats } = normaliseRead(adc, calibration);
 * const cut = inferenceWindows(values, { windowSamples: 1_000, hopSamples: 800 });
 * const back = denormaliseToAdc(stitch(cut.windows, cut), stats, calibration);
 * if (back.join() !== adc.join()) throw new Error("not identity");
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
export {
  countTrainingWindows,
  type InferenceWindowOptions,
  type InferenceWindows,
  inferenceWindows,
  type WindowLayout,
  windowLayout,
} from "./windows.ts";
export { type Crossfade, stitch, type StitchOptions } from "./stitch.ts";
export {
  type AddSignalOptions,
  type SignalMetrics,
  signalMetrics,
  SignalMetricsAccumulator,
  type SignalMetricsRecord,
  signalMetricsRecord,
} from "./signal_metrics.ts";
