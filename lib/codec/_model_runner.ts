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
import { WorkerRpc } from "../runtime/worker_rpc.ts";
import { CODEC_WORKER_ERRORS, type CodecWorkerMethods } from "./_worker_protocol.ts";

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

/**
 * Start `count` Deno Workers, each loading `codec`'s checkpoint on a backend
 * of the same name, and check that each loaded the same generator. A Worker
 * that dies fails every job of the runner; a job's error arrives as the class
 * the same job throws in this thread.
 *
 * @param codec The loaded codec (its checkpoint path, sha256 and backend name are used).
 * @param count Number of workers, ≥ 1.
 * @returns The runner; jobs go to the least busy worker.
 * @throws {CodecMismatchError} When a worker loads a different generator (the file changed).
 */
export async function startWorkerRunner(codec: LoadedCodec, count: number): Promise<ModelRunner> {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`Cannot start codec workers: count ${count}`);
  const url = new URL("./_codec_worker.ts", import.meta.url);
  const workers: WorkerRpc<CodecWorkerMethods>[] = [];
  const failAll = (error: Error) => {
    for (const worker of workers) worker.fail(error);
  };
  for (let i = 0; i < count; i++) {
    workers.push(WorkerRpc.start<CodecWorkerMethods>(url, {
      name: `simvqgan-codec-${i}`,
      errorClasses: CODEC_WORKER_ERRORS,
      crashError: (reason) => new Error(`codec worker ${i} failed: ${reason}`),
      onCrash: failAll,
    }));
  }
  try {
    const loaded = await Promise.all(
      workers.map((worker) => worker.call("init", { checkpoint: codec.checkpoint.path, backend: codec.backend.name })),
    );
    const other = loaded.find((reply) => reply.sha256 !== codec.checkpoint.sha256);
    if (other !== undefined) {
      throw new CodecMismatchError(
        codec.checkpoint.path,
        `a codec worker loaded generator sha256 ${other.sha256}, not ${codec.checkpoint.sha256} ` +
          "(the checkpoint changed while loading)",
        { reason: "worker_checkpoint", loaded: other.sha256, expected: codec.checkpoint.sha256 },
      );
    }
  } catch (error) {
    failAll(new Error("codec workers were closed"));
    throw error;
  }
  let roundRobin = 0;
  // The least busy worker; ties go round-robin so that equal loads spread.
  const leastBusy = (): WorkerRpc<CodecWorkerMethods> => {
    let best = workers[roundRobin % workers.length]!;
    for (let k = 0; k < workers.length; k++) {
      const worker = workers[(roundRobin + k) % workers.length]!;
      if (worker.pending < best.pending) best = worker;
    }
    roundRobin++;
    return best;
  };
  return {
    capacity: count * JOBS_PER_WORKER,
    encode: (job) => {
      const windows = job.windows.slice();
      return leastBusy().call("encode", { windows, samples: job.samples }, { transfer: [windows.buffer] });
    },
    decode: (job) => {
      const codes = job.codes.slice();
      return leastBusy().call("decode", { codes, codesPerRow: job.codesPerRow }, {
        transfer: [codes.buffer],
      });
    },
    close: () => {
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
