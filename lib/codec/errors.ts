/**
 * Errors of the codec: token files that are not what they claim, and
 * checkpoints or reads that do not fit the codec.
 *
 * @module
 */
import { InputError } from "../runtime/errors.ts";

/** A token file is missing, truncated, damaged or not a token file; always names the file. */
export class TokenFileError extends InputError {
  /** The token file concerned. */
  override readonly path: string;

  /**
   * Create an error about `path`.
   *
   * @param path The token file.
   * @param message What is wrong (the path is prefixed to it).
   * @param options The `cause`, if any.
   */
  constructor(path: string, message: string, options: { cause?: unknown } = {}) {
    super(`${path}: ${message}`, { path, cause: options.cause });
    this.name = "TokenFileError";
    this.path = path;
  }
}

/** Input that this codec cannot handle: a read at another sample rate, a token file of another checkpoint. */
export class CodecMismatchError extends InputError {
  /** The file concerned. */
  override readonly path: string;

  /**
   * Create a mismatch error about `path`.
   *
   * @param path The POD5, token or checkpoint file concerned.
   * @param message What does not match (the path is prefixed to it).
   */
  constructor(path: string, message: string) {
    super(`${path}: ${message}`, { path });
    this.name = "CodecMismatchError";
    this.path = path;
  }
}
