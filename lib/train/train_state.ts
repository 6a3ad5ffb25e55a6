/**
 * Everything resume needs, as one {@linkcode TrainState}, and its mapping to
 * and from checkpoint files: weights in `generator.safetensors` and
 * `discriminator.safetensors`, AdamW moments in `optimizer.safetensors`
 * (`generator/m/<param>`, `generator/v/<param>`, `discriminator/m/…`, …),
 * the code-count window in `loop.safetensors`, the rest in `state.json`.
 *
 * @module
 */
import { z } from "zod";
import type { DataPlan } from "../data/data_plan.ts";
import type { DatasetPosition } from "../data/types.ts";
import type { NamedArray } from "../model/params.ts";
import type { Config } from "../runtime/config.ts";
import { configSchema } from "../runtime/config_schema.ts";
import type { RngState } from "../runtime/rng.ts";
import type { CheckpointData } from "../checkpoint/checkpoint.ts";
import { CheckpointError } from "../checkpoint/errors.ts";
import type { MetricsRecord } from "./metrics_log.ts";
import type { OptimizerState } from "./optimizer.ts";
import type { Tensor } from "../checkpoint/safetensors.ts";
import type { TrainerState } from "./trainer.ts";

/** `format` of the state.json this version writes. */
export const CHECKPOINT_FORMAT = "simvqgan-checkpoint/1";

/**
 * A data position saved by a version before 0.2 (one file at a time, in the
 * given order): only its epoch is used, by a resume that accepts changed data.
 */
export interface LegacyDatasetPosition {
  readonly epoch: number;
  readonly epochWindow: number;
  readonly blockOffset: number;
}

/** The loop's part of the state (saved as state.json). */
export interface LoopState {
  /** {@linkcode CHECKPOINT_FORMAT}. */
  readonly format: string;
  /** Library version that wrote it. */
  readonly version: string;
  /** Optimizer steps taken. */
  readonly step: number;
  /** Epoch of the last step. */
  readonly epoch: number;
  /** Where the dataset continues. */
  readonly data_position: DatasetPosition | LegacyDatasetPosition;
  /** The data plan the position refers to; null in checkpoints of versions that recorded none. */
  readonly data_plan: DataPlan | null;
  /**
   * The run's lineage: set when a run starts fresh, kept by every resume;
   * pruning removes only checkpoints of the same lineage. Null in checkpoints
   * of versions that recorded none.
   */
  readonly run_id: string | null;
  /** The loop's RNG, to continue the same stream. */
  readonly rng_state: RngState;
  /** Training wall time so far, over all runs. */
  readonly elapsed_seconds: number;
  /** Training windows consumed so far. */
  readonly windows_seen: number;
  /** The merged config the run used (paths absolute). */
  readonly config: Config;
  /** The last logged record and the last validation record. */
  readonly metrics: { readonly last: MetricsRecord | null; readonly last_validation: MetricsRecord | null };
  /** The backend that wrote it (resume on another backend is allowed but not bit-exact). */
  readonly backend: string;
  /** ISO time of the save. */
  readonly saved_at: string;
}

/** A whole training state. */
export interface TrainState {
  /** Weights, frozen codebook and AdamW state of both networks. */
  readonly trainer: TrainerState;
  /** Step, data position, RNG, config and metrics. */
  readonly loop: LoopState;
  /** The code-count window, `[n, codebookSize]` U32. */
  readonly codeWindow: Tensor;
}

const count = z.number().int().nonnegative();
const positionSchema = z.object({
  epoch: count,
  lanes: z.array(z.object({ order: count, readIndex: count, windowIndex: count })).min(1),
  lane: count,
  epochWindow: count,
  blockOffset: count,
  shuffleWindows: count,
  windowSamples: z.number().int().positive(),
  interleaveFiles: z.number().int().positive(),
  shuffleFiles: z.boolean(),
});

const legacyPositionSchema = z.object({ epoch: count, epochWindow: count, blockOffset: count });

const dataPlanSchema = z.object({
  fingerprint: z.string(),
  files: z.array(z.tuple([z.string(), count])),
  keys: z.object({
    "seed": z.number(),
    "data.sample_rate": z.number(),
    "data.segment_samples": z.number(),
    "data.normalization": z.string(),
    "data.clip": z.number().nullable(),
    "data.shuffle_buffer": z.number(),
    "data.interleave_files": z.number(),
    "data.holdout_fraction": z.number(),
    "data.holdout_by": z.string(),
  }),
});

