/**
 * Errors raised while reading or writing FAST5 files.
 *
 * @module
 */
import { InputError } from "../runtime/errors.ts";

/** A FAST5 file cannot be read or written; always names the file. */
export class Fast5Error extends InputError {
  /** The FAST5 file concerned. */
  override readonly path: string;

  /**
   * Create an error about `path`.
   *
   * @param path The FAST5 file.
   * @param message What is wrong (the path is prefixed to it).
   * @param options The `reason` (default `fast5`) and the `cause`, if any.
   */
  constructor(path: string, message: string, options: { reason?: string; cause?: unknown } = {}) {
    super(message, { path, reason: options.reason ?? "fast5", cause: options.cause });
    this.name = "Fast5Error";
    this.path = path;
  }
}

/** A read's signal is stored with an HDF5 filter this library cannot undo (VBZ, for one). */
export class Fast5FilterError extends Fast5Error {
  /** The HDF5 filter id, e.g. 32020 for VBZ. */
  readonly filterId: number;

  /**
   * Create a filter error.
   *
   * @param path The FAST5 file.
   * @param filterId The filter's id.
   * @param message What is wrong and how to repack the file.
   */
  constructor(path: string, filterId: number, message: string) {
    super(path, message, { reason: "fast5_filter" });
    this.name = "Fast5FilterError";
    this.filterId = filterId;
  }
}
