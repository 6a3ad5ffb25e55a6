/**
 * Errors of the checkpoint layer.
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
  constructor(path: string, message: string, options: { reason?: string; cause?: unknown } = {}) {
    super(message, { path, reason: options.reason ?? "checkpoint", cause: options.cause });
    this.name = "CheckpointError";
  }
}
