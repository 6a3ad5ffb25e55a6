/**
 * A tiny generator checkpoint for codec tests: random weights (no training
 * needed to test the plumbing), the tiny model of the training tests
 * (hop 20), 800-sample windows at 5 kHz.
 */
import { Codec } from "../../lib/model/codec.ts";
import { outputActivationFor } from "../../lib/model/decoder.ts";
import { kernelPlanFor } from "../../lib/model/kernel_plan.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { saveCheckpoint } from "../../lib/checkpoint/checkpoint.ts";
import { tinyConfig } from "../train/_tiny_config.ts";

/** Options of {@linkcode makeTinyCheckpoint}. */
export interface TinyCheckpointOptions {
  /** Weight seed (another seed is another checkpoint). Default 1. */
  readonly seed?: number;
  /** Step recorded. Default 10. */
  readonly step?: number;
  /** Normalisation mode. Default median_mad. */
  readonly normalization?: "median_mad" | "minmax";
}

/** Write a tiny checkpoint under `dir`; returns its `checkpoint_<step>` path. */
export async function makeTinyCheckpoint(dir: string, options: TinyCheckpointOptions = {}): Promise<string> {
  const raw = tinyConfig(dir);
  const config = parseConfig({
    ...raw,
    data: { ...(raw["data"] as Record<string, unknown>), normalization: options.normalization ?? "median_mad" },
  });
  const backend = await initBackend("wasm");
  const codec = new Codec(config.model, {
    rng: Rng.fromSeed(options.seed ?? 1),
    plan: kernelPlanFor(backend.name),
    outputActivation: outputActivationFor(config.data.normalization),
  });
  const weights = await codec.exportParams();
  codec.dispose();
  const step = options.step ?? 10;
  const empty = new Map();
  return await saveCheckpoint(dir, {
    step,
    tensors: { generator: weights, discriminator: empty, optimizer: empty, loop: empty },
    state: { step, config },
  });
}
