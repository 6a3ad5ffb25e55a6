/**
 * `RequestLimiter`: at most `concurrency` requests are processed at once, at
 * most `queue` more wait (in arrival order), the rest are refused at once
 * with a suggested retry delay.
 *
 * @module
 */
import { QueueFullError } from "./errors.ts";

/** Options of {@linkcode RequestLimiter}. */
export interface RequestLimiterOptions {
  /** Requests processed at once, ≥ 1. */
  readonly concurrency: number;
  /** Requests that may wait for a slot, ≥ 0. */
  readonly queue: number;
}

/** Gives a slot back; calling it again does nothing. */
export type ReleaseSlot = () => void;

interface Waiter {
  readonly grant: (release: ReleaseSlot) => void;
}

/** Weight of the newest hold time in the running mean behind `Retry-After`. */
const HOLD_SMOOTHING = 0.2;
/** The longest `Retry-After` suggested, seconds. */
const MAX_RETRY_AFTER_S = 60;

/**
 * Processing slots with a bounded wait queue.
 *
 * @example
 * ```ts
 * import { RequestLimiter } from "./request_limiter.ts";
 * import { QueueFullError } from "./errors.ts";
 *
 * const limiter = new RequestLimiter({ concurrency: 1, queue: 1 });
 * const first = await limiter.acquire();
 * const second = limiter.acquire(); // waits for the first
 * try {
 *   await limiter.acquire(); // the queue is full
 * } catch (error) {
 *   if (!(error instanceof QueueFullError)) throw error;
 * }
 * first();
 * (await second)();
 * if (limiter.active !== 0 || limiter.queued !== 0) throw new Error("slots leaked");
 * ```
 */
export class RequestLimiter {
  /** Requests processed at once. */
  readonly concurrency: number;
  /** Requests that may wait. */
  readonly queue: number;
  #active = 0;
  readonly #waiting: Waiter[] = [];
  readonly #idleWaiters: (() => void)[] = [];
  #meanHoldMs = 0;

  /**
   * Create a limiter.
   *
   * @param options Concurrency and queue length.
   * @throws {RangeError} When they are not integers, or concurrency < 1 or queue < 0.
   */
  constructor(options: RequestLimiterOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(`Cannot create RequestLimiter: concurrency ${options.concurrency} is not an integer ≥ 1`);
    }
    if (!Number.isInteger(options.queue) || options.queue < 0) {
      throw new RangeError(`Cannot create RequestLimiter: queue ${options.queue} is not an integer ≥ 0`);
    }
    this.concurrency = options.concurrency;
    this.queue = options.queue;
  }

  /** Requests holding a slot. */
  get active(): number {
    return this.#active;
  }

  /** Requests waiting for one. */
  get queued(): number {
    return this.#waiting.length;
  }

  /**
   * Take a slot, waiting in line when all are busy.
   *
   * @param signal Aborting it while waiting leaves the line (the promise rejects with its reason).
   * @returns A promise of the function that gives the slot back.
   * @throws {QueueFullError} At once (a rejected promise) when the line is full.
   */
  acquire(signal?: AbortSignal): Promise<ReleaseSlot> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    if (this.#active < this.concurrency) return Promise.resolve(this.#grant());
    const full = this.refusal();
    if (full !== undefined) return Promise.reject(full);
    return new Promise<ReleaseSlot>((resolve, reject) => {
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(release);
        },
      };
      const onAbort = () => {
        const index = this.#waiting.indexOf(waiter);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  /**
   * What {@linkcode RequestLimiter.acquire} would refuse a request with now:
   * a {@linkcode QueueFullError} when every slot is busy and the line is
   * full, undefined when it would take it (at once or after a wait).
   *
   * @returns The error, or undefined.
   */
  refusal(): QueueFullError | undefined {
    if (this.#active < this.concurrency || this.#waiting.length < this.queue) return undefined;
    return new QueueFullError(
      `Cannot take the request: ${this.#active} requests are being processed and ${this.#waiting.length} ` +
        "are waiting (the server's --concurrency and --queue)",
      this.retryAfterSeconds(),
    );
  }

  /**
   * Wait until no request holds or waits for a slot.
   *
   * @returns A promise that resolves when the limiter is idle (at once if it is).
   */
  idle(): Promise<void> {
    if (this.#active === 0 && this.#waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * A retry delay for a refused request: the mean time a slot is held, times
   * the requests ahead per slot; whole seconds in [1, 60].
   *
   * @returns Seconds.
   */
  retryAfterSeconds(): number {
    const ahead = (this.#active + this.#waiting.length) / this.concurrency;
    const seconds = Math.ceil((this.#meanHoldMs * ahead) / 1000);
    return Math.min(MAX_RETRY_AFTER_S, Math.max(1, seconds));
  }

  #grant(): ReleaseSlot {
    this.#active++;
    const started = performance.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const heldMs = performance.now() - started;
      this.#meanHoldMs = this.#meanHoldMs === 0
        ? heldMs
        : this.#meanHoldMs + HOLD_SMOOTHING * (heldMs - this.#meanHoldMs);
      this.#active--;
      const next = this.#waiting.shift();
      if (next !== undefined) next.grant(this.#grant());
      else if (this.#active === 0) { for (const resolve of this.#idleWaiters.splice(0)) resolve(); }
    };
  }
}
