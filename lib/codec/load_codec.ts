/**
 * `loadCodec()`: the generator of a training checkpoint, ready to turn
 * normalised windows into codes and back, with everything a token file
 * records about it (window, hop, sample rate, normalisation, identity).
 *
 * @module
 */
import { join } from "@std/path";
import { z } from "zod";
import { Codec } from "../model/codec.ts";
import { outputActivationFor } from "../model/decoder.ts";
import { kernelPlanFor } from "../model/kernel_plan.ts";
import type { NamedArray } from "../model/params.ts";
import { type ComputeBackend, initBackend } from "../runtime/backend.ts";
import { segmentSamples } from "../runtime/config.ts";
import { type BackendName, configSchema, type ModelConfig } from "../runtime/config_schema.ts";
import { Rng } from "../runtime/rng.ts";
import { sha256Hex } from "../runtime/sha256_hex.ts";
import type { NormalisationMode } from "../signal/types.ts";
import { GENERATOR_FILE, STATE_FILE } from "../checkpoint/checkpoint.ts";
import { resolveCheckpointDir } from "../checkpoint/resolve_checkpoint_dir.ts";
import { CheckpointError } from "../checkpoint/errors.ts";
import { CODEC_EXPORT_FILE, isCodecExport } from "../checkpoint/codec_export.ts";
import { decodeSafetensors } from "../checkpoint/safetensors.ts";
import type { CheckpointIdentity } from "./types.ts";

/** The parts of a checkpoint's recorded config that the codec needs (other keys may come and go). */
const recordedConfigSchema = z.object({
  model: configSchema.shape.model,
  data: z.object({
    segment_samples: z.number().int().positive().nullable(),
    segment_sec: z.number().positive().nullable(),
    sample_rate: z.number().positive(),
    normalization: z.enum(["median_mad", "minmax"]),
    clip: z.number().positive().nullable(),
  }),
});

/**
 * The JSON record of a checkpoint (`state.json`) or a codec export
 * (`codec.json`): both hold `step` and `config`.
 */
async function recordedState(
  dir: string,
  fail: (reason: string, cause?: unknown) => never,
): Promise<{ readonly file: string; readonly record: object }> {
  const file = await isCodecExport(dir) ? CODEC_EXPORT_FILE : STATE_FILE;
  let state: unknown;
  try {
    state = JSON.parse(await Deno.readTextFile(join(dir, file)));
  } catch (error) {
    fail(`${file} cannot be read (${error instanceof Error ? error.message : error})`, error);
  }
  return { file, record: typeof state === "object" && state !== null ? state : fail(`${file} is not a JSON object`) };
}

/** Options of {@linkcode loadCodec}. */
export interface LoadCodecOptions {
  /**
   * The backend to compute on: an initialised one, or a name to initialise
   * (`auto` tries tensorflow, webgpu, wasm, cpu). Default `auto`.
   */
  readonly backend?: ComputeBackend | BackendName;
}

/**
 * A checkpoint's generator on a backend: encode normalised windows to codes,
 * decode codes to normalised windows. Create with {@linkcode loadCodec};
 * {@linkcode dispose} frees its weights.
 */
export class LoadedCodec {
  /** The checkpoint: generator sha256, step and directory. */
  readonly checkpoint: CheckpointIdentity;
  /** The generator's `model` config. */
  readonly model: ModelConfig;
  /** Samples per model window (the training window). */
  readonly windowSamples: number;
  /** Samples per code. */
  readonly hopSamples: number;
  /** Codes per whole window. */
  readonly codesPerWindow: number;
  /** Codebook entries. */
  readonly codebookSize: number;
  /** The sample rate it was trained at, Hz. */
  readonly sampleRateHz: number;
  /** Per-read normalisation mode. */
  readonly normalisation: NormalisationMode;
  /** Clip of normalised values, or null. */
  readonly clip: number | null;
  /** The backend it computes on. */
  readonly backend: ComputeBackend;
  readonly #generator: Codec;

  private constructor(fields: Omit<LoadedCodec, "encodeWindows" | "decodeCodes" | "dispose">, generator: Codec) {
    this.checkpoint = fields.checkpoint;
    this.model = fields.model;
    this.windowSamples = fields.windowSamples;
    this.hopSamples = fields.hopSamples;
    this.codesPerWindow = fields.codesPerWindow;
    this.codebookSize = fields.codebookSize;
    this.sampleRateHz = fields.sampleRateHz;
    this.normalisation = fields.normalisation;
    this.clip = fields.clip;
    this.backend = fields.backend;
    this.#generator = generator;
  }

  /** @internal Used by {@linkcode loadCodec}. */
  static create(fields: Omit<LoadedCodec, "encodeWindows" | "decodeCodes" | "dispose">, generator: Codec): LoadedCodec {
    return new LoadedCodec(fields, generator);
  }

