/**
 * Data-parallel training on the CPU: `workers` Deno Workers, each with its
 * own tfjs backend and a full replica (generator, discriminator, both AdamW
 * optimizers). Every micro-batch is split into contiguous row ranges, one per
 * replica; each replica computes its gradients, the replicas' gradients are
 * summed (weighted by their share of the rows) before every update, and every
 * replica applies the same update, so the weights stay identical. The
 * windows that form a micro-batch do not depend on the worker count: only
 * who computes which rows does.
 *
 * @module
 */
import type { KernelPlan } from "../model/kernel_plan.ts";
import type { DatasetBatch } from "../data/types.ts";
import type { ComputeBackend } from "../runtime/backend.ts";
import type { Rng } from "../runtime/rng.ts";
import { TrainWorkerError } from "./errors.ts";
import { evaluateHeldOut, type HeldOutMetrics, type Reconstruction } from "./evaluate.ts";
import { WorkerRpc } from "../runtime/worker_rpc.ts";
import { REPLICA_ERRORS, type ReplicaMethods } from "./_replica_protocol.ts";
import { SharedAllReduce } from "./_shared_all_reduce.ts";
import { combineReplicaSteps, type ReplicaStepResult } from "./combine_replica_steps.ts";
import { checkStepInput, stepQuantizers, type StepResult } from "./step.ts";
import type { GanTrainer, StepOptions, TrainerSetup, TrainerState } from "./trainer.ts";

/** Options of {@linkcode ParallelTrainer.create}. */
export interface ParallelTrainerOptions {
  /**
   * Source of the initial weights: every replica starts from this rng's
   * current state exactly as `Trainer.create` would (`rng` is not advanced).
   */
  readonly rng: Rng;
  /** The backend each Worker initialises (by name; wasm or cpu). */
  readonly backend: ComputeBackend;
  /** Number of replicas (Workers), ≥ 1. */
  readonly workers: number;
  /** Override the op implementations (tests). */
  readonly plan?: KernelPlan;
}

/** One contiguous range of rows of a micro-batch. */
export interface RowShare {
  /** First row. */
  readonly start: number;
  /** Rows. */
  readonly count: number;
}

/**
 * Split `rows` rows into `parts` contiguous ranges whose sizes differ by at
 * most one (the larger ones first).
 *
 * @example
 * ```ts
 * import { splitRows } from "./parallel_trainer.ts";
 * const shares = splitRows(5, 2);
 * if (shares[0]!.count !== 3 || shares[1]!.start !== 3 || shares[1]!.count !== 2) throw new Error("unexpected split");
 * ```
 *
 * @param rows Rows to split.
 * @param parts Number of ranges.
 * @returns The ranges, in row order.
 */
export function splitRows(rows: number, parts: number): RowShare[] {
  const base = Math.floor(rows / parts), extra = rows % parts;
  const out: RowShare[] = [];
  let start = 0;
  for (let i = 0; i < parts; i++) {
    const count = base + (i < extra ? 1 : 0);
    out.push({ start, count });
    start += count;
  }
  return out;
}

/**
 * Generator + discriminator training on `workers` replica Workers; the same
 * training as the in-process `Trainer` up to float summation order.
 *
 * @example Two replicas train a tiny model
 * ```ts
 * import { ParallelTrainer } from "./parallel_trainer.ts";
 * import { initBackend } from "../runtime/backend.ts";
 * import { parseConfig } from "../runtime/config.ts";
 * import { Rng } from "../runtime/rng.ts";
 *
 * const config = parseConfig({
 *   model: {
 *     enc_channels: [8, 8], enc_down_strides: [4], dec_channels: [8, 8], dec_up_strides: [4],
 *     latent_dim: 8, codebook_size: 16, discriminator: { channels: [8], strides: [2] },
 *   },
 * });
 * const trainer = await ParallelTrainer.create(
 *   { model: config.model, train: config.train, windowSamples: 32, outputActivation: "linear" },
 *   { rng: Rng.fromSeed(config.seed), backend: await initBackend("wasm"), workers: 2 },
 * );
 * const { metrics } = await trainer.step([new Float32Array(4 * 32).fill(0.5)], 1); // 2 windows per replica
 * await trainer.dispose();
 * if (!Number.isFinite(metrics.reconstruct_loss)) throw new Error("no loss");
 * ```
 */
