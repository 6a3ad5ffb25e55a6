/**
 * Errors of the training area.
 *
 * @module
 */
import { InputError } from "../runtime/errors.ts";

/** A checkpoint is missing, incomplete, damaged or does not fit the model. */
export class CheckpointError extends InputError {
  /**
   * Create a CheckpointError.
   *
   * @param path The checkpoint directory or file.
   * @param message What is wrong.
   * @param options The `cause`, if any.
   */
  constructor(path: string, message: string, options: { cause?: unknown } = {}) {
    super(`${path}: ${message}`, { path, cause: options.cause });
    this.name = "CheckpointError";
  }
}

/** A training Worker failed or crashed; the data-parallel trainer cannot go on. */
export class TrainWorkerError extends Error {
  /** Index of the worker concerned; -1 when it is about the trainer as a whole (e.g. disposed). */
  readonly worker: number;

  /**
   * Create a TrainWorkerError.
   *
   * @param worker Index of the worker, or -1.
   * @param message What happened.
   * @param options The `cause`, if any.
   */
  constructor(worker: number, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "TrainWorkerError";
    this.worker = worker;
  }
}
