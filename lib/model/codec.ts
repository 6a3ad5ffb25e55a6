/**
 * The generator (`SimVQAudioModel`): encoder → quant_conv → SimVQ quantizer
 * (`model.num_quantizers` residual stages) → post_quant_conv → decoder, with
 * its parameters, a training forward pass and pure `encode` (windows → codes
 * of the first K stages) / `decode` (codes of any K ≤ N stages → windows).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ModelConfig } from "../runtime/config_schema.ts";
import type { Rng } from "../runtime/rng.ts";
import { Conv1dLayer, type LayerContext } from "./conv_layer.ts";
import { Decoder, type OutputActivation } from "./decoder.ts";
import { Encoder } from "./encoder.ts";
import type { ApplyOptions, KernelPlan } from "./kernel_plan.ts";
import { type NamedArray, type ParamCounts, ParamStore } from "./params.ts";
import { Quantizer } from "./quantizer.ts";
import { type QuantizerCountOptions, ResidualQuantizer, stageName } from "./residual_quantizer.ts";

/** The generator's modules, as named in parameter paths and summaries. */
export const GENERATOR_MODULES = ["encoder", "quant_conv", "quantizer", "post_quant_conv", "decoder"] as const;
/** One of {@linkcode GENERATOR_MODULES}. */
export type GeneratorModule = (typeof GENERATOR_MODULES)[number];

/** Options of {@linkcode Codec}'s constructor. */
export interface CodecOptions {
  /** Source of the initial weights. */
  readonly rng: Rng;
  /** Op implementations (see `kernelPlanFor`). */
  readonly plan: KernelPlan;
  /** The decoder's output head (see `outputActivationFor`). */
  readonly outputActivation: OutputActivation;
}

/** The training forward pass (all owned by the caller). */
export interface CodecForward {
  /** Reconstructed windows, `[batch, samples]`. */
  readonly reconstruction: tf.Tensor2D;
  /** Codes of the stages used, int32 `[batch, latentLength, K]`. */
  readonly indices: tf.Tensor3D;
  /** The stages' commitment + codebook losses, summed, scalar. */
  readonly commitLoss: tf.Scalar;
}

/** Options of {@linkcode Codec.forward}. */
export interface CodecForwardOptions extends ApplyOptions, QuantizerCountOptions {}

/** Forward FLOPs per window of each generator module. */
export interface CodecFlops {
  /** Encoder convs. */
  readonly encoder: number;
  /** quant_conv. */
  readonly quant_conv: number;
  /** Distance matMuls for the window's latents, all stages. */
  readonly quantizer_search: number;
  /** C·W of all stages, paid once per forward whatever the batch (not per window). */
  readonly quantizer_projection: number;
  /** post_quant_conv. */
  readonly post_quant_conv: number;
  /** Decoder convs. */
  readonly decoder: number;
}

/**
 * The generator with its parameters. Call `initBackend` first (it also
 * registers tfjs's gradients).
 *
 * @example Encode windows to codes and decode them back
 * ```ts
 * import { Codec } from "./codec.ts";
 * import { kernelPlanFor } from "./kernel_plan.ts";
 * import { initBackend } from "../runtime/backend.ts";
 * import { parseConfig } from "../runtime/config.ts";
 * import { Rng } from "../runtime/rng.ts";
 *
 * const backend = await initBackend("cpu");
 * const { model } = parseConfig({
 *   model: { enc_channels: [8, 8], enc_down_strides: [4], dec_channels: [8, 8], dec_up_strides: [4], latent_dim: 8 },
 * });
 * const codec = new Codec(model, { rng: Rng.fromSeed(1), plan: kernelPlanFor(backend.name), outputActivation: "tanh" });
 * const codes = await codec.encodeWindows(new Float32Array(2 * 32), 32); // 2 windows of 32 samples
 * const windows = await codec.decodeCodes(codes, 8); // 8 codes per window
 * if (codes.length !== 16 || windows.length !== 64) throw new Error("unexpected lengths");
 * codec.dispose();
 * ```
 *
 * @example Three residual stages: encode and decode at a chosen rate
 * ```ts
 * import { Codec } from "./codec.ts";
 * import { kernelPlanFor } from "./kernel_plan.ts";
 * import { initBackend } from "../runtime/backend.ts";
 * import { parseConfig } from "../runtime/config.ts";
 * import { Rng } from "../runtime/rng.ts";
 *
 * const backend = await initBackend("cpu");
 * const { model } = parseConfig({
 *   model: {
 *     enc_channels: [8, 8], enc_down_strides: [4], dec_channels: [8, 8], dec_up_strides: [4], latent_dim: 8,
 *     num_quantizers: 3,
 *   },
 * });
 * const codec = new Codec(model, { rng: Rng.fromSeed(1), plan: kernelPlanFor(backend.name), outputActivation: "tanh" });
 * const codes = await codec.encodeWindows(new Float32Array(32), 32, { quantizers: 2 }); // [1, 8, 2]
 * const window = await codec.decodeCodes(codes, 8, { quantizers: 2 });
 * if (codes.length !== 16 || window.length !== 32) throw new Error("unexpected lengths");
 * let refused = false;
 * try {
 *   await codec.encodeWindows(new Float32Array(32), 32, { quantizers: 4 });
 * } catch (error) {
 *   refused = error instanceof RangeError;
 * }
 * if (!refused) throw new Error("4 quantizers of 3 should be refused");
 * codec.dispose();
 * ```
 */
