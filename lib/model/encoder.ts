/**
 * The encoder `SimVQEncoder1D` (notes §1): conv_in, one stage per stride
 * (residual blocks, then a strided k=3 down conv when the stride is > 1), two
 * middle blocks, GroupNorm + swish, and a k=1 conv to the latent.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ModelConfig } from "../runtime/config_schema.ts";
import { Conv1dLayer, type LayerContext } from "./conv_layer.ts";
import type { ApplyOptions } from "./kernel_plan.ts";
import { GroupNormLayer } from "./norm_layer.ts";
import { ResBlock } from "./res_block.ts";

/** Middle residual blocks after the last stage (fixed in the seed). */
export const MID_BLOCKS = 2;
/** Kernel size of conv_in and of the down convs. */
const ENCODER_KERNEL = 3;
/** Kernel size of the encoder's conv shortcut (the seed passes use_conv_shortcut=True). */
const SHORTCUT_KERNEL = 3;

interface Stage {
  readonly blocks: readonly ResBlock[];
  readonly down: Conv1dLayer | null;
}

/** The encoder: `[batch, samples]` → `[batch, samples / hop, latent_dim]`. */
export class Encoder {
  readonly #convIn: Conv1dLayer;
  readonly #stages: readonly Stage[];
  readonly #mid: readonly ResBlock[];
  readonly #normOut: GroupNormLayer;
  readonly #toLatent: Conv1dLayer;

  /**
   * Create a Encoder.
   *
   * @param ctx Store, rng and plan.
   * @param spec `name`: parameter name prefix, e.g. `encoder`; `model`: the
   *   model section (enc_channels, enc_down_strides, enc_num_res_blocks, latent_dim).
   */
  constructor(
    ctx: LayerContext,
    spec: {
      name: string;
      model: Pick<ModelConfig, "enc_channels" | "enc_down_strides" | "enc_num_res_blocks" | "latent_dim">;
    },
  ) {
    const { name, model } = spec;
    const ch = model.enc_channels;
    if (ch.length !== model.enc_down_strides.length + 1) {
      throw new RangeError(
        `Cannot build encoder: ${ch.length} channel entries for ${model.enc_down_strides.length} strides`,
      );
    }
    this.#convIn = new Conv1dLayer(ctx, {
      name: `${name}/conv_in`,
      kernelSize: ENCODER_KERNEL,
      inChannels: 1,
      outChannels: ch[0]!,
    });
    const stages: Stage[] = [];
    model.enc_down_strides.forEach((stride, i) => {
      const cin = ch[i]!, cout = ch[i + 1]!;
      if (model.enc_num_res_blocks === 0 && cin !== cout && stride === 1) {
        throw new RangeError(`Cannot build encoder stage ${i}: no blocks and no down conv to change ${cin}→${cout}`);
      }
      const blocks: ResBlock[] = [];
      for (let b = 0; b < model.enc_num_res_blocks; b++) {
        blocks.push(
          new ResBlock(ctx, {
            name: `${name}/stage_${i}/block_${b}`,
            inChannels: b === 0 ? cin : cout,
            outChannels: cout,
            shortcutKernel: SHORTCUT_KERNEL,
          }),
        );
      }
      const downIn = model.enc_num_res_blocks === 0 ? cin : cout;
      const down = stride === 1 ? null : new Conv1dLayer(ctx, {
        name: `${name}/stage_${i}/down`,
        kernelSize: ENCODER_KERNEL,
        inChannels: downIn,
        outChannels: cout,
        stride,
      });
      stages.push({ blocks, down });
    });
    this.#stages = stages;
    const top = ch[ch.length - 1]!;
    this.#mid = Array.from(
      { length: MID_BLOCKS },
      (_, i) => new ResBlock(ctx, { name: `${name}/mid_${i}`, inChannels: top, outChannels: top }),
    );
    this.#normOut = new GroupNormLayer(ctx, { name: `${name}/norm_out`, channels: top });
    this.#toLatent = new Conv1dLayer(ctx, {
      name: `${name}/to_latent`,
      kernelSize: 1,
      inChannels: top,
      outChannels: model.latent_dim,
    });
  }

  /**
   * Encode windows.
   *
   * @param x `[batch, samples]`.
   * @param options Whether parameter gradients are needed.
   * @returns `[batch, latentLength, latent_dim]`.
   */
  apply(x: tf.Tensor2D, options: ApplyOptions = {}): tf.Tensor3D {
    return tf.tidy(() => {
      let h = this.#convIn.apply(tf.expandDims(x, 2) as tf.Tensor3D, options);
      for (const stage of this.#stages) {
        for (const block of stage.blocks) h = block.apply(h, options);
        if (stage.down !== null) h = stage.down.apply(h, options);
      }
      for (const block of this.#mid) h = block.apply(h, options);
      return this.#toLatent.apply(this.#normOut.applySwish(h, options), options);
    });
  }

  /**
   * Latent length for a window length.
   *
   * @param samples Window samples.
   * @returns Latent steps.
   */
  outLength(samples: number): number {
    let n = this.#convIn.outLength(samples);
    for (const stage of this.#stages) if (stage.down !== null) n = stage.down.outLength(n);
    return n;
  }

  /**
   * Forward FLOPs for one window.
   *
   * @param samples Window samples.
   * @returns FLOPs of the encoder's convs.
   */
  flops(samples: number): number {
    let n = samples;
    let total = this.#convIn.flops(n);
    for (const stage of this.#stages) {
      for (const block of stage.blocks) total += block.flops(n);
      if (stage.down !== null) {
        total += stage.down.flops(n);
        n = stage.down.outLength(n);
      }
    }
    for (const block of this.#mid) total += block.flops(n);
    return total + this.#toLatent.flops(n);
  }
}
