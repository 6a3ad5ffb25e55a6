/**
 * Who does the loader's work — describing files and running work units: the
 * calling thread (`workers: 0`) or a pool of Deno Workers. The dataset
 * consumes results in the order it asked for them, so the stream never
 * depends on which loader ran what.
 *
 * @module
 */
import { Pod5Error, Pod5FormatError, Pod5ReadNotFoundError, VbzError } from "../pod5/errors.ts";
import { InputError } from "../runtime/errors.ts";
import { type ErrorClass, type RpcCallOptions, WorkerRpc } from "../runtime/worker_rpc.ts";
import { describeFile, type FileSummary } from "./_file_plan.ts";
import { DatasetWorkerError, DataSourceError } from "./errors.ts";
import { ReaderCache } from "./_reader_cache.ts";
import { processUnit, type UnitResult, type WorkUnit } from "./_work_unit.ts";

/** Runs loader work. */
export interface UnitRunner {
  /** Describe a file's reads (metadata only). */
  describe(path: string): Promise<FileSummary>;
  /** Decode, normalise and cut a unit's reads. */
  run(unit: WorkUnit): Promise<UnitResult>;
  /** Stop: terminate workers, close files; pending work rejects. */
  close(): Promise<void>;
}

/** A loader worker's methods (`_dataset_worker.ts`). */
export type LoaderWorkerMethods = {
  /** Set how many files the worker keeps open; comes first, once. */
  readonly init: { readonly params: { readonly openReaders: number }; readonly result: null };
  /** Describe a file (answered at once, not after the queued units). */
  readonly describe: { readonly params: { readonly path: string }; readonly result: FileSummary };
  /** Decode, normalise and cut a unit's reads. */
  readonly unit: { readonly params: { readonly unit: WorkUnit }; readonly result: UnitResult };
};

/** The classes a loader worker's errors are rebuilt as (what the same work throws in this thread). */
export const LOADER_WORKER_ERRORS: readonly ErrorClass[] = [
  DataSourceError,
  DatasetWorkerError,
  Pod5FormatError,
  Pod5ReadNotFoundError,
  Pod5Error,
  VbzError,
  InputError,
];

/** Runs everything one step after another on the calling thread. */
export class InlineRunner implements UnitRunner {
  readonly #readers: ReaderCache;
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;

  /**
   * Create an InlineRunner.
   *
   * @param openReaders Files kept open between units (see `ReaderCache`). Default 2.
   */
  constructor(openReaders?: number) {
    this.#readers = new ReaderCache(openReaders);
  }

  /** Describe a file now, not behind queued units: the planner waits for it. */
  describe(path: string): Promise<FileSummary> {
    // Not queued behind units: a description reads only the reads table, and the planner waits for it.
    if (this.#closed) return Promise.reject(closedError(path));
    return describeFile(path, this.#readers);
  }

  /** Run a unit after the ones already queued. */
  run(unit: WorkUnit): Promise<UnitResult> {
    return this.#enqueue(unit.path, () => processUnit(unit, this.#readers));
  }

  /** Refuse new work, let queued units finish, close the files. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#tail;
    await this.#readers.close();
  }

  #enqueue<T>(path: string, step: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(() => {
      if (this.#closed) throw closedError(path);
      return step();
    });
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

function closedError(path: string | undefined): DatasetWorkerError {
  return new DatasetWorkerError(path, "Cannot load windows: the dataset was closed");
}

/** Runs loader work on `count` Deno Workers, each request on the least busy one. */
export class WorkerPoolRunner implements UnitRunner {
  readonly #workers: WorkerRpc<LoaderWorkerMethods>[] = [];
  #failure: Error | undefined;

  /**
   * Start the workers. They inherit the parent's permissions (they need read access to the data).
   *
   * @param count Number of workers, ≥ 1.
   * @param openReaders Files each worker keeps open between units (see `ReaderCache`). Default 2.
   */
  constructor(count: number, openReaders = 2) {
    const url = new URL("./_dataset_worker.ts", import.meta.url);
    for (let i = 0; i < count; i++) {
      const worker = WorkerRpc.start<LoaderWorkerMethods>(url, {
        errorClasses: LOADER_WORKER_ERRORS,
        crashError: (reason) => new DatasetWorkerError(undefined, `loader worker ${i} crashed: ${reason}`),
        onCrash: (error) => {
          this.#failure ??= error;
        },
      });
      // A failed init shows as the failure of the first request.
      worker.call("init", { openReaders }).catch((error: Error) => worker.fail(error));
      this.#workers.push(worker);
    }
  }

  /** Describe a file on the least busy worker (it answers before its queued units). */
  describe(path: string): Promise<FileSummary> {
    return this.#request(path, (worker, options) => worker.call("describe", { path }, options));
  }

  /** Run a unit on the least busy worker. */
  run(unit: WorkUnit): Promise<UnitResult> {
    return this.#request(unit.path, (worker, options) => worker.call("unit", { unit }, options));
  }

  /** Terminate the workers at once; pending work rejects. */
  close(): Promise<void> {
    this.#failure ??= closedError(undefined);
    for (const worker of this.#workers) worker.fail(this.#failure);
    this.#workers.length = 0;
    return Promise.resolve();
  }

  #request<T>(
    path: string,
    send: (worker: WorkerRpc<LoaderWorkerMethods>, options: RpcCallOptions) => Promise<T>,
  ): Promise<T> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    let target = this.#workers[0]!;
    for (const worker of this.#workers) if (worker.pending < target.pending) target = worker;
    // An error of a class the loader does not know names the file it was working on.
    return send(target, { foreignError: (error) => new DatasetWorkerError(path, error.message) });
  }
}
