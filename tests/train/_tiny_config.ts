/** A tiny model and data config for fast training tests. */
import { fromFileUrl } from "@std/path";

/** The bundled 5 kHz sample. */
export const Z1 = fromFileUrl(new URL("../fixtures/pod5/z1.pod5", import.meta.url));

/** A config document for a model small enough to train in milliseconds per step. */
export function tinyConfig(ckptDir: string, train: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    seed: 7,
    train: {
      epochs: 3,
      max_steps: 8,
      batch_size: 4,
      learning_rate: 0.003,
      grad_accum_steps: 1,
      disc_start: 3,
      disc_steps: 2,
      save_every: 4,
      keep_last: 10,
      log_every: 1,
      val_every: 4,
      backend: "wasm",
      workers: 1,
      ...train,
    },
    model: {
      base_channels: 4,
      enc_channels: [4, 8, 8],
      enc_down_strides: [4, 5],
      enc_num_res_blocks: 1,
      latent_dim: 8,
      codebook_size: 32,
      dec_channels: [8, 8, 4],
      dec_up_strides: [5, 4],
      dec_num_res_blocks: 1,
      discriminator: { channels: [4, 8], strides: [2, 2], kernel_size: 5, resblock_layers: 1 },
    },
    data: {
      files: [Z1],
      segment_samples: 800,
      segment_sec: null,
      holdout_fraction: 0.02,
      holdout_by: "read_tail",
      shuffle_buffer: 64,
      loader_workers: 0,
      loader_prefetch_chunks: 2,
    },
    checkpoint: { dir: ckptDir },
  };
}
