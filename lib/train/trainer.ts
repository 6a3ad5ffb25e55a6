/**
 * The trainer: generator, discriminator and their AdamW optimizers built
 * from the config, one step at a time, with all state exportable by stable
 * names for checkpoints and exact resume.
 *
 * @module
 */
import { Codec } from "../model/codec.ts";
import type { OutputActivation } from "../model/decoder.ts";
import { Discriminator } from "../model/discriminator.ts";
import { type KernelPlan, kernelPlanFor } from "../model/kernel_plan.ts";
import type { NamedArray } from "../model/params.ts";
import type { ComputeBackend } from "../runtime/backend.ts";
import type { ModelConfig, TrainConfig } from "../runtime/config_schema.ts";
import type { DatasetBatch } from "../data/types.ts";
import type { Rng } from "../runtime/rng.ts";
import { evaluateHeldOut, type HeldOutMetrics } from "./evaluate.ts";
import { AdamW, adamWConfigFrom, type OptimizerState } from "./optimizer.ts";
import type { ReplicaStepResult } from "./combine_replica_steps.ts";
import { type ReplicaShare, replicaStep, type StepContext, type StepResult, trainStep } from "./step.ts";

/** Everything resume needs from the networks and optimizers, as plain arrays. */
export interface TrainerState {
  /** Generator parameters by name, the frozen codebook (`quantizer/codebook`) included. */
  readonly generator: Map<string, NamedArray>;
  /** Discriminator parameters by name. */
  readonly discriminator: Map<string, NamedArray>;
  /** The generator's AdamW moments and step count. */
  readonly generatorOptimizer: OptimizerState;
  /** The discriminator's AdamW moments and step count. */
  readonly discriminatorOptimizer: OptimizerState;
}

/**
 * What the training loop drives: the in-process {@linkcode Trainer}, or a
 * `ParallelTrainer` whose replicas run in Workers. Both give the same
 * training up to float summation order.
 */
export interface GanTrainer {
  /**
   * One optimizer step over `microBatches`.
   *
   * @param microBatches Row-major `[batch, windowSamples]` arrays, all the same size.
   * @param step The 1-based number of this step.
   * @param options `quantizers`: the stages K each micro-batch uses (default all N).
   * @returns Metrics and per-micro-batch code counts.
   */
  step(microBatches: readonly Float32Array[], step: number, options?: StepOptions): Promise<StepResult>;
  /** Copy all weights, moments and optimizer step counts out. */
  exportState(): Promise<TrainerState>;
  /**
   * Restore a state; all parts are checked before anything changes.
   *
   * @param state A previously exported state (from any worker count).
   */
  importState(state: TrainerState): void | Promise<void>;
  /**
   * Score held-out batches with the current generator.
   *
   * @param batches Held-out batches.
   * @returns The held-out metrics.
   */
  evaluate(batches: readonly DatasetBatch[]): Promise<HeldOutMetrics>;
  /** Release weights, moments and Workers. */
  dispose(): void | Promise<void>;
}

/** Options of {@linkcode GanTrainer.step}. */
export interface StepOptions {
  /**
   * The quantizer stages K (1..N) each micro-batch uses, one per
   * micro-batch (quantizer dropout draws them). Default: all N.
   */
  readonly quantizers?: readonly number[] | undefined;
}

/** What {@linkcode Trainer.create} needs. */
export interface TrainerSetup {
  /** The `model` section. */
  readonly model: ModelConfig;
  /** The `train` section (optimizer, loss weights, disc_start, disc_steps). */
  readonly train: TrainConfig;
  /** Samples per window (`segmentSamples(config.data)`). */
  readonly windowSamples: number;
  /** The decoder's output head (`outputActivationFor(config.data.normalization)`). */
  readonly outputActivation: OutputActivation;
}

/** Options of {@linkcode Trainer.create}. */
export interface TrainerOptions {
  /**
   * Source of the initial weights: the generator is initialised from
   * `rng.fork()`, then the discriminator from the next `rng.fork()`.
   */
  readonly rng: Rng;
  /** The initialised backend; it picks the op implementations. */
  readonly backend: ComputeBackend;
  /** Override the op implementations (tests). */
  readonly plan?: KernelPlan;
}

/**
 * Generator + discriminator training.
 *
 * @example One generator-only step of a tiny model
 * ```ts
 * import { Trainer } from "./trainer.ts";
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
 * const backend = await initBackend("cpu");
 * const trainer = Trainer.create(
 *   { model: config.model, train: config.train, windowSamples: 32, outputActivation: "linear" },
 *   { rng: Rng.fromSeed(config.seed), backend },
 * );
 * const { metrics } = await trainer.step([new Float32Array(2 * 32).fill(0.5)], 1);
 * if (metrics.disc_mask !== 0 || metrics.gan_loss !== null) throw new Error("no discriminator before disc_start");
 * const state = await trainer.exportState(); // weights, moments, step counts
 * trainer.importState(state);
 * trainer.dispose();
 * ```
 */