export class Codec {
  /** Its parameters, named `<module>/...`. */
  readonly params: ParamStore;
  /** The quantizer: its stages, codebook size and code dim. */
  readonly quantizer: ResidualQuantizer;
  /** Samples per code (product of the encoder strides). */
  readonly hop: number;
  readonly #encoder: Encoder;
  readonly #quantConv: Conv1dLayer;
  readonly #postQuantConv: Conv1dLayer;
  readonly #decoder: Decoder;

  /**
   * Build and initialise a generator.
   *
   * @param model The `model` section.
   * @param options Rng, kernel plan and output head.
   */
  constructor(model: ModelConfig, options: CodecOptions) {
    this.params = new ParamStore();
    const ctx: LayerContext = { store: this.params, rng: options.rng, plan: options.plan };
    const d = model.latent_dim;
    this.#encoder = new Encoder(ctx, { name: "encoder", model });
    this.#quantConv = new Conv1dLayer(ctx, {
      name: "quant_conv",
      kernelSize: 1,
      inChannels: d,
      outChannels: d,
    });
    const stage = (k: number) =>
      new Quantizer(ctx, {
        name: stageName("quantizer", k),
        codebookSize: model.codebook_size,
        codeDim: d,
        beta: model.beta,
        legacyBeta: model.legacy_beta,
      });
    const first = stage(1);
    this.#postQuantConv = new Conv1dLayer(ctx, {
      name: "post_quant_conv",
      kernelSize: 1,
      inChannels: d,
      outChannels: d,
    });
    this.#decoder = new Decoder(ctx, { name: "decoder", model, activation: options.outputActivation });
    // Stages 2..N draw their weights last, so the rest of the model starts as it does with one stage.
    const rest = Array.from({ length: model.num_quantizers - 1 }, (_, i) => stage(i + 2));
    this.quantizer = new ResidualQuantizer([first, ...rest]);
    this.hop = model.enc_down_strides.reduce((a, b) => a * b, 1);
  }

  /** Residual quantizer stages N (`model.num_quantizers`). */
  get numQuantizers(): number {
    return this.quantizer.spec.numQuantizers;
  }

  /**
   * The training forward pass, with the straight-through quantizer.
   *
   * @param windows `[batch, samples]`, samples a multiple of {@linkcode Codec.hop}.
   * @param options Whether parameter gradients are needed; `quantizers` K,
   *   the stages to use (default all N).
   * @returns Reconstruction, codes `[batch, latentLength, K]` and commitment loss.
   * @throws {RangeError} When the windows' shape or K is not valid.
   */
  forward(windows: tf.Tensor2D, options: CodecForwardOptions = {}): CodecForward {
    this.#checkWindows(windows);
    const quantizers = this.quantizer.count(options);
    return tf.tidy(() => {
      const z = this.#quantConv.apply(this.#encoder.apply(windows, options), options);
      const q = this.quantizer.apply(z, { quantizers });
      const reconstruction = this.#decoder.apply(this.#postQuantConv.apply(q.quantized, options), options);
      return { reconstruction, indices: q.indices, commitLoss: q.commitLoss };
    });
  }

  /**
   * Windows → codes of the first K stages (no gradient).
   *
   * @param windows `[batch, samples]`.
   * @param options `quantizers` K (default N).
   * @returns int32 `[batch, samples / hop, K]`.
   * @throws {RangeError} When the windows' shape or K is not valid.
   */
  encode(windows: tf.Tensor2D, options: QuantizerCountOptions = {}): tf.Tensor3D {
    this.#checkWindows(windows);
    const quantizers = this.quantizer.count(options);
    return tf.tidy(() =>
      this.quantizer.encode(this.#quantConv.apply(this.#encoder.apply(windows, { paramGrads: false })), {
        quantizers,
      })
    );
  }

  /**
   * Codes of K ≤ N stages → windows (no gradient): the decoder sees the sum
   * of the first K stages' code vectors.
   *
   * @param codes int32 `[batch, latentLength, K]`.
   * @returns `[batch, latentLength·hop]`.
   * @throws {RangeError} When codes are not rank 3 or K > N.
   */
  decode(codes: tf.Tensor3D): tf.Tensor2D {
    if (codes.rank !== 3) {
      throw new RangeError(`Cannot decode: expected codes [batch, time, quantizers], got [${codes.shape}]`);
    }
    this.quantizer.count({ quantizers: codes.shape[2] });
    return tf.tidy(() => this.#decoder.apply(this.#postQuantConv.apply(this.quantizer.lookup(codes))));
  }

  /**
   * Windows → codes on plain arrays.
   *
   * @param windows Row-major `[batch, samples]`.
   * @param samples Samples per window.
   * @param options `quantizers` K (default N).
   * @returns Row-major int32 `[batch, samples / hop, K]` (frame-major: a frame's K codes, stage 1 first, then the next frame's).
   * @throws {RangeError} When the lengths or K are not valid.
   */
  async encodeWindows(
    windows: Float32Array,
    samples: number,
    options: QuantizerCountOptions = {},
  ): Promise<Int32Array> {
    const x = tf.tensor2d(windows, [rowsOf(windows.length, samples), samples]);
    let codes: tf.Tensor3D;
    try {
      codes = this.encode(x, options);
    } finally {
      x.dispose();
    }
    const out = await codes.data<"int32">();
    codes.dispose();
    return Int32Array.from(out);
  }

  /**
   * Codes → windows on plain arrays.
   *
   * @param codes Row-major `[batch, latentLength, K]` (as {@linkcode Codec.encodeWindows} writes them).
   * @param latentLength Frames per window.
   * @param options `quantizers` K, the codes per frame (default N).
   * @returns Row-major `[batch, latentLength·hop]`.
   * @throws {RangeError} When a code is outside the codebook, the lengths do not fit or K > N.
   */
  async decodeCodes(
    codes: Int32Array,
    latentLength: number,
    options: QuantizerCountOptions = {},
  ): Promise<Float32Array> {
    const k = this.quantizer.count(options);
    const size = this.quantizer.spec.codebookSize;
    for (const c of codes) {
      if (!(c >= 0 && c < size)) throw new RangeError(`Cannot decode: code ${c} is outside [0, ${size})`);
    }
    const t = tf.tensor3d(codes, [rowsOf(codes.length, latentLength * k), latentLength, k], "int32");
    const y = this.decode(t);
    t.dispose();
    const out = await y.data<"float32">();
    y.dispose();
    return Float32Array.from(out);
  }

  /**
   * Codes per window.
   *
   * @param samples Window samples.
   * @returns The latent length.
   */
  latentLength(samples: number): number {
    return this.#encoder.outLength(samples);
  }

  /**
   * Forward FLOPs per module for one window.
   *
   * @param samples Window samples.
   * @returns FLOPs by module.
   */
  flops(samples: number): CodecFlops {
    const t = this.latentLength(samples);
    return {
      encoder: this.#encoder.flops(samples),
      quant_conv: this.#quantConv.flops(t),
      quantizer_search: this.quantizer.searchFlops(t),
      quantizer_projection: this.quantizer.projectionFlops(),
      post_quant_conv: this.#postQuantConv.flops(t),
      decoder: this.#decoder.flops(t),
    };
  }

  /**
   * Parameter counts of one module.
   *
   * @param module A generator module.
   * @returns Trainable and frozen counts.
   */
  moduleCounts(module: GeneratorModule): ParamCounts {
    return this.params.counts(`${module}/`);
  }

  /** Copy all parameters (the frozen codebook included) out, keyed by name. */
  exportParams(): Promise<Map<string, NamedArray>> {
    return this.params.exportArrays();
  }

  /**
   * Overwrite all parameters (the frozen codebook included).
   *
   * @param arrays Name → array.
   */
  importParams(arrays: ReadonlyMap<string, NamedArray>): void {
    this.params.importArrays(arrays);
  }

  /** Dispose the parameters. */
  dispose(): void {
    this.params.dispose();
  }

  #checkWindows(windows: tf.Tensor): void {
    if (windows.rank !== 2) throw new RangeError(`Cannot run codec: expected [batch, samples], got [${windows.shape}]`);
    const samples = windows.shape[1]!;
    if (samples % this.hop !== 0) {
      throw new RangeError(`Cannot run codec: ${samples} samples is not a multiple of the hop ${this.hop}`);
    }
  }
}

function rowsOf(length: number, width: number): number {
  if (!Number.isInteger(width) || width < 1 || length % width !== 0) {
    throw new RangeError(`Cannot reshape ${length} values into rows of ${width}`);
  }
  return length / width;
}
