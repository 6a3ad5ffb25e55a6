/**
 * One read through the codec in this thread: raw ADC → normalisation stats
 * and codes, and back to ADC, with exactly the windows, tail handling and
 * rounding that `encodePod5` / `decodeTokens` use.
 *
 * @module
 */
import type { Calibration } from "../pod5/types.ts";
import type { LoadedCodec } from "./load_codec.ts";
import { inProcessRunner } from "./_model_runner.ts";
import { decodeReadWith, encodeReadWith } from "./_read_jobs.ts";
import { DEFAULT_TAIL, type EncodedRead, type ReadToDecode, type TailStrategy } from "./types.ts";

/** Options of {@linkcode encodeRead} and {@linkcode decodeRead}. */
export interface ReadCodecOptions {
  /** How the tail is coded. Default {@linkcode DEFAULT_TAIL}. */
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
  return await encodeReadWith(inProcessRunner(codec), codec, read, options.tail ?? DEFAULT_TAIL);
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
  read: ReadToDecode,
  options: ReadCodecOptions = {},
): Promise<Int16Array> {
  return await decodeReadWith(inProcessRunner(codec), codec, read, options.tail ?? DEFAULT_TAIL);
}
