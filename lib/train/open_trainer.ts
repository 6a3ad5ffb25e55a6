/**
 * Choosing how many replicas train and building the trainer: the in-process
 * {@linkcode Trainer} for one, a {@linkcode ParallelTrainer} of Workers for
 * more.
 *
 * @module
 */
import type { KernelPlan } from "../model/kernel_plan.ts";
import type { ComputeBackend, ConcreteBackendName } from "../runtime/backend.ts";
import type { TrainConfig } from "../runtime/config_schema.ts";
import { ConfigError } from "../runtime/errors.ts";
import type { Rng } from "../runtime/rng.ts";
import { ParallelTrainer } from "./parallel_trainer.ts";
import { type GanTrainer, Trainer, type TrainerSetup } from "./trainer.ts";

/** `train.workers: "auto"` uses the machine's cores, but no more than this many. */
export const MAX_AUTO_WORKERS = 8;

/** Backends whose replicas run in Workers (CPU backends; a GPU is one device). */
const WORKER_BACKENDS: readonly ConcreteBackendName[] = ["wasm", "cpu"];

/**
 * The number of training replicas for `train.workers`: `auto` is the
 * machine's cores (at most {@linkcode MAX_AUTO_WORKERS} and at most
 * `train.batch_size`) on the wasm and cpu backends, and 1 on the others.
 *
 * @example
 * ```ts
 * import { resolveWorkers } from "./open_trainer.ts";
 * const n = resolveWorkers({ workers: "auto", batch_size: 4 }, { backend: "wasm", cores: 16 });
 * if (n !== 4) throw new Error("auto is capped by the batch size");
 * ```
 *
 * @param train `workers` and `batch_size` of the `train` section.
 * @param options The active `backend` and the machine's `cores` (default `navigator.hardwareConcurrency`).
 * @returns Replicas, ≥ 1.
 * @throws {ConfigError} When more than one worker is asked for on a GPU backend, or more workers than a batch has windows.
 */
export function resolveWorkers(
  train: Pick<TrainConfig, "workers" | "batch_size">,
  options: { readonly backend: ConcreteBackendName; readonly cores?: number },
): number {
  const onCpu = WORKER_BACKENDS.includes(options.backend);
  if (train.workers === "auto") {
    if (!onCpu) return 1;
    const cores = options.cores ?? navigator.hardwareConcurrency;
    return Math.max(1, Math.min(cores, MAX_AUTO_WORKERS, train.batch_size));
  }
  if (train.workers > 1 && !onCpu) {
    throw new ConfigError(
      "train.workers",
      `${train.workers} workers need the wasm or cpu backend; the ${options.backend} backend trains on one device (use 1)`,
    );
  }
  if (train.workers > train.batch_size) {
    throw new ConfigError(
      "train.workers",
      `${train.workers} workers need batches of at least ${train.workers} windows, but train.batch_size is ` +
        `${train.batch_size}: each worker trains on a share of every batch`,
    );
  }
  return train.workers;
}

/** Options of {@linkcode openTrainer}. */
export interface OpenTrainerOptions {
  /** Source of the initial weights (see `Trainer.create`). */
  readonly rng: Rng;
  /** The initialised backend. */
  readonly backend: ComputeBackend;
  /** Replicas (from {@linkcode resolveWorkers}); 1 trains in this thread. */
  readonly workers: number;
  /** Override the op implementations (tests). */
  readonly plan?: KernelPlan;
}

/**
 * Build the trainer: in process for one worker, on Workers for more.
 *
 * @param setup Config sections, window length and output head.
 * @param options Rng, backend, worker count.
 * @returns The trainer (dispose it).
 */
export async function openTrainer(setup: TrainerSetup, options: OpenTrainerOptions): Promise<GanTrainer> {
  const { workers, ...rest } = options;
  if (workers === 1) return Trainer.create(setup, rest);
  return await ParallelTrainer.create(setup, { ...rest, workers });
}