  /**
   * Normalised windows → codes.
   *
   * @param windows Row-major `[batch, samples]`.
   * @param samples Samples per window, a multiple of the hop.
   * @returns Row-major `[batch, samples / hop]`.
   */
  async encodeWindows(windows: Float32Array, samples: number): Promise<Uint16Array> {
    return Uint16Array.from(await this.#generator.encodeWindows(windows, samples));
  }

  /**
   * Codes → normalised windows.
   *
   * @param codes Row-major `[batch, codesPerRow]`.
   * @param codesPerRow Codes per window.
   * @returns Row-major `[batch, codesPerRow · hop]`.
   */
  async decodeCodes(codes: Uint16Array, codesPerRow: number): Promise<Float32Array> {
    return await this.#generator.decodeCodes(Int32Array.from(codes), codesPerRow);
  }

  /** Free the weights. */
  dispose(): void {
    this.#generator.dispose();
  }
}

/**
 * Load a checkpoint's generator for encoding and decoding. Reads
 * `generator.safetensors` and the model config, window, normalisation and
 * sample rate recorded in `state.json` (a codec export's `codec.json`);
 * the checkpoint's identity is the sha256 of `generator.safetensors`.
 *
 * @example Load the newest checkpoint of a training run
 * ```ts
 * import { loadCodec } from "./load_codec.ts";
 * import { assertEquals } from "@std/assert";
 * import { TINY_CODEC_CONFIG, writeGeneratorCheckpoint } from "../checkpoint/write_generator_checkpoint.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await writeGeneratorCheckpoint(dir, { config: TINY_CODEC_CONFIG, step: 1 }); // random weights: enough to run
 * const codec = await loadCodec(dir, { backend: "wasm" }); // the run folder: its newest checkpoint
 * assertEquals([codec.checkpoint.step, codec.hopSamples, codec.sampleRateHz], [1, 20, 5000]);
 * codec.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param checkpoint A `checkpoint_<step>` directory, a codec export (`deno task export`) or a run directory.
 * @param options The backend (default `auto`).
 * @returns The codec.
 * @throws {CheckpointError} When the checkpoint is missing, damaged or does not fit its own config, or has
 *   more than one quantizer stage (token files hold one code per frame).
 */
export async function loadCodec(checkpoint: string, options: LoadCodecOptions = {}): Promise<LoadedCodec> {
  const dir = await resolveCheckpointDir(checkpoint);
  const fail = (reason: string, cause?: unknown): never => {
    throw new CheckpointError(dir, `Cannot load codec: ${reason}`, { cause });
  };
  const { file: recordFile, record } = await recordedState(dir, fail);
  const stepValue = Reflect.get(record, "step");
  if (!Number.isInteger(stepValue)) fail(`${recordFile} records no step`);
  const parsed = recordedConfigSchema.safeParse(Reflect.get(record, "config"));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(`${recordFile} config.${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`);
  }
  const { model, data } = parsed.data;
  if (model.num_quantizers !== 1) {
    // Token files record one code per frame until their format records K stages (issue 22).
    fail(
      `the checkpoint has ${model.num_quantizers} quantizer stages (model.num_quantizers), ` +
        "and token files of this version hold one code per frame",
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(join(dir, GENERATOR_FILE));
  } catch (error) {
    return fail(`${GENERATOR_FILE} cannot be read (${error instanceof Error ? error.message : error})`, error);
  }
  const sha256 = sha256Hex(bytes);
  const arrays = new Map<string, NamedArray>();
  try {
    for (const [name, tensor] of decodeSafetensors(bytes).tensors) {
      if (!(tensor.data instanceof Float32Array)) fail(`${GENERATOR_FILE}: ${name} is not F32`);
      arrays.set(name, { shape: tensor.shape, data: tensor.data as Float32Array });
    }
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    fail(`${GENERATOR_FILE} is damaged (${error instanceof Error ? error.message : error})`, error);
  }
  const windowSamples = segmentSamples(data);
  const backend = typeof options.backend === "object" ? options.backend : await initBackend(options.backend ?? "auto");
  const generator = new Codec(model, {
    rng: Rng.fromSeed(0),
    plan: kernelPlanFor(backend.name),
    outputActivation: outputActivationFor(data.normalization),
  });
  try {
    generator.importParams(arrays);
  } catch (error) {
    generator.dispose();
    fail(
      `${GENERATOR_FILE} does not fit the recorded model config: ${error instanceof Error ? error.message : error}`,
      error,
    );
  }
  if (windowSamples % generator.hop !== 0) {
    generator.dispose();
    fail(`the window of ${windowSamples} samples is not a multiple of the hop ${generator.hop}`);
  }
  return LoadedCodec.create({
    checkpoint: { sha256, step: Number(stepValue), path: dir },
    model,
    windowSamples,
    hopSamples: generator.hop,
    codesPerWindow: windowSamples / generator.hop,
    codebookSize: model.codebook_size,
    sampleRateHz: data.sample_rate,
    normalisation: data.normalization,
    clip: data.clip,
    backend,
  }, generator);
}
