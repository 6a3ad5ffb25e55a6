/**
 * The decoder `SimVQDecoder1D` (notes §3): conv_in (k=3, bias), two middle
 * blocks, one stage per up stride (residual blocks at the stage's input
 * width, then a 1-D pixel shuffle), GroupNorm + swish, a k=3 conv to one
 * channel (bias) and the output head (tanh for minmax data, linear for
 * median/MAD data).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ModelConfig } from "../runtime/config_schema.ts";
import { Conv1dLayer, type LayerContext } from "./conv_layer.ts";
import { MID_BLOCKS } from "./encoder.ts";
import type { ApplyOptions } from "./kernel_plan.ts";
import { GroupNormLayer } from "./norm_layer.ts";
import { ResBlock } from "./res_block.ts";

/** The decoder's output head. */
export type OutputActivation = "linear" | "tanh";
/** Kernel size of conv_in, the shuffle convs and to_signal. */
const DECODER_KERNEL = 3;

/**
 * The output head for a data normalisation (SPEC §4): tanh for `minmax`
 * ([-1, 1] data), linear for `median_mad` (unbounded data).
 *
 * @param normalization `data.normalization`.
 * @returns The head.
 */
export function outputActivationFor(normalization: "median_mad" | "minmax"): OutputActivation {
  return normalization === "minmax" ? "tanh" : "linear";
}

/**
 * 1-D pixel shuffle: `[batch, time, factor·channels]` → `[batch, time·factor,
 * channels]`, output sample t·f + j, channel c taking input channel j·C + c
 * (sub-position major, channel minor). In row-major layout this is a reshape.
 *
 * @param x `[batch, time, factor·channels]`.
 * @param factor Upsampling factor f.
 * @returns `[batch, time·factor, channels]`.
 */
export function pixelShuffle1d(x: tf.Tensor3D, factor: number): tf.Tensor3D {
  const [batch, time, width] = x.shape;
  if (!Number.isInteger(factor) || factor < 1 || width % factor !== 0) {
    throw new RangeError(`Cannot pixel-shuffle: ${width} channels by factor ${factor}`);
  }
  return tf.reshape(x, [batch, time * factor, width / factor]);
}

interface Stage {
  readonly blocks: readonly ResBlock[];
  readonly shuffle: Conv1dLayer;
  readonly factor: number;
}

/** The decoder: `[batch, latentLength, latent_dim]` → `[batch, latentLength·hop]`. */
export class Decoder {
  /** The output head. */
  readonly activation: OutputActivation;
  readonly #convIn: Conv1dLayer;
  readonly #mid: readonly ResBlock[];
  readonly #stages: readonly Stage[];
  readonly #normOut: GroupNormLayer;
  readonly #toSignal: Conv1dLayer;

  /**
   * Create a Decoder.
   *
   * @param ctx Store, rng and plan.
   * @param spec `name`: parameter name prefix, e.g. `decoder`; `model`: the
   *   model section (dec_channels, dec_up_strides, dec_num_res_blocks,
   *   latent_dim); `activation`: the output head.
   */
  constructor(
    ctx: LayerContext,
    spec: {
      name: string;
      model: Pick<ModelConfig, "dec_channels" | "dec_up_strides" | "dec_num_res_blocks" | "latent_dim">;
      activation: OutputActivation;
    },
  ) {
    const { name, model, activation } = spec;
    const ch = model.dec_channels;
    if (ch.length !== model.dec_up_strides.length + 1) {
      throw new RangeError(
        `Cannot build decoder: ${ch.length} channel entries for ${model.dec_up_strides.length} strides`,
      );
    }
    this.activation = activation;
    this.#convIn = new Conv1dLayer(ctx, {
      name: `${name}/conv_in`,
      kernelSize: DECODER_KERNEL,
      inChannels: model.latent_dim,
      outChannels: ch[0]!,
      bias: true,
    });
    this.#mid = Array.from(
      { length: MID_BLOCKS },
      (_, i) => new ResBlock(ctx, { name: `${name}/mid_${i}`, inChannels: ch[0]!, outChannels: ch[0]! }),
    );
    this.#stages = model.dec_up_strides.map((factor, i) => {
      const cin = ch[i]!, cout = ch[i + 1]!;
      const blocks = Array.from(
        { length: model.dec_num_res_blocks },
        (_, b) => new ResBlock(ctx, { name: `${name}/stage_${i}/block_${b}`, inChannels: cin, outChannels: cin }),
      );
      const shuffle = new Conv1dLayer(ctx, {
        name: `${name}/stage_${i}/shuffle`,
        kernelSize: DECODER_KERNEL,
        inChannels: cin,
        outChannels: cout * factor,
      });
      return { blocks, shuffle, factor };
    });
    const last = ch[ch.length - 1]!;
    this.#normOut = new GroupNormLayer(ctx, { name: `${name}/norm_out`, channels: last });
    this.#toSignal = new Conv1dLayer(ctx, {
      name: `${name}/to_signal`,
      kernelSize: DECODER_KERNEL,
      inChannels: last,
      outChannels: 1,
      bias: true,
    });
  }

  /**
   * Decode latents.
   *
   * @param z `[batch, latentLength, latent_dim]`.
   * @param options Whether parameter gradients are needed.
   * @returns `[batch, latentLength·hop]`.
   */
  apply(z: tf.Tensor3D, options: ApplyOptions = {}): tf.Tensor2D {
    return tf.tidy(() => {
      let h = this.#convIn.apply(z, options);
      for (const block of this.#mid) h = block.apply(h, options);
      for (const stage of this.#stages) {
        for (const block of stage.blocks) h = block.apply(h, options);
        h = pixelShuffle1d(stage.shuffle.apply(h, options), stage.factor);
      }
      const y = tf.squeeze(this.#toSignal.apply(this.#normOut.applySwish(h, options), options), [2]) as tf.Tensor2D;
      return this.activation === "tanh" ? tf.tanh(y) : y;
    });
  }

  /**
   * Forward FLOPs for one window.
   *
   * @param latentLength Latent steps.
   * @returns FLOPs of the decoder's convs.
   */
  flops(latentLength: number): number {
    let n = latentLength;
    let total = this.#convIn.flops(n);
    for (const block of this.#mid) total += block.flops(n);
    for (const stage of this.#stages) {
      for (const block of stage.blocks) total += block.flops(n);
      total += stage.shuffle.flops(n);
      n *= stage.factor;
    }
    return total + this.#toSignal.flops(n);
  }
}
