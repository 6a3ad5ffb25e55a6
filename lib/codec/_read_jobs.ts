/**
 * A read's model jobs: its whole windows in groups of
 * {@linkcode JOB_WINDOWS}, then its tail window; and the assembly of their
 * results back into the read's codes or samples. The grouping depends only
 * on the read's length, never on the number of workers, so the bytes a
 * backend produces are the same for any worker count.
 *
 * @module
 */
import { denormalise } from "../signal/normalise.ts";
import { paToAdc } from "../pod5/calibration.ts";
import type { Calibration, RunInfo } from "../pod5/types.ts";
import type { NormalisationStats } from "../signal/types.ts";
import { readLayout, tailSamplesOf, tailWindow } from "./read_layout.ts";
import type { DecodeJob, EncodeJob, ModelRunner } from "./_model_runner.ts";
import type { LoadedCodec } from "./load_codec.ts";
import type { EncodedRead, ReadLayout, ReadToDecode, TailStrategy } from "./types.ts";
import { normaliseAdc } from "../signal/normalise.ts";
import { normalisationStatsFromAdc } from "../signal/normalisation_stats.ts";

/** Whole windows per model call (a batch the wasm heap holds comfortably). */
export const JOB_WINDOWS = 16;

/**
 * How many model jobs a read of `numSamples` samples makes.
 *
 * @param numSamples The read's length.
 * @param codec Window and hop.
 * @param tail The tail strategy.
 * @returns Jobs (whole-window groups plus the tail window).
 */
export function jobCount(
  numSamples: number,
  codec: Pick<LoadedCodec, "windowSamples" | "hopSamples">,
  tail: TailStrategy,
): number {
  const layout = readLayout(numSamples, { windowSamples: codec.windowSamples, hopSamples: codec.hopSamples, tail });
  return Math.ceil(layout.wholeWindows / JOB_WINDOWS) + (layout.tailWindowSamples > 0 ? 1 : 0);
}

/**
 * The encode jobs of a normalised read.
 *
 * @param values The read, `[numSamples]`, normalised.
 * @param layout Its layout.
 * @returns Jobs in read order.
 */
export function encodeJobs(values: Float32Array, layout: ReadLayout): EncodeJob[] {
  const w = layout.windowSamples;
  const jobs: EncodeJob[] = [];
  for (let first = 0; first < layout.wholeWindows; first += JOB_WINDOWS) {
    const count = Math.min(JOB_WINDOWS, layout.wholeWindows - first);
    jobs.push({ windows: values.subarray(first * w, (first + count) * w), samples: w });
  }
  if (layout.tailWindowSamples > 0) {
    jobs.push({ windows: tailWindow(values, layout), samples: layout.tailWindowSamples });
  }
  return jobs;
}

/**
 * The decode jobs of a read's codes (the same grouping as {@linkcode encodeJobs}).
 *
 * @param codes The read's codes, `[numCodes]`.
 * @param layout Its layout.
 * @returns Jobs in read order.
 */
export function decodeJobs(codes: Uint16Array, layout: ReadLayout): DecodeJob[] {
  if (codes.length !== layout.numCodes) {
    throw new RangeError(`Cannot decode read: ${codes.length} codes, its layout needs ${layout.numCodes}`);
  }
  const c = layout.codesPerWindow;
  const jobs: DecodeJob[] = [];
  for (let first = 0; first < layout.wholeWindows; first += JOB_WINDOWS) {
    const count = Math.min(JOB_WINDOWS, layout.wholeWindows - first);
    jobs.push({ codes: codes.subarray(first * c, (first + count) * c), codesPerRow: c });
  }
  if (layout.tailCodes > 0) {
    jobs.push({ codes: codes.subarray(layout.wholeWindows * c), codesPerRow: layout.tailCodes });
  }
  return jobs;
}

/**
 * Concatenate the encode jobs' codes.
 *
 * @param parts Each job's codes, in job order.
 * @param layout The read's layout.
 * @returns `[numCodes]`.
 */
export function assembleCodes(parts: readonly Uint16Array[], layout: ReadLayout): Uint16Array {
  const out = new Uint16Array(layout.numCodes);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  if (at !== layout.numCodes) throw new RangeError(`Cannot assemble codes: ${at} of ${layout.numCodes}`);
  return out;
}

