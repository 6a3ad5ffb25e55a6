/**
 * The one configuration schema: every key of the seed's `train_config`
 * (notes/simvqgan_model.md §8) with its default, plus the keys this port adds.
 * All defaults live here and nowhere else.
 *
 * @module
 */
import { z } from "zod";
import type { ConcreteBackendName, Config } from "./config_types.ts";

export type {
  BackendName,
  CheckpointConfig,
  ConcreteBackendName,
  Config,
  DataConfig,
  DataSplitConfig,
  DiscriminatorConfig,
  LossWeights,
  ModelConfig,
  OptimConfig,
  TrainConfig,
  WandbConfig,
} from "./config_types.ts";

/** The most residual quantizer stages `model.num_quantizers` allows. */
export const MAX_QUANTIZERS = 32;

/** Compute backends, in the order `auto` tries them. */
export const BACKEND_NAMES: readonly ConcreteBackendName[] = ["tensorflow", "webgpu", "wasm", "cpu"];

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const nonNegative = z.number().nonnegative();
const intList = z.array(positiveInt).min(1);

const lossWeightsSchema = z.strictObject({
  time_l1: nonNegative.default(1.0),
  commit: nonNegative.default(1.0),
  gan: nonNegative.default(0.05),
  feature: nonNegative.default(0.1),
});

const trainSchema = z.strictObject({
  epochs: positiveInt.default(2),
  max_steps: positiveInt.nullable().default(null),
  batch_size: positiveInt.default(256),
  learning_rate: z.number().positive().default(2e-4),
  weight_decay: nonNegative.default(1e-4),
  adam_b1: z.number().min(0).max(1).default(0.9),
  adam_b2: z.number().min(0).max(1).default(0.999),
  adam_eps: z.number().positive().default(1e-8),
  grad_clip: z.number().positive().nullable().default(1.0),
  grad_accum_steps: positiveInt.default(2),
  host_prefetch_size: positiveInt.default(64),
  device_prefetch_size: positiveInt.default(16),
  disc_start: nonNegativeInt.default(5000),
  disc_steps: positiveInt.default(2),
  save_every: positiveInt.default(1000),
  keep_last: positiveInt.default(5),
  log_every: positiveInt.default(100),
  val_every: positiveInt.nullable().default(null),
  val_windows: positiveInt.default(256),
  loss_weights: lossWeightsSchema.prefault({}),
  backend: z.enum(["auto", ...BACKEND_NAMES]).default("auto"),
  workers: z.union([z.literal("auto"), positiveInt]).default("auto"),
});

const discriminatorSchema = z.strictObject({
  channels: intList.default([32, 64, 128, 256]),
  strides: intList.default([2, 2, 2, 2]),
  kernel_size: positiveInt.default(15),
  resblock_layers: nonNegativeInt.default(2),
});

const modelSchema = z.strictObject({
  base_channels: positiveInt.default(32),
  enc_channels: intList.default([32, 32, 64, 64, 128]),
  enc_down_strides: intList.default([4, 4, 5, 1]),
  enc_num_res_blocks: nonNegativeInt.default(2),
  latent_dim: positiveInt.default(128),
  codebook_size: positiveInt.max(65536).default(4096),
  beta: nonNegative.default(0.25),
  legacy_beta: z.boolean().default(false),
  num_quantizers: positiveInt.max(MAX_QUANTIZERS).default(1),
  quantizer_dropout: z.number().min(0).max(1).default(0),
  dec_channels: intList.default([128, 64, 64, 32, 32]),
  dec_up_strides: intList.default([1, 5, 4, 4]),
  dec_num_res_blocks: nonNegativeInt.default(2),
  discriminator: discriminatorSchema.prefault({}),
});

const dataSplitSchema = z.strictObject({
  root: z.string().min(1).optional(),
  subdirs: z.array(z.string().min(1)).min(1).optional(),
  files: z.array(z.string().min(1)).min(1).nullable().optional(),
  segment_samples: positiveInt.nullable().optional(),
});

const dataSchema = z.strictObject({
  type: z.literal("pod5").default("pod5"),
  root: z.string().min(1).default("./nanopore"),
  subdirs: z.array(z.string().min(1)).min(1).default(["."]),
  files: z.array(z.string().min(1)).min(1).nullable().default(null),
  segment_sec: z.number().positive().nullable().default(2.0),
  segment_samples: positiveInt.nullable().default(10000),
  sample_rate: z.number().positive().default(5000),
  normalization: z.enum(["median_mad", "minmax"]).default("median_mad"),
  clip: z.number().positive().nullable().default(null),
  shuffle_buffer: nonNegativeInt.default(0),
  interleave_files: positiveInt.default(8),
  holdout_fraction: z.number().min(0).lt(1).default(0),
  holdout_by: z.enum(["read", "read_tail"]).default("read"),
  loader_workers: nonNegativeInt.default(2),
  loader_prefetch_chunks: positiveInt.default(8),
  train: dataSplitSchema.optional(),
});

const checkpointSchema = z.strictObject({
  dir: z.string().min(1).default("./checkpoints/vqgan"),
  resume_from: z.string().min(1).nullable().default(null),
  drive_backup_dir: z.string().min(1).nullable().default(null),
  numbered_runs: z.boolean().default(false),
});

const wandbSchema = z.strictObject({
  enabled: z.boolean().default(false),
  project: z.string().min(1).default("simvq-nanopore"),
  run_name: z.string().min(1).nullable().default(null),
});

const optimSchema = z.strictObject({
  codebook_lr_mult: nonNegative.default(0.0),
  freeze_W: z.boolean().default(false),
});

/** The whole configuration document (before cross-key checks). */
export const configSchema = z.strictObject({
  seed: z.number().int().default(42),
  train: trainSchema.prefault({}),
  model: modelSchema.prefault({}),
  data: dataSchema.prefault({}),
  checkpoint: checkpointSchema.prefault({}),
  logging: z.strictObject({ wandb: wandbSchema.prefault({}) }).prefault({}),
  optim: optimSchema.prefault({}),
});

/** `true` when A and B are each assignable to the other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Deep<T> = T extends readonly (infer E)[] ? readonly Deep<E>[]
  : T extends object ? { readonly [K in keyof T]: Deep<T[K]> }
  : T;
/** The schema's output and the written-out {@linkcode Config} are the same type (a compile-time check). */
const SCHEMA_MATCHES_TYPES: Same<Deep<z.output<typeof configSchema>>, Deep<Config>> = true;
void SCHEMA_MATCHES_TYPES;
