/**
 * The configuration's types, written out (the zod schema in
 * `config_schema.ts` is checked against them at compile time, both ways,
 * so they cannot drift apart). Keys and defaults: `config_schema.ts`.
 *
 * @module
 */

/** A concrete compute backend, in the order `auto` tries them. */
export type ConcreteBackendName = "tensorflow" | "webgpu" | "wasm" | "cpu";
/** A backend name or `auto`. */
export type BackendName = ConcreteBackendName | "auto";

/** `train.loss_weights`. */
export interface LossWeights {
  /** L1 reconstruction weight. */
  readonly time_l1: number;
  /** Commitment + codebook loss weight. */
  readonly commit: number;
  /** Generator hinge loss weight. */
  readonly gan: number;
  /** Feature-matching loss weight. */
  readonly feature: number;
}

/** The `train` section. */
export interface TrainConfig {
  /** Passes over the data. */
  readonly epochs: number;
  /** Stop after this many optimizer steps (null: no limit). */
  readonly max_steps: number | null;
  /** Windows per micro-batch. */
  readonly batch_size: number;
  /** AdamW learning rate. */
  readonly learning_rate: number;
  /** Decoupled weight decay. */
  readonly weight_decay: number;
  /** Adam β1. */
  readonly adam_b1: number;
  /** Adam β2. */
  readonly adam_b2: number;
  /** Adam ε. */
  readonly adam_eps: number;
  /** Global-norm gradient clip (null: none). */
  readonly grad_clip: number | null;
  /** Micro-batches per optimizer step. */
  readonly grad_accum_steps: number;
  /** Accepted for compatibility; no effect. */
  readonly host_prefetch_size: number;
  /** Accepted for compatibility; no effect. */
  readonly device_prefetch_size: number;
  /** First step (1-based) with the discriminator on. */
  readonly disc_start: number;
  /** Discriminator repeats per micro-batch. */
  readonly disc_steps: number;
  /** Checkpoint every N steps. */
  readonly save_every: number;
  /** Checkpoints kept. */
  readonly keep_last: number;
  /** Log every N steps. */
  readonly log_every: number;
  /** Score held-out windows every N steps (null: only at the end). */
  readonly val_every: number | null;
  /** Held-out windows scored. */
  readonly val_windows: number;
  /** Loss weights. */
  readonly loss_weights: LossWeights;
  /** Compute backend. */
  readonly backend: BackendName;
  /** Data-parallel training replicas (Deno Workers); `auto`: the machine's cores (at most 8) on CPU backends. */
  readonly workers: "auto" | number;
}

/** `model.discriminator`. */
export interface DiscriminatorConfig {
  /** Channels per scale. */
  readonly channels: readonly number[];
  /** Stride per scale. */
  readonly strides: readonly number[];
  /** Kernel of the strided convs. */
  readonly kernel_size: number;
  /** Residual blocks per scale. */
  readonly resblock_layers: number;
}

/** The `model` section. */
export interface ModelConfig {
  /** Base channel count (multipliers are recovered from enc_channels). */
  readonly base_channels: number;
  /** Encoder channels per stage. */
  readonly enc_channels: readonly number[];
  /** Encoder downsampling strides. */
  readonly enc_down_strides: readonly number[];
  /** Residual blocks per encoder stage. */
  readonly enc_num_res_blocks: number;
  /** Latent and code dimension. */
  readonly latent_dim: number;
  /** Codebook entries. */
  readonly codebook_size: number;
  /** Commitment weight β. */
  readonly beta: number;
  /** Put β on the codebook term instead. */
  readonly legacy_beta: boolean;
  /**
   * Residual quantizer stages N (default 1, at most 32: the single SimVQ
   * quantizer of 0.1.0, same parameters). Stage k quantises what stages
   * 1..k−1 left, with its own frozen codebook and trainable projection; the
   * decoder sees the sum, so codes of the first K ≤ N stages decode too.
   */
  readonly num_quantizers: number;
  /**
   * Quantizer dropout p in [0, 1] (default 0): for each training batch, with
   * probability p only the first K stages are used, K uniform in 1..N
   * (drawn from the training RNG, so resume stays exact). No effect at N = 1.
   */
  readonly quantizer_dropout: number;
  /** Decoder channels per stage. */
  readonly dec_channels: readonly number[];
  /** Decoder upsampling factors. */
  readonly dec_up_strides: readonly number[];
  /** Residual blocks per decoder stage. */
  readonly dec_num_res_blocks: number;
  /** The discriminator. */
  readonly discriminator: DiscriminatorConfig;
}

/** A per-split override of the data source (`data.train`). */
export interface DataSplitConfig {
  /** Folder searched. */
  readonly root?: string | undefined;
  /** Folders under root. */
  readonly subdirs?: readonly string[] | undefined;
  /** Explicit files. */
  readonly files?: readonly string[] | null | undefined;
  /** Window length. */
  readonly segment_samples?: number | null | undefined;
}

/** The `data` section. */
export interface DataConfig {
  /** Always `pod5`. */
  readonly type: "pod5";
  /** Folder searched for POD5 files. */
  readonly root: string;
  /** Folders under root searched in turn. */
  readonly subdirs: readonly string[];
  /** Explicit files instead of root/subdirs. */
  readonly files: readonly string[] | null;
  /** Window length in seconds (or null). */
  readonly segment_sec: number | null;
  /** Window length in samples (or null). */
  readonly segment_samples: number | null;
  /** Sample rate, Hz. */
  readonly sample_rate: number;
  /** Per-read normalisation. */
  readonly normalization: "median_mad" | "minmax";
  /** Clip of normalised values. */
  readonly clip: number | null;
  /** Shuffle block in windows. */
  readonly shuffle_buffer: number;
  /** Files whose windows are interleaved at a time. */
  readonly interleave_files: number;
  /** Fraction held out. */
  readonly holdout_fraction: number;
  /** How the held-out part is chosen. */
  readonly holdout_by: "read" | "read_tail";
  /** Loader Workers. */
  readonly loader_workers: number;
  /** Batches prepared ahead. */
  readonly loader_prefetch_chunks: number;
  /** A per-split override. */
  readonly train?: DataSplitConfig | undefined;
}

/** The `checkpoint` section. */
export interface CheckpointConfig {
  /** Checkpoint folder. */
  readonly dir: string;
  /** `auto`, a path, or null. */
  readonly resume_from: string | null;
  /** Accepted for compatibility; no effect. */
  readonly drive_backup_dir: string | null;
  /** Start a numbered sibling folder (`dir-2`, `dir-3`, ...) instead of refusing a used one. */
  readonly numbered_runs: boolean;
}

/** `logging.wandb`. */
export interface WandbConfig {
  /** Log to Weights & Biases. */
  readonly enabled: boolean;
  /** Project. */
  readonly project: string;
  /** Run name (null: generated). */
  readonly run_name: string | null;
}

/** The `optim` section. */
export interface OptimConfig {
  /** Accepted for compatibility; no effect. */
  readonly codebook_lr_mult: number;
  /** Refused when true. */
  readonly freeze_W: boolean;
}

/** A fully parsed configuration, every key present. */
export interface Config {
  /** Seed of weights, data order and the loop's RNG. */
  readonly seed: number;
  /** Training. */
  readonly train: TrainConfig;
  /** The networks. */
  readonly model: ModelConfig;
  /** The data. */
  readonly data: DataConfig;
  /** Checkpoints. */
  readonly checkpoint: CheckpointConfig;
  /** Logging. */
  readonly logging: { readonly wandb: WandbConfig };
  /** Optimiser compatibility keys. */
  readonly optim: OptimConfig;
}
