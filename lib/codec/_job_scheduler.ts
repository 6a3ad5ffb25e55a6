/**
 * The job line of a {@linkcode CodecPool}: each call sharing the pool (an
 * `encodePod5` or `decodeTokens`, a server's request) queues its model jobs
 * in a line of its own; the lines are served in turn, and at most the
 * runner's capacity of jobs are handed to it at once. A call whose abort
 * signal fires loses its jobs at once: those still waiting are never run,
 * and their promises (and those of its jobs already running) reject with the
 * signal's reason. A job already handed to a Worker runs to its end there
 * (a Worker cannot be interrupted within a job); its result is dropped and
 * its place goes to the next job in line. Which job runs when never changes
 * a job's result, so outputs stay byte-identical.
 *
 * When the model runs in this thread, a job that follows
 * {@linkcode YIELD_EVERY_MS} or more of work starts from a fresh task of the
 * event loop, so that timers, I/O and other requests get their turn between
 * jobs (a job's promise chain would otherwise run the next job straight
 * away, starving them for a whole read).
 *
 * @module
 */
import type { DecodeJob, EncodeJob, ModelRunner } from "./_model_runner.ts";

type JobResult = Uint16Array | Float32Array;

/**
 * In this thread, the longest run of jobs without a turn for the event loop,
 * ms (each turn costs a timer, up to 4 ms once timers nest).
 */
export const YIELD_EVERY_MS = 50;

/** What a job dropped before it started gives (nobody reads it). */
const SKIPPED = new Uint16Array(0);

interface Job {
  readonly start: () => Promise<JobResult>;
  readonly resolve: (result: JobResult) => void;
  readonly reject: (reason: unknown) => void;
  settled: boolean;
}

class Line {
  readonly waiting: Job[] = [];
  readonly running = new Set<Job>();
  /** Set once the call is aborted or closed: its later jobs reject with it. */
  failure: { readonly reason: unknown } | undefined;
}

/** Model jobs of many calls on one runner, the calls served in turn. */
export class JobScheduler {
  readonly #runner: ModelRunner;
  readonly #yieldBetweenJobs: boolean;
  readonly #lines: Line[] = [];
  #turn = 0;
  #running = 0;
  #started = 0;
  #closed: Error | undefined;
  #lastTurnMs = performance.now();

  /**
   * Schedule jobs on `runner`.
   *
   * @param runner The runner (its `capacity` bounds the jobs handed to it at once).
   * @param options `inThisThread`: the runner computes in this thread (start each job from a new task).
   */
  constructor(runner: ModelRunner, options: { readonly inThisThread?: boolean } = {}) {
    this.#runner = runner;
    this.#yieldBetweenJobs = options.inThisThread === true;
  }

  /** Jobs handed to the runner so far. */
  get started(): number {
    return this.#started;
  }

  /** Jobs the runner holds now (running, or waiting on a Worker). */
  get running(): number {
    return this.#running;
  }

  /** Jobs waiting in the calls' lines. */
  get waiting(): number {
    return this.#lines.reduce((n, line) => n + line.waiting.length, 0);
  }

  /**
   * A line for one call.
   *
   * @param signal Aborting it drops the call's jobs (their promises reject with its reason).
   * @returns The call's runner; its `close()` ends the line (jobs still waiting are dropped).
   */
  open(signal?: AbortSignal): ModelRunner {
    const line = new Line();
    this.#lines.push(line);
    const onAbort = () => this.#drop(line, signal?.reason);
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    const submit = <T extends JobResult>(start: () => Promise<T>): Promise<T> => {
      if (this.#closed !== undefined) return Promise.reject(this.#closed);
      if (line.failure !== undefined) return Promise.reject(line.failure.reason);
      return new Promise<T>((resolve, reject) => {
        line.waiting.push({ start, resolve: (result) => resolve(result as T), reject, settled: false });
        this.#pump();
      });
    };
    return {
      capacity: this.#runner.capacity,
      encode: (job: EncodeJob) => submit(() => this.#runner.encode(job)),
      decode: (job: DecodeJob) => submit(() => this.#runner.decode(job)),
      close: () => {
        signal?.removeEventListener("abort", onAbort);
        this.#drop(line, new Error("Cannot run the model: the call has ended"));
        const index = this.#lines.indexOf(line);
        if (index >= 0) this.#lines.splice(index, 1);
        return Promise.resolve();
      },
    };
  }

  /**
   * Refuse every job from now on and drop those waiting.
   *
   * @param error What their promises reject with.
   */
  close(error: Error): void {
    this.#closed ??= error;
    for (const line of this.#lines) this.#drop(line, error);
  }

  #drop(line: Line, reason: unknown): void {
    line.failure ??= { reason };
    for (const job of [...line.waiting.splice(0), ...line.running]) {
      if (job.settled) continue;
      job.settled = true;
      job.reject(line.failure.reason);
    }
  }

  #nextLine(): Line | undefined {
    for (let k = 0; k < this.#lines.length; k++) {
      const index = (this.#turn + k) % this.#lines.length;
      const line = this.#lines[index]!;
      if (line.waiting.length > 0) {
        this.#turn = index + 1;
        return line;
      }
    }
    return undefined;
  }

  #pump(): void {
    while (this.#running < this.#runner.capacity) {
      const line = this.#nextLine();
      if (line === undefined) return;
      const job = line.waiting.shift()!;
      this.#running++;
      line.running.add(job);
      const begin = (): Promise<JobResult> | JobResult => {
        if (job.settled) return SKIPPED; // dropped while waiting for its task
        this.#started++;
        return job.start();
      };
      const turn = this.#yieldBetweenJobs && performance.now() - this.#lastTurnMs >= YIELD_EVERY_MS;
      const work = turn
        ? new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => {
          this.#lastTurnMs = performance.now();
          return begin();
        })
        : Promise.resolve().then(begin);
      work.then(
        (result) => {
          if (job.settled) return;
          job.settled = true;
          job.resolve(result);
        },
        (error) => {
          if (job.settled) return;
          job.settled = true;
          job.reject(error);
        },
      ).finally(() => {
        this.#running--;
        line.running.delete(job);
        this.#pump();
      });
    }
  }
}