export class Trainer implements GanTrainer {
  /** The generator (codec). */
  readonly generator: Codec;
  /** The discriminator. */
  readonly discriminator: Discriminator;
  /** The generator's optimizer. */
  readonly generatorOptimizer: AdamW;
  /** The discriminator's optimizer. */
  readonly discriminatorOptimizer: AdamW;
  /** The setup it was built from. */
  readonly setup: TrainerSetup;

  private constructor(setup: TrainerSetup, options: TrainerOptions) {
    const plan = options.plan ?? kernelPlanFor(options.backend.name);
    const hop = setup.model.enc_down_strides.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(setup.windowSamples) || setup.windowSamples < 1 || setup.windowSamples % hop !== 0) {
      throw new RangeError(
        `Cannot build trainer: window of ${setup.windowSamples} samples is not a multiple of the hop ${hop}`,
      );
    }
    this.setup = setup;
    this.generator = new Codec(setup.model, {
      rng: options.rng.fork(),
      plan,
      outputActivation: setup.outputActivation,
    });
    this.discriminator = new Discriminator(setup.model.discriminator, { rng: options.rng.fork(), plan });
    const adam = adamWConfigFrom(setup.train);
    this.generatorOptimizer = new AdamW(this.generator.params, adam);
    this.discriminatorOptimizer = new AdamW(this.discriminator.params, adam);
  }

  /**
   * Build and initialise the networks and optimizers.
   *
   * @param setup Config sections, window length and output head.
   * @param options Rng, backend, optional kernel plan.
   * @returns The trainer.
   */
  static create(setup: TrainerSetup, options: TrainerOptions): Trainer {
    return new Trainer(setup, options);
  }

  /**
   * One optimizer step over `microBatches` (see `trainStep` in `step.ts`):
   * pass `train.grad_accum_steps` micro-batches of `train.batch_size`
   * windows each, or fewer for an epoch's last partial step.
   *
   * @param microBatches Row-major `[batch, windowSamples]` arrays.
   * @param step The 1-based number of this step (decides the disc_start mask).
   * @param options `quantizers`: the stages K each micro-batch uses (default all N).
   * @returns Metrics and per-micro-batch code counts.
   * @throws {RangeError} When the micro-batches, the step or a K is not valid.
   */
  step(microBatches: readonly Float32Array[], step: number, options: StepOptions = {}): Promise<StepResult> {
    return trainStep(this.#context(), { microBatches, step, quantizers: options.quantizers });
  }

  /**
   * This replica's part of a data-parallel step (see `replicaStep` in
   * `step.ts`): its rows of each micro-batch, gradients summed with the
   * other replicas' through `share.reducer` before each update.
   *
   * @param microBatches This replica's rows of each micro-batch, row-major `[rows, windowSamples]`.
   * @param options The 1-based `step`, the replica's `share` and the stages K of each micro-batch.
   * @returns The replica's losses, code counts and gradient norms.
   */
  replicaStep(
    microBatches: readonly Float32Array[],
    options: StepOptions & { readonly step: number; readonly share: ReplicaShare },
  ): Promise<ReplicaStepResult> {
    return replicaStep(this.#context(), { microBatches, ...options });
  }

  /**
   * Score held-out batches with the current generator.
   *
   * @param batches Held-out batches.
   * @returns The held-out metrics.
   */
  evaluate(batches: readonly DatasetBatch[]): Promise<HeldOutMetrics> {
    return evaluateHeldOut(this.generator, batches);
  }

  /** Copy all weights (frozen codebook included), moments and optimizer step counts out. */
  async exportState(): Promise<TrainerState> {
    return {
      generator: await this.generator.exportParams(),
      discriminator: await this.discriminator.exportParams(),
      generatorOptimizer: await this.generatorOptimizer.exportState(),
      discriminatorOptimizer: await this.discriminatorOptimizer.exportState(),
    };
  }

  /**
   * Restore everything {@linkcode Trainer.exportState} returned. All parts
   * are checked (names, shapes) before anything changes.
   *
   * @param state A previously exported state.
   * @throws {ParamStateError} When a name is missing or unknown or a shape differs.
   */
  importState(state: TrainerState): void {
    this.generator.params.checkArrays(state.generator);
    this.discriminator.params.checkArrays(state.discriminator);
    this.generatorOptimizer.checkState(state.generatorOptimizer);
    this.discriminatorOptimizer.checkState(state.discriminatorOptimizer);
    this.generator.importParams(state.generator);
    this.discriminator.importParams(state.discriminator);
    this.generatorOptimizer.importState(state.generatorOptimizer);
    this.discriminatorOptimizer.importState(state.discriminatorOptimizer);
  }

  /** Dispose all weights and moments. */
  dispose(): void {
    this.generatorOptimizer.dispose();
    this.discriminatorOptimizer.dispose();
    this.generator.dispose();
    this.discriminator.dispose();
  }

  #context(): StepContext {
    return {
      generator: this.generator,
      discriminator: this.discriminator,
      generatorOptimizer: this.generatorOptimizer,
      discriminatorOptimizer: this.discriminatorOptimizer,
      windowSamples: this.setup.windowSamples,
      lossWeights: this.setup.train.loss_weights,
      discStart: this.setup.train.disc_start,
      discSteps: this.setup.train.disc_steps,
    };
  }
}