const recordSchema = z.record(z.string(), z.union([z.number(), z.string(), z.null()])).nullable();

const loopStateSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.string(),
  step: z.number().int().nonnegative(),
  epoch: z.number().int().nonnegative(),
  data_position: z.union([positionSchema, legacyPositionSchema]),
  data_plan: dataPlanSchema.nullable().default(null),
  run_id: z.string().min(1).nullable().default(null),
  rng_state: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  elapsed_seconds: z.number().nonnegative(),
  windows_seen: z.number().int().nonnegative(),
  config: configSchema,
  metrics: z.object({ last: recordSchema, last_validation: recordSchema }),
  backend: z.string(),
  saved_at: z.string(),
  generator_optimizer_step: z.number().int().nonnegative(),
  discriminator_optimizer_step: z.number().int().nonnegative(),
});

const OPTIMIZER_PARTS = [
  ["generator", "m", "firstMoments"],
  ["generator", "v", "secondMoments"],
  ["discriminator", "m", "firstMoments"],
  ["discriminator", "v", "secondMoments"],
] as const;

/**
 * The checkpoint files of a training state.
 *
 * @param state The state.
 * @returns What {@linkcode saveCheckpoint} writes.
 */
export function checkpointFromState(state: TrainState): CheckpointData {
  const optimizer = new Map<string, Tensor>();
  const optimizers = {
    generator: state.trainer.generatorOptimizer,
    discriminator: state.trainer.discriminatorOptimizer,
  };
  for (const [network, moment, key] of OPTIMIZER_PARTS) {
    for (const [name, array] of optimizers[network][key]) optimizer.set(`${network}/${moment}/${name}`, array);
  }
  return {
    step: state.loop.step,
    tensors: {
      generator: state.trainer.generator,
      discriminator: state.trainer.discriminator,
      optimizer,
      loop: new Map([["code_window", state.codeWindow]]),
    },
    state: {
      ...state.loop,
      generator_optimizer_step: optimizers.generator.step,
      discriminator_optimizer_step: optimizers.discriminator.step,
    },
  };
}

/**
 * The training state in checkpoint files read by `loadCheckpoint`.
 *
 * @param data The checkpoint's contents.
 * @param path The checkpoint, for error messages.
 * @returns The state.
 * @throws {CheckpointError} When state.json or a tensor file is not what this version writes.
 */
export function stateFromCheckpoint(data: CheckpointData, path: string): TrainState {
  const parsed = loopStateSchema.safeParse(data.state);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CheckpointError(
      path,
      `Cannot resume: state.json field ${issue?.path.join(".") || "(top level)"}: ${issue?.message ?? "invalid"}`,
    );
  }
  const { generator_optimizer_step, discriminator_optimizer_step, ...rest } = parsed.data;
  const loop: LoopState = rest;
  const moments = (network: "generator" | "discriminator", moment: "m" | "v"): Map<string, NamedArray> => {
    const prefix = `${network}/${moment}/`;
    const out = new Map<string, NamedArray>();
    for (const [name, tensor] of data.tensors.optimizer) {
      if (!name.startsWith(prefix)) continue;
      out.set(name.slice(prefix.length), floatArray(tensor, `optimizer.safetensors ${name}`, path));
    }
    return out;
  };
  const optimizer = (network: "generator" | "discriminator", step: number): OptimizerState => ({
    step,
    firstMoments: moments(network, "m"),
    secondMoments: moments(network, "v"),
  });
  const floats = (tensors: ReadonlyMap<string, Tensor>, file: string) =>
    new Map([...tensors].map(([name, tensor]) => [name, floatArray(tensor, `${file} ${name}`, path)]));
  const codeWindow = data.tensors.loop.get("code_window");
  if (codeWindow === undefined) throw new CheckpointError(path, "Cannot resume: loop.safetensors has no code_window");
  return {
    trainer: {
      generator: floats(data.tensors.generator, "generator.safetensors"),
      discriminator: floats(data.tensors.discriminator, "discriminator.safetensors"),
      generatorOptimizer: optimizer("generator", generator_optimizer_step),
      discriminatorOptimizer: optimizer("discriminator", discriminator_optimizer_step),
    },
    loop,
    codeWindow,
  };
}

function floatArray(tensor: Tensor, what: string, path: string): NamedArray {
  if (!(tensor.data instanceof Float32Array)) throw new CheckpointError(path, `Cannot resume: ${what} is not F32`);
  return { shape: tensor.shape, data: tensor.data };
}
