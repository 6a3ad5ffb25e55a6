/**
 * A tiny generator checkpoint for codec tests: random weights (no training
 * needed to test the plumbing), the tiny model of the training tests
 * (hop 20), 800-sample windows at 5 kHz.
 */
import { writeGeneratorCheckpoint } from "../../lib/checkpoint/write_generator_checkpoint.ts";
import { tinyConfig } from "../train/_tiny_config.ts";

/** Options of {@linkcode makeTinyCheckpoint}. */
export interface TinyCheckpointOptions {
  /** Weight seed (another seed is another checkpoint). Default 1. */
  readonly seed?: number;
  /** Step recorded. Default 10. */
  readonly step?: number;
  /** Normalisation mode. Default median_mad. */
  readonly normalization?: "median_mad" | "minmax";
  /** Residual quantizer stages (`model.num_quantizers`). Default 1. */
  readonly numQuantizers?: number;
}

/** Write a tiny checkpoint under `dir`; returns its `checkpoint_<step>` path. */
export async function makeTinyCheckpoint(dir: string, options: TinyCheckpointOptions = {}): Promise<string> {
  const raw = tinyConfig(dir);
  return await writeGeneratorCheckpoint(dir, {
    config: {
      ...raw,
      model: { ...(raw["model"] as Record<string, unknown>), num_quantizers: options.numQuantizers ?? 1 },
      data: { ...(raw["data"] as Record<string, unknown>), normalization: options.normalization ?? "median_mad" },
    },
    seed: options.seed ?? 1,
    step: options.step ?? 10,
  });
}
