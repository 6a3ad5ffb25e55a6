/**
 * Errors raised by the data area: finding input files and running the loader.
 *
 * @module
 */
import { InputError } from "../runtime/errors.ts";

/** The data source is unusable: a missing root, a folder without POD5 files, a listed file that is absent. */
export class DataSourceError extends InputError {
  /** The folder or file concerned. */
  override readonly path: string;

  /**
   * Create a DataSourceError.
   *
   * @param path The folder or file.
   * @param message What is wrong (the path is prefixed to it).
   * @param options The `cause`, if any.
   */
  constructor(path: string, message: string, options: { cause?: unknown } = {}) {
    super(message, { path, reason: "data_source", cause: options.cause });
    this.name = "DataSourceError";
    this.path = path;
  }
}

/**
 * A loader worker failed outside the per-read error handling (a bug or a
 * crash, not bad data: bad data is a warning). Names the file it was working on.
 */
export class DatasetWorkerError extends Error {
  /** The POD5 file the worker was reading, when known. */
  readonly path: string | undefined;

  /**
   * Create a DatasetWorkerError.
   *
   * @param path The file of the failed work, if known.
   * @param message What failed.
   * @param options The `cause`, if any.
   */
  constructor(path: string | undefined, message: string, options: { cause?: unknown } = {}) {
    super(path === undefined ? message : `${path}: ${message}`, { cause: options.cause });
    this.name = "DatasetWorkerError";
    this.path = path;
  }
}
