/**
 * Where the generator runs: in this thread on a {@linkcode LoadedCodec}, or
 * on a pool of Deno Workers that each load the same checkpoint on their own
 * backend instance. Jobs are fixed-size groups of windows, so the results
 * do not depend on how many workers there are.
 *
 * @module
 */
import { CodecMismatchError } from "./errors.ts";
import type { LoadedCodec } from "./load_codec.ts";
import type { WorkerReply, WorkerRequest } from "./_worker_protocol.ts";

/** Normalised windows to encode, row-major `[rows, samples]`. */
export interface EncodeJob {
  readonly windows: Float32Array;
  readonly samples: number;
}

/** Codes to decode, row-major `[rows, codesPerRow]`. */
export interface DecodeJob {
  readonly codes: Uint16Array;
  readonly codesPerRow: number;
}

/** Runs encode and decode jobs. */
export interface ModelRunner {
  /** Parallel jobs it can usefully hold (queue depth for the pipelines). */
  readonly capacity: number;
  /** Encode windows → codes `[rows, samples / hop]`. */
  encode(job: EncodeJob): Promise<Uint16Array>;
  /** Decode codes → normalised windows `[rows, codesPerRow · hop]`. */
  decode(job: DecodeJob): Promise<Float32Array>;
  /** Stop (workers are terminated). */
  close(): Promise<void>;
}

/**
 * Jobs run one after another on `codec`, in this thread.
 *
 * @param codec The loaded codec.
 * @returns The runner.
 */
export function inProcessRunner(codec: LoadedCodec): ModelRunner {
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const task = queue.then(work);
    queue = task.catch(() => undefined);
    return task;
  };
  return {
    capacity: 1,
    encode: (job) => serial(() => codec.encodeWindows(job.windows, job.samples)),
    decode: (job) => serial(() => codec.decodeCodes(job.codes, job.codesPerRow)),
    close: () => Promise.resolve(),
  };
}

/** Jobs each worker may hold at once (one running, one waiting, so it never idles between jobs). */
const JOBS_PER_WORKER = 2;

interface Pending {
  readonly resolve: (value: Uint16Array | Float32Array) => void;
  readonly reject: (error: Error) => void;
}

class WorkerSlot {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();

  constructor(worker: Worker) {
    this.worker = worker;
  }
}

/**
 * Start `count` Deno Workers, each loading `codec`'s checkpoint on a backend
 * of the same name, and check that each loaded the same generator.
 *
 * @param codec The loaded codec (its checkpoint path, sha256 and backend name are used).
 * @param count Number of workers, ≥ 1.
 * @returns The runner; jobs go to the least busy worker.
 * @throws {CodecMismatchError} When a worker loads a different generator (the file changed).
 */
export async function startWorkerRunner(codec: LoadedCodec, count: number): Promise<ModelRunner> {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`Cannot start codec workers: count ${count}`);
  const url = new URL("./_codec_worker.ts", import.meta.url).href;
  const slots: WorkerSlot[] = [];
  let nextId = 1;
  let failure: Error | undefined;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const slot of slots) {
      for (const pending of slot.pending.values()) pending.reject(error);
      slot.pending.clear();
    }
  };
  const starts: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const slot = new WorkerSlot(new Worker(url, { type: "module", name: `simvqgan-codec-${i}` }));
    slots.push(slot);
    starts.push(
      new Promise<void>((resolve, reject) => {
        slot.worker.onmessage = (event: MessageEvent<WorkerReply>) => {
          const reply = event.data;
          if (reply.kind === "ready") {
            if (reply.sha256 !== codec.checkpoint.sha256) {
              reject(
                new CodecMismatchError(
                  codec.checkpoint.path,
                  `a codec worker loaded generator sha256 ${reply.sha256}, not ${codec.checkpoint.sha256} ` +
                    "(the checkpoint changed while loading)",
                ),
              );
            } else resolve();
            return;
          }
          if (reply.kind === "failed") {
            const error = new Error(reply.message);
            reject(error);
            failAll(error);
            return;
          }
          const pending = slot.pending.get(reply.id);
          if (pending === undefined) return;
          slot.pending.delete(reply.id);
          if (reply.kind === "error") pending.reject(new Error(reply.message));
          else pending.resolve(reply.result);
        };
        slot.worker.onerror = (event: ErrorEvent) => {
          event.preventDefault();
          const error = new Error(`codec worker ${i} failed: ${event.message}`);
          reject(error);
          failAll(error);
        };
      }),
    );
    const init: WorkerRequest = { kind: "init", checkpoint: codec.checkpoint.path, backend: codec.backend.name };
    slot.worker.postMessage(init);
  }
  try {
    await Promise.all(starts);
  } catch (error) {
    for (const slot of slots) slot.worker.terminate();
    throw error;
  }
  let roundRobin = 0;
  const submit = <T extends Uint16Array | Float32Array>(
    request: WorkerRequest,
    transfer: ArrayBuffer[],
  ): Promise<T> => {
    if (failure !== undefined) return Promise.reject(failure);
    // The least busy worker; ties go round-robin so that equal loads spread.
    let best = slots[roundRobin % slots.length]!;
    for (let k = 0; k < slots.length; k++) {
      const slot = slots[(roundRobin + k) % slots.length]!;
      if (slot.pending.size < best.pending.size) best = slot;
    }
    roundRobin++;
    const id = "id" in request ? request.id : 0;
    return new Promise<T>((resolve, reject) => {
      best.pending.set(id, { resolve: (v) => resolve(v as T), reject });
      best.worker.postMessage(request, transfer);
    });
  };
  return {
    capacity: count * JOBS_PER_WORKER,
    encode: (job) => {
      const windows = job.windows.slice();
      return submit<Uint16Array>({ kind: "encode", id: nextId++, windows, samples: job.samples }, [windows.buffer]);
    },
    decode: (job) => {
      const codes = job.codes.slice();
      return submit<Float32Array>({ kind: "decode", id: nextId++, codes, codesPerRow: job.codesPerRow }, [
        codes.buffer,
      ]);
    },
    close: () => {
      for (const slot of slots) slot.worker.terminate();
      failAll(new Error("codec workers were closed"));
      return Promise.resolve();
    },
  };
}

/**
 * The runner for a worker count: 0 runs in this thread, N ≥ 1 starts N workers.
 *
 * @param codec The loaded codec.
 * @param workers Worker count.
 * @returns The runner.
 */
export async function startRunner(codec: LoadedCodec, workers: number): Promise<ModelRunner> {
  if (!Number.isInteger(workers) || workers < 0) {
    throw new RangeError(`Cannot start the codec: workers must be a non-negative integer, got ${workers}`);
  }
  return workers === 0 ? inProcessRunner(codec) : await startWorkerRunner(codec, workers);
}
