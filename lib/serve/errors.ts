/**
 * Errors of the server: a request that gets a given HTTP status, a body that
 * arrived too slowly, and a full queue.
 *
 * @module
 */

/** A request refused with an HTTP status and a one-line reason (sent as `{ "error", "status" }`). */
export class HttpError extends Error {
  /** The HTTP status, 4xx or 5xx. */
  readonly status: number;
  /** Extra response headers (`Allow`, `Retry-After`, `WWW-Authenticate`). */
  readonly headers: Readonly<Record<string, string>>;

  /**
   * Create an HTTP error.
   *
   * @param status The status, 400–599.
   * @param message The reason, one line in std's style ("Cannot encode: ...").
   * @param options Extra headers and the `cause`, if any.
   * @throws {RangeError} When `status` is not an error status.
   */
  constructor(
    status: number,
    message: string,
    options: { headers?: Readonly<Record<string, string>>; cause?: unknown } = {},
  ) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`Cannot create HttpError: status ${status} is not 400-599`);
    }
    super(message, { cause: options.cause });
    this.name = "HttpError";
    this.status = status;
    this.headers = options.headers ?? {};
  }
}

/** A body that stopped arriving, or arrived too slowly: 408. */
export class BodyTimeoutError extends HttpError {
  /**
   * Settles once the body has been let go of: to true when the server can
   * then drop the connection, false when the client sent nothing more in
   * time (its connection stays open until it closes it).
   */
  readonly released: Promise<boolean>;

  /**
   * Create a body timeout error.
   *
   * @param message The reason, with the bytes received and the time taken.
   * @param released Settles once the body has been let go of (default: at once, true).
   */
  constructor(message: string, released: Promise<boolean> = Promise.resolve(true)) {
    super(408, message);
    this.name = "BodyTimeoutError";
    this.released = released;
  }
}

/** Every processing slot is busy and the queue of waiting requests is full. */
export class QueueFullError extends Error {
  /** Seconds after which a retry is likely to find room (the `Retry-After` header). */
  readonly retryAfterSeconds: number;

  /**
   * Create a queue-full error.
   *
   * @param message What is full.
   * @param retryAfterSeconds The suggested wait, whole seconds ≥ 1.
   */
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.name = "QueueFullError";
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
