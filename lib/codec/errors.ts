/**
 * Errors of the codec: token files that are not what they claim, and
 * checkpoints or reads that do not fit the codec. Each carries the facts it
 * reports (the `mismatch` of a {@linkcode CodecMismatchError}), so that
 * tasks and the server word it without taking its message apart.
 *
 * @module
 */
import { InputError } from "../runtime/errors.ts";
import type { CheckpointIdentity } from "./types.ts";

/** A token file is missing, truncated, damaged or not a token file; always names the file. */
export class TokenFileError extends InputError {
  /** The token file concerned. */
  override readonly path: string;

  /**
   * Create an error about `path`.
   *
   * @param path The token file.
   * @param message What is wrong (the path is prefixed to it).
   * @param options The `reason` (default `token_file`; `output_exists` when the file is there already) and
   *   the `cause`, if any.
   */
  constructor(path: string, message: string, options: { reason?: string; cause?: unknown } = {}) {
    super(message, { path, reason: options.reason ?? "token_file", cause: options.cause });
    this.name = "TokenFileError";
    this.path = path;
  }
}

/** What does not fit the codec, with the values on both sides. */
export type CodecMismatch =
  | {
    /** A read at another sample rate than the model's. */
    readonly reason: "sample_rate";
    /** The read. */
    readonly readId: string;
    /** Its sample rate, Hz. */
    readonly sampleRateHz: number;
    /** The model's, Hz. */
    readonly modelSampleRateHz: number;
  }
  | {
    /** Tokens made by another checkpoint (another generator sha256). */
    readonly reason: "other_checkpoint";
    /** The checkpoint the token file records. */
    readonly recorded: CheckpointIdentity;
    /** The checkpoint given. */
    readonly given: CheckpointIdentity;
  }
  | {
    /** Tokens of another window, hop, codebook or latent size. */
    readonly reason: "geometry";
    /** Which: `window`, `hop`, `codebook size` or `latent size`. */
    readonly what: string;
    /** The tokens' value. */
    readonly tokens: number;
    /** The checkpoint's value. */
    readonly checkpoint: number;
  }
  | {
    /** Tokens normalised in another mode than the checkpoint's. */
    readonly reason: "normalisation";
    /** The tokens' mode. */
    readonly tokens: string;
    /** The checkpoint's mode. */
    readonly checkpoint: string;
  }
  | {
    /** A codec Worker loaded another generator than this thread (the file changed meanwhile). */
    readonly reason: "worker_checkpoint";
    /** The sha256 the Worker loaded. */
    readonly loaded: string;
    /** The sha256 this thread loaded. */
    readonly expected: string;
  };

/** Input that this codec cannot handle: a read at another sample rate, a token file of another checkpoint. */
export class CodecMismatchError extends InputError {
  /** The file concerned. */
  override readonly path: string;
  /** What does not fit, with both values; its `reason` is the error's. */
  readonly mismatch: CodecMismatch;

  /**
   * Create a mismatch error about `path`.
   *
   * @param path The POD5, token or checkpoint file concerned.
   * @param message What does not match (the path is prefixed to it).
   * @param mismatch The facts: reason and values.
   */
  constructor(path: string, message: string, mismatch: CodecMismatch) {
    super(message, { path, reason: mismatch.reason });
    this.name = "CodecMismatchError";
    this.path = path;
    this.mismatch = mismatch;
  }
}
