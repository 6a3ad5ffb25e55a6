/**
 * Who does the loader's work — describing files and running work units: the
 * calling thread (`workers: 0`) or a pool of Deno Workers. The dataset
 * consumes results in the order it asked for them, so the stream never
 * depends on which loader ran what.
 *
 * @module
 */
import { describeFile, type FileSummary } from "./_file_plan.ts";
import { DatasetWorkerError } from "./errors.ts";
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

/** A message from the dataset to a loader worker (`init` comes first, once). */
export type WorkerRequest =
  | { readonly kind: "init"; readonly openReaders: number }
  | { readonly kind: "describe"; readonly id: number; readonly path: string }
  | { readonly kind: "unit"; readonly id: number; readonly unit: WorkUnit };

/** A message from a loader worker to the dataset. */
export type WorkerReply =
  | { readonly kind: "summary"; readonly id: number; readonly summary: FileSummary }
  | { readonly kind: "result"; readonly id: number; readonly result: UnitResult }
  | { readonly kind: "failed"; readonly id: number; readonly message: string };

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

interface Pending {
  readonly path: string;
  readonly resolve: (reply: WorkerReply) => void;
  readonly reject: (error: Error) => void;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

/** Runs loader work on `count` Deno Workers, each request on the least busy one. */
export class WorkerPoolRunner implements UnitRunner {
  readonly #workers: PoolWorker[] = [];
  #nextId = 0;
  #failure: Error | undefined;

  /**
   * Start the workers. They inherit the parent's permissions (they need read access to the data).
   *
   * @param count Number of workers, ≥ 1.
   * @param openReaders Files each worker keeps open between units (see `ReaderCache`). Default 2.
   */
  constructor(count: number, openReaders = 2) {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(new URL("./_dataset_worker.ts", import.meta.url), { type: "module" });
      const entry: PoolWorker = { worker, pending: new Map() };
      worker.onmessage = (event: MessageEvent<WorkerReply>) => this.#onReply(entry, event.data);
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        this.#fail(entry, `loader worker ${i} crashed: ${event.message}`);
      };
      worker.onmessageerror = () => this.#fail(entry, `loader worker ${i} sent a message that cannot be read`);
      const init: WorkerRequest = { kind: "init", openReaders };
      worker.postMessage(init);
      this.#workers.push(entry);
    }
  }

  /** Describe a file on the least busy worker (it answers before its queued units). */
  async describe(path: string): Promise<FileSummary> {
    const reply = await this.#request(path, (id) => ({ kind: "describe", id, path }));
    if (reply.kind !== "summary") throw new DatasetWorkerError(path, `loader worker replied ${reply.kind} to describe`);
    return reply.summary;
  }

  /** Run a unit on the least busy worker. */
  async run(unit: WorkUnit): Promise<UnitResult> {
    const reply = await this.#request(unit.path, (id) => ({ kind: "unit", id, unit }));
    if (reply.kind !== "result") {
      throw new DatasetWorkerError(unit.path, `loader worker replied ${reply.kind} to a unit`);
    }
    return reply.result;
  }

  /** Terminate the workers at once; pending work rejects. */
  close(): Promise<void> {
    this.#failure ??= closedError(undefined);
    for (const entry of this.#workers) {
      entry.worker.terminate();
      this.#rejectAll(entry, this.#failure);
    }
    this.#workers.length = 0;
    return Promise.resolve();
  }

  #request(path: string, message: (id: number) => WorkerRequest): Promise<WorkerReply> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    let target = this.#workers[0]!;
    for (const entry of this.#workers) if (entry.pending.size < target.pending.size) target = entry;
    const id = this.#nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      target.pending.set(id, { path, resolve, reject });
      target.worker.postMessage(message(id));
    });
  }

  #onReply(entry: PoolWorker, reply: WorkerReply): void {
    const pending = entry.pending.get(reply.id);
    if (pending === undefined) return;
    entry.pending.delete(reply.id);
    if (reply.kind === "failed") pending.reject(new DatasetWorkerError(pending.path, reply.message));
    else pending.resolve(reply);
  }

  #fail(entry: PoolWorker, message: string): void {
    const path = entry.pending.values().next().value?.path;
    this.#failure ??= new DatasetWorkerError(path, message);
    this.#rejectAll(entry, this.#failure);
  }

  #rejectAll(entry: PoolWorker, error: Error): void {
    for (const pending of entry.pending.values()) pending.reject(error);
    entry.pending.clear();
  }
}
