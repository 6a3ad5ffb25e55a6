/**
 * `CodecPool`: a long-lived place to run a codec's model, shared by many
 * `encodePod5` / `decodeTokens` calls (a server's
 * requests), instead of the Workers each call starts and stops on its own.
 *
 * @module
 */
import type { LoadedCodec } from "./load_codec.ts";
import { type ModelRunner, startRunner } from "./_model_runner.ts";
import { JobScheduler } from "./_job_scheduler.ts";

/** Options of {@linkcode CodecPool.start}. */
export interface CodecPoolOptions {
  /**
   * Deno Workers running the model, each loading the codec's checkpoint on a
   * backend of the same name; 0 (default): the calling thread, one job at a
   * time.
   */
  readonly workers?: number;
}

/** Options of {@linkcode CodecPool.runnerFor}. */
export interface RunnerForOptions {
  /** Aborting it drops the call's model jobs: those not started never run, and its waits reject at once. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * The model of one {@linkcode LoadedCodec}, running in this thread or on a
 * pool of Workers that stay up until {@linkcode CodecPool.close}. Pass it as
 * the `pool` option of `encodePod5` and `decodeTokens`: concurrent calls
 * share its workers, taking turns job by job (a long call does not hold up a
 * short one), and each call's output is byte-identical to a call without a
 * pool (for any worker count). A call whose `signal` aborts stops at once:
 * its jobs still waiting are dropped, and those already on a Worker (at most
 * two per Worker, each a group of 16 windows) finish there, unused.
 *
 * @example Two encodes on one pool of Workers
 * ```ts
 * import { CodecPool } from "./codec_pool.ts";
 * import { encodePod5 } from "./encode_pod5.ts";
 * import { loadCodec } from "./load_codec.ts";
 * import { assertEquals } from "@std/assert";
 * import { TINY_CODEC_CONFIG, writeGeneratorCheckpoint } from "../checkpoint/write_generator_checkpoint.ts";
 *
 * const DORADO_5KHZ = "tests/fixtures/pod5/dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5";
 * const dir = await Deno.makeTempDir();
 * await writeGeneratorCheckpoint(dir, { config: TINY_CODEC_CONFIG, step: 1 }); // random weights: enough to run
 * const codec = await loadCodec(dir, { backend: "wasm" });
 * {
 *   await using pool = await CodecPool.start(codec, { workers: 1 });
 *   await Promise.all([
 *     encodePod5(DORADO_5KHZ, `${dir}/a.tokens`, { codec, pool }),
 *     encodePod5(DORADO_5KHZ, `${dir}/b.tokens`, { codec, pool }),
 *   ]);
 * }
 * const [a, b] = [await Deno.readFile(`${dir}/a.tokens`), await Deno.readFile(`${dir}/b.tokens`)];
 * assertEquals(a, b); // byte-identical
 * codec.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class CodecPool {
  /** The codec whose model the pool runs. */
  readonly codec: LoadedCodec;
  /** Workers running it (0: the calling thread). */
  readonly workers: number;
  readonly #runner: ModelRunner;
  readonly #scheduler: JobScheduler;
  #closed = false;

  private constructor(codec: LoadedCodec, workers: number, runner: ModelRunner) {
    this.codec = codec;
    this.workers = workers;
    this.#runner = runner;
    this.#scheduler = new JobScheduler(runner, { inThisThread: workers === 0 });
  }

  /** Model jobs (groups of windows) handed to the workers so far, by all calls. */
  get jobsStarted(): number {
    return this.#scheduler.started;
  }

  /** Model jobs the workers hold now (running, or next in a Worker's queue). */
  get jobsRunning(): number {
    return this.#scheduler.running;
  }

  /**
   * Start a pool for `codec`.
   *
   * @param codec The loaded codec.
   * @param options Worker count (default 0: this thread).
   * @returns The pool, ready (every worker has loaded the same generator).
   * @throws {RangeError} When `workers` is not a non-negative integer.
   * @throws {CodecMismatchError} When a worker loads a different generator (the checkpoint changed).
   */
  static async start(codec: LoadedCodec, options: CodecPoolOptions = {}): Promise<CodecPool> {
    const workers = options.workers ?? 0;
    return new CodecPool(codec, workers, await startRunner(codec, workers));
  }

  /**
   * The runner the pipelines submit jobs to; it rejects jobs once the pool is
   * closed.
   *
   * @internal Used by `encodePod5` and `decodeTokens`.
   * @param codec The codec of the call (it must be the pool's).
   * @param options The call's abort signal.
   * @returns The call's runner on the shared workers; its `close()` ends the call's line, not the pool.
   * @throws {TypeError} When `codec` is not the pool's codec.
   */
  runnerFor(codec: LoadedCodec, options: RunnerForOptions = {}): ModelRunner {
    if (codec !== this.codec) {
      throw new TypeError(
        `Cannot use the codec pool: it runs checkpoint sha256 ${this.codec.checkpoint.sha256}, ` +
          "not the codec of this call",
      );
    }
    return this.#scheduler.open(options.signal);
  }

  /** Stop the workers; jobs still running or waiting are rejected. Calling it again does nothing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#scheduler.close(new Error("Cannot run the model: the codec pool is closed"));
    await this.#runner.close();
  }

  /** {@linkcode CodecPool.close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
