/**
 * One read through the codec in this thread: raw ADC → normalisation stats
 * and codes, and back to ADC, with exactly the windows, tail handling and
 * rounding that `encodePod5` / `decodeTokens` use.
 *
 * @module
 */
import type { Calibration, RunInfo } from "../pod5/types.ts";
import type { NormalisationStats } from "../signal/types.ts";
import type { LoadedCodec } from "./load_codec.ts";
import { inProcessRunner } from "./_model_runner.ts";
import { decodeReadWith, encodeReadWith } from "./_read_jobs.ts";
import type { EncodedRead, TailStrategy } from "./types.ts";

/** Options of {@linkcode encodeRead} and {@linkcode decodeRead}. */
export interface ReadCodecOptions {
  /** How the tail is coded. Default `short`. */
  readonly tail?: TailStrategy;
}

/**
 * Encode one read's raw samples.
 *
 * @param codec The loaded codec.
 * @param read The read's ADC samples and calibration.
 * @param options Tail strategy.
 * @returns Stats, codes and layout.
 */
export async function encodeRead(
  codec: LoadedCodec,
  read: { readonly adc: Int16Array; readonly calibration: Calibration },
  options: ReadCodecOptions = {},
): Promise<EncodedRead> {
  return await encodeReadWith(inProcessRunner(codec), codec, read, options.tail ?? "short");
}

/**
 * Decode one read's codes back to raw samples.
 *
 * @param codec The loaded codec.
 * @param read The codes, stats, calibration and length, and the run's ADC range (clip).
 * @param options Tail strategy (as encoded).
 * @returns ADC samples, `[numSamples]`.
 */
export async function decodeRead(
  codec: LoadedCodec,
  read: {
    readonly codes: Uint16Array;
    readonly normalisation: NormalisationStats;
    readonly calibration: Calibration;
    readonly numSamples: number;
    readonly run: Pick<RunInfo, "adcMin" | "adcMax">;
  },
  options: ReadCodecOptions = {},
): Promise<Int16Array> {
  return await decodeReadWith(inProcessRunner(codec), codec, read, options.tail ?? "short");
}
