/**
 * Plain value types of the codec: how a read's samples map to codes, and
 * what a token file records.
 *
 * @module
 */
import type { Calibration, ReadMetadata, RunInfo } from "../pod5/types.ts";
import type { ModelConfig } from "../runtime/config_schema.ts";
import type { FileProgress } from "../runtime/progress.ts";
import type { NormalisationMode, NormalisationStats } from "../signal/types.ts";

/**
 * How the samples after a read's last whole window are coded:
 * - `short`: one shorter window, padded (edge) only to a multiple of the hop;
 * - `pad`: one whole window, padded (edge) past the read's end;
 * - `end_align`: one whole window ending at the read's last sample
 *   (overlapping the previous window; `pad` for reads shorter than a window).
 */
export type TailStrategy = "short" | "pad" | "end_align";

/**
 * The tail strategy chosen by measurement (README, "How tails are coded"):
 * the default of `encodePod5`, `encodeRead`/`decodeRead` and `deno task encode`.
 */
export const DEFAULT_TAIL: TailStrategy = "short";

/** Tail strategies, in the order documented. */
export const TAIL_STRATEGIES: readonly TailStrategy[] = ["short", "pad", "end_align"];

/**
 * How codes are stored in a token file:
 * - `packed`: entropy-coded bytes per read (an adaptive range coder);
 * - `plain`: `list<uint16>` per read, for tools that want the tokens.
 */
export type CodesEncoding = "packed" | "plain";

/** Where a token file's codes came from: the generator checkpoint. */
export interface CheckpointIdentity {
  /** sha256 (hex) of the checkpoint's `generator.safetensors`: the codec's identity. */
  readonly sha256: string;
  /** The training step it was saved at. */
  readonly step: number;
  /** The `checkpoint_<step>` directory it was loaded from (absolute). */
  readonly path: string;
}

/** The input POD5 file's own identity, as its footer records it. */
export interface SourceFile {
  /** The POD5 `file_identifier`. */
  readonly fileIdentifier: string;
  /** The software that wrote it. */
  readonly software: string;
  /** Its POD5 format version. */
  readonly pod5Version: string;
}

/** What a token file records once, in its schema metadata. */
export interface TokenFileHeader {
  /** Codes encoding of every row. */
  readonly codesEncoding: CodesEncoding;
  /** The generator that made the codes. */
  readonly checkpoint: CheckpointIdentity;
  /** The generator's `model` config. */
  readonly model: ModelConfig;
  /** Samples per model window. */
  readonly windowSamples: number;
  /** Samples per code (the encoder's total stride). */
  readonly hopSamples: number;
  /** The sample rate the generator was trained at, Hz. */
  readonly sampleRateHz: number;
  /** Codebook entries. */
  readonly codebookSize: number;
  /** Normalisation mode of every read. */
  readonly normalisation: NormalisationMode;
  /** Clip applied to normalised values, or null. */
  readonly clip: number | null;
  /** How tails are coded. */
  readonly tail: TailStrategy;
  /** The backend that computed the codes. */
  readonly backend: string;
  /** The run_info rows the reads refer to. */
  readonly runInfos: readonly RunInfo[];
  /** The POD5 file the reads came from, when there was one. */
  readonly source: SourceFile | null;
}

/** One read of a token file: its POD5 metadata, normalisation stats and codes. */
export interface TokenRead extends ReadMetadata {
  /** Normalisation stats of the read (for de-normalising the decoder's output). */
  readonly normalisation: NormalisationStats;
  /** The read's codes, in time order: whole windows, then the tail. */
  readonly codes: Uint16Array;
}

/** Where an encode or decode run is, reported after every read (`formatFileProgress` prints it). */
export interface CodecProgress extends FileProgress {
  /** The file being processed. */
  readonly file: string;
}

/** The geometry of one read's codes. */
export interface ReadLayout {
  /** Samples in the read. */
  readonly numSamples: number;
  /** Samples per model window. */
  readonly windowSamples: number;
  /** Samples per code. */
  readonly hopSamples: number;
  /** The tail strategy. */
  readonly tail: TailStrategy;
  /** Whole windows from the read's start: `floor(numSamples / windowSamples)`. */
  readonly wholeWindows: number;
  /** Samples after the last whole window, `[0, windowSamples)`. */
  readonly tailSamples: number;
  /** Samples of the tail window given to the model (with padding); 0 when there is no tail. */
  readonly tailWindowSamples: number;
  /** Where the tail window starts in the read (it may overlap the last whole window). */
  readonly tailWindowStart: number;
  /** Codes per whole window. */
  readonly codesPerWindow: number;
  /** Codes of the tail window. */
  readonly tailCodes: number;
  /** Codes of the whole read: `wholeWindows · codesPerWindow + tailCodes`. */
  readonly numCodes: number;
}

/** Options of {@linkcode readLayout}. */
export interface ReadLayoutOptions {
  /** Samples per model window, a multiple of the hop. */
  readonly windowSamples: number;
  /** Samples per code. */
  readonly hopSamples: number;
  /** How the tail is coded. */
  readonly tail: TailStrategy;
}

/** What decoding one read needs: its codes, stats, calibration and length, and its run's ADC range (clip). */
export interface ReadToDecode {
  /** The read's codes, `[numCodes]`. */
  readonly codes: Uint16Array;
  /** Its normalisation stats. */
  readonly normalisation: NormalisationStats;
  /** Its calibration. */
  readonly calibration: Calibration;
  /** Its length in samples. */
  readonly numSamples: number;
  /** Its run's ADC range. */
  readonly run: Pick<RunInfo, "adcMin" | "adcMax">;
}

/** A read's codes and what decoding them needs. */
export interface EncodedRead {
  /** Normalisation stats of the read. */
  readonly normalisation: NormalisationStats;
  /** Its codes, `[numCodes]`. */
  readonly codes: Uint16Array;
  /** Where its samples went. */
  readonly layout: ReadLayout;
}
