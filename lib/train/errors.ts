/**
 * Errors of the training area.
 *
 * @module
 */
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