/**
 * Concatenate the decode jobs' windows into the read's normalised samples,
 * keeping only the tail window's samples that belong to the read.
 *
 * @param parts Each job's windows, in job order.
 * @param layout The read's layout.
 * @returns `[numSamples]`, normalised.
 */
export function assembleSignal(parts: readonly Float32Array[], layout: ReadLayout): Float32Array {
  const out = new Float32Array(layout.numSamples);
  const whole = layout.wholeWindows * layout.windowSamples;
  let at = 0;
  const count = layout.tailWindowSamples > 0 ? parts.length - 1 : parts.length;
  for (let i = 0; i < count; i++) {
    out.set(parts[i]!, at);
    at += parts[i]!.length;
  }
  if (at !== whole) throw new RangeError(`Cannot assemble read: ${at} of ${whole} whole-window samples`);
  if (layout.tailWindowSamples > 0) out.set(tailSamplesOf(parts[parts.length - 1]!, layout), whole);
  return out;
}

/**
 * Normalised samples → the read's ADC: de-normalise, convert with the read's
 * calibration (round half to even), clip to the run's `[adcMin, adcMax]`
 * (when the run records a usable range: some files record `adc_min` ≥
 * `adc_max`, e.g. Dorado's 5 kHz test file says 1024 and 0, and are then
 * clipped to int16 only).
 *
 * @param values Normalised samples, `[numSamples]`.
 * @param read The read's normalisation stats and calibration.
 * @param run Its run (for the ADC range).
 * @returns ADC samples, `[numSamples]`.
 */
export function reconstructAdc(
  values: Float32Array,
  read: { readonly normalisation: NormalisationStats; readonly calibration: Calibration },
  run: Pick<RunInfo, "adcMin" | "adcMax">,
): Int16Array {
  const adc = paToAdc(denormalise(values, read.normalisation), read.calibration);
  if (!(run.adcMin < run.adcMax)) return adc;
  const low = run.adcMin, high = run.adcMax;
  for (let i = 0; i < adc.length; i++) {
    const v = adc[i]!;
    if (v < low) adc[i] = low;
    else if (v > high) adc[i] = high;
  }
  return adc;
}

/** Normalisation stats of a read as the codec computes them (an empty read gets shift 0, scale 1). */
export function codecStats(
  codec: Pick<LoadedCodec, "normalisation" | "clip">,
  adc: Int16Array,
  calibration: Calibration,
): NormalisationStats {
  return adc.length === 0
    ? { mode: codec.normalisation, shiftPa: 0, scalePa: 1, clip: codec.clip }
    : normalisationStatsFromAdc(adc, calibration, { mode: codec.normalisation, clip: codec.clip });
}

/** {@linkcode encodeRead} on a runner (the pipelines' path). */
export async function encodeReadWith(
  runner: ModelRunner,
  codec: Pick<LoadedCodec, "windowSamples" | "hopSamples" | "normalisation" | "clip">,
  read: { readonly adc: Int16Array; readonly calibration: Calibration },
  tail: TailStrategy,
): Promise<EncodedRead> {
  const normalisation = codecStats(codec, read.adc, read.calibration);
  const values = normaliseAdc(read.adc, read.calibration, { stats: normalisation });
  const layout = readLayout(read.adc.length, {
    windowSamples: codec.windowSamples,
    hopSamples: codec.hopSamples,
    tail,
  });
  const parts = await Promise.all(encodeJobs(values, layout).map((job) => runner.encode(job)));
  return { normalisation, codes: assembleCodes(parts, layout), layout };
}

/** {@linkcode decodeRead} on a runner (the pipelines' path). */
export async function decodeReadWith(
  runner: ModelRunner,
  codec: Pick<LoadedCodec, "windowSamples" | "hopSamples">,
  read: ReadToDecode,
  tail: TailStrategy,
): Promise<Int16Array> {
  const layout = readLayout(read.numSamples, {
    windowSamples: codec.windowSamples,
    hopSamples: codec.hopSamples,
    tail,
  });
  const parts = await Promise.all(decodeJobs(read.codes, layout).map((job) => runner.decode(job)));
  return reconstructAdc(assembleSignal(parts, layout), read, read.run);
}
