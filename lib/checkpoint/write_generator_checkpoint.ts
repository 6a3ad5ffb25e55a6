/**
 * `writeGeneratorCheckpoint()`: a checkpoint that holds only a generator
 * with freshly initialised (seeded) weights, and the config it was built
 * from. Enough for everything that only runs the codec (encode, decode,
 * serve, validate, benches, doc examples); no training needed.
 *
 * @module
 */
import { Codec } from "../model/codec.ts";
import { outputActivationFor } from "../model/decoder.ts";
import { kernelPlanFor } from "../model/kernel_plan.ts";
import { type ConcreteBackendName, initBackend } from "../runtime/backend.ts";
import { parseConfig, type RawConfig } from "../runtime/config.ts";
import { Rng } from "../runtime/rng.ts";
import { saveCheckpoint } from "./checkpoint.ts";

/**
 * A codec small enough for examples and quick checks: 4 channels, hop 20,
 * 400-sample windows at 5 kHz (loads and encodes in milliseconds).
 */
export const TINY_CODEC_CONFIG: RawConfig = Object.freeze({
  model: { enc_channels: [4, 4], enc_down_strides: [20], dec_channels: [4, 4], dec_up_strides: [20], latent_dim: 4 },
  data: { segment_samples: 400, segment_sec: null },
});

/** Options of {@linkcode writeGeneratorCheckpoint}. */
export interface GeneratorCheckpointOptions {
  /** The config document (model, data, ...); missing keys take their defaults. Default `{}`: the seed model. */
  readonly config?: RawConfig;
  /** Seed of the weights (another seed, another checkpoint). Default: the config's `seed`. */
  readonly seed?: number;
  /** The step the checkpoint records. Default 0. */
  readonly step?: number;
  /** The backend the weights are built on. Default `wasm`. */
  readonly backend?: ConcreteBackendName;
}

/**
 * Write a generator-only checkpoint under `dir`.
 *
 * @example A tiny checkpoint to load a codec from
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { TINY_CODEC_CONFIG, writeGeneratorCheckpoint } from "./write_generator_checkpoint.ts";
 * import { listCheckpoints } from "./checkpoint.ts";
 * const dir = await Deno.makeTempDir();
 * const path = await writeGeneratorCheckpoint(dir, { config: TINY_CODEC_CONFIG, step: 3 });
 * assertEquals((await listCheckpoints(dir)).map((c) => c.path), [path]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param dir The run folder (created if needed).
 * @param options Config, weight seed, step and backend.
 * @returns The `checkpoint_<step>` folder.
 * @throws {ConfigError} When the config is not valid.
 */
export async function writeGeneratorCheckpoint(dir: string, options: GeneratorCheckpointOptions = {}): Promise<string> {
  const config = parseConfig(options.config ?? {});
  const backend = await initBackend(options.backend ?? "wasm");
  const generator = new Codec(config.model, {
    rng: Rng.fromSeed(options.seed ?? config.seed),
    plan: kernelPlanFor(backend.name),
    outputActivation: outputActivationFor(config.data.normalization),
  });
  const weights = await generator.exportParams();
  generator.dispose();
  const step = options.step ?? 0;
  const empty = new Map();
  return await saveCheckpoint(dir, {
    step,
    tensors: { generator: weights, discriminator: empty, optimizer: empty, loop: empty },
    state: { step, config },
  });
}