export class ParallelTrainer implements GanTrainer {
  /** The setup every replica was built from. */
  readonly setup: TrainerSetup;
  /** Number of replicas. */
  readonly workers: number;
  readonly #replicas: WorkerRpc<ReplicaMethods>[] = [];
  #buffer: SharedArrayBuffer | null = null;
  #nextReconstruct = 0;
  #failure: Error | undefined;

  private constructor(setup: TrainerSetup, workers: number) {
    this.setup = setup;
    this.workers = workers;
  }

  /**
   * Start the Workers and build one replica in each (they inherit this
   * process's permissions; wasm needs read access to its binary).
   *
   * @param setup Config sections, window length and output head.
   * @param options Rng, backend, worker count, kernel plan.
   * @returns The trainer, once every replica is ready.
   * @throws {BackendError} When a Worker cannot initialise the backend.
   */
  static async create(setup: TrainerSetup, options: ParallelTrainerOptions): Promise<ParallelTrainer> {
    const { workers } = options;
    if (!Number.isInteger(workers) || workers < 1) {
      throw new RangeError(`Cannot start parallel trainer: ${workers} workers`);
    }
    const trainer = new ParallelTrainer(setup, workers);
    try {
      const rngState = options.rng.state();
      for (let i = 0; i < workers; i++) trainer.#spawn(i);
      const ready = await trainer.#all("init", (index) => ({
        setup,
        rngState,
        backend: options.backend.name,
        plan: options.plan,
        index,
        replicas: workers,
      }));
      const capacity = Math.max(0, ...ready.map((reply) => reply.gradientValues));
      const buffer = SharedAllReduce.allocate(workers, capacity);
      trainer.#buffer = buffer;
      await trainer.#all("attach", () => ({ buffer }));
    } catch (error) {
      await trainer.dispose();
      throw error;
    }
    return trainer;
  }

  /**
   * One optimizer step over `microBatches`, each split across the replicas.
   *
   * @param microBatches Row-major `[batch, windowSamples]` arrays, all the same
   *   size, at least one row per worker.
   * @param step The 1-based number of this step.
   * @param options `quantizers`: the stages K each micro-batch uses (default all N), sent to every replica.
   * @returns Metrics and per-micro-batch code counts.
   * @throws {TrainWorkerError} When a Worker fails; the trainer is then unusable.
   */
  async step(microBatches: readonly Float32Array[], step: number, options: StepOptions = {}): Promise<StepResult> {
    const w = this.setup.windowSamples;
    const rows = checkStepInput(microBatches, { step, windowSamples: w });
    const quantizers = stepQuantizers(options.quantizers, {
      microBatches: microBatches.length,
      numQuantizers: this.setup.model.num_quantizers,
    });
    if (rows < this.workers) {
      throw new RangeError(
        `Cannot train: ${this.workers} workers need at least ${this.workers} windows per micro-batch (got ${rows})`,
      );
    }
    const shares = splitRows(rows, this.workers);
    const fractions = shares.map((s) => s.count / rows);
    const parts: ReplicaStepResult[] = await Promise.all(shares.map((share, i) => {
      const slices = microBatches.map((mb) => mb.slice(share.start * w, (share.start + share.count) * w));
      return this.#call(i, "step", { step, microBatches: slices, quantizers, fraction: fractions[i]! }, {
        fatal: true,
        transfer: slices.map((s) => s.buffer),
      });
    }));
    const first = parts[0]!;
    for (const [i, part] of parts.entries()) {
      if (
        part.generatorGradNorm !== first.generatorGradNorm ||
        part.discriminatorGradNorm !== first.discriminatorGradNorm
      ) {
        const error = new TrainWorkerError(i, `Cannot train: replica ${i} applied a different update than replica 0`);
        this.#fail(error);
        throw error;
      }
    }
    return combineReplicaSteps(parts, { fractions, lossWeights: this.setup.train.loss_weights });
  }

  /** Copy the weights, moments and optimizer step counts out (of replica 0; all are the same). */
  async exportState(): Promise<TrainerState> {
    return await this.#call(0, "export", null, { fatal: false });
  }

  /**
   * Copy every replica's state out, in replica order (to check that they agree).
   *
   * @returns One state per replica.
   */
  async exportReplicaStates(): Promise<TrainerState[]> {
    return await this.#all("export", () => null, { fatal: false });
  }

  /**
   * Restore a state (from any worker count) into every replica; each checks
   * names and shapes before anything changes.
   *
   * @param state A previously exported state.
   * @throws {ParamStateError} When a name is missing or unknown or a shape differs.
   */
  async importState(state: TrainerState): Promise<void> {
    await this.#all("import", () => ({ state }), { fatal: false });
  }

  /**
   * Score held-out batches: the replicas reconstruct them in parallel, this
   * thread scores them in order (the same numbers as on one replica).
   *
   * @param batches Held-out batches.
   * @returns The held-out metrics.
   */
  evaluate(batches: readonly DatasetBatch[]): Promise<HeldOutMetrics> {
    return evaluateHeldOut({
      codebookSize: this.setup.model.codebook_size,
      numQuantizers: this.setup.model.num_quantizers,
      reconstruct: (batch) => this.#reconstruct(batch),
    }, batches);
  }

  /** Stop the Workers; pending requests reject. */
  dispose(): Promise<void> {
    this.#fail(new TrainWorkerError(-1, "Cannot use parallel trainer: it was disposed"));
    return Promise.resolve();
  }

  #reconstruct(batch: DatasetBatch): Promise<Reconstruction> {
    const index = this.#nextReconstruct++ % this.workers;
    const { values, batchSize, windowSamples } = batch;
    return this.#call(index, "reconstruct", { values, batchSize, windowSamples }, { fatal: false });
  }

  #spawn(index: number): void {
    this.#replicas.push(WorkerRpc.start<ReplicaMethods>(new URL("./_replica_worker.ts", import.meta.url), {
      errorClasses: REPLICA_ERRORS,
      foreignError: (error) =>
        new TrainWorkerError(index, `Cannot train: training worker ${index}: ${error.name}: ${error.message}`),
      crashError: (reason) =>
        new TrainWorkerError(
          index,
          reason === "it sent a message that cannot be read"
            ? `Cannot train: training worker ${index} sent an unreadable message`
            : `Cannot train: training worker ${index} crashed: ${reason}`,
        ),
      onCrash: (error) => this.#fail(error),
    }));
  }

  #all<K extends keyof ReplicaMethods & string>(
    method: K,
    params: (index: number) => ReplicaMethods[K]["params"],
    options: { fatal: boolean } = { fatal: true },
  ): Promise<ReplicaMethods[K]["result"][]> {
    return Promise.all(this.#replicas.map((_, i) => this.#call(i, method, params(i), options)));
  }

  /** One call; a failed `fatal` call leaves the replicas out of step, so it stops them all. */
  async #call<K extends keyof ReplicaMethods & string>(
    index: number,
    method: K,
    params: ReplicaMethods[K]["params"],
    options: { fatal: boolean; transfer?: Transferable[] },
  ): Promise<ReplicaMethods[K]["result"]> {
    if (this.#failure !== undefined) throw this.#failure;
    try {
      return await this.#replicas[index]!.call(method, params, { transfer: options.transfer ?? [] });
    } catch (error) {
      if (options.fatal && error instanceof Error) this.#fail(error);
      throw error;
    }
  }

  /** Stop everything: release replicas waiting in an all-reduce, terminate the Workers, reject what is pending. */
  #fail(error: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    if (this.#buffer !== null) SharedAllReduce.abort(this.#buffer);
    for (const replica of this.#replicas) replica.fail(error);
  }
}
