/**
 * The PatchGAN discriminator `PatchDiscriminator1D` (notes §4): per scale a
 * strided conv (bias, "SAME"), leaky ReLU 0.2 and residual blocks, whose
 * output is that scale's feature map; then a k=3 conv to one logit per patch.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { DiscriminatorConfig } from "../runtime/config_schema.ts";
import type { Rng } from "../runtime/rng.ts";
import { Conv1dLayer, type LayerContext } from "./conv_layer.ts";
import type { ApplyOptions, KernelPlan } from "./kernel_plan.ts";
import { type NamedArray, type ParamCounts, ParamStore } from "./params.ts";
import { ResBlock } from "./res_block.ts";

/** Negative slope of the leaky ReLU after each scale's conv. */
const LEAKY_SLOPE = 0.2;
/** Kernel size of the logit head. */
const HEAD_KERNEL = 3;
/** Parameter name prefix of the discriminator. */
export const DISCRIMINATOR_PREFIX = "discriminator";

/** What the discriminator returns (owned by the caller). */
export interface DiscriminatorOutput {
  /** One logit per patch, `[batch, patches]`. */
  readonly logits: tf.Tensor2D;
  /** The feature map after each scale's blocks, `[batch, time_i, channels_i]`. */
  readonly features: readonly tf.Tensor3D[];
}

interface Scale {
  readonly conv: Conv1dLayer;
  readonly blocks: readonly ResBlock[];
}

/** The discriminator with its parameters. */
export class Discriminator {
  /** Its parameters, named `discriminator/...`. */
  readonly params: ParamStore;
  readonly #scales: readonly Scale[];
  readonly #head: Conv1dLayer;

  /**
   * Build and initialise a discriminator.
   *
   * @param config The `model.discriminator` section.
   * @param options `rng` for the initial weights, `plan` for op implementations.
   */
  constructor(config: DiscriminatorConfig, options: { rng: Rng; plan: KernelPlan }) {
    if (config.channels.length !== config.strides.length) {
      throw new RangeError(
        `Cannot build discriminator: ${config.channels.length} channel entries for ${config.strides.length} strides`,
      );
    }
    this.params = new ParamStore();
    const ctx: LayerContext = { store: this.params, rng: options.rng, plan: options.plan };
    const name = DISCRIMINATOR_PREFIX;
    let prev = 1;
    this.#scales = config.channels.map((ch, i) => {
      const conv = new Conv1dLayer(ctx, {
        name: `${name}/scale_${i}/conv`,
        kernelSize: config.kernel_size,
        inChannels: prev,
        outChannels: ch,
        stride: config.strides[i]!,
        bias: true,
      });
      const blocks = Array.from(
        { length: config.resblock_layers },
        (_, b) => new ResBlock(ctx, { name: `${name}/scale_${i}/block_${b}`, inChannels: ch, outChannels: ch }),
      );
      prev = ch;
      return { conv, blocks };
    });
    this.#head = new Conv1dLayer(ctx, {
      name: `${name}/out`,
      kernelSize: HEAD_KERNEL,
      inChannels: prev,
      outChannels: 1,
      bias: true,
    });
  }

  /**
   * Score windows.
   *
   * @param x `[batch, samples]`.
   * @param options `paramGrads: false` when only the input gradient is needed.
   * @returns Logits `[batch, patches]` and one feature map per scale.
   */
  apply(x: tf.Tensor2D, options: ApplyOptions = {}): DiscriminatorOutput {
    if (x.rank !== 2) throw new RangeError(`Cannot score windows: expected [batch, samples], got [${x.shape}]`);
    return tf.tidy(() => {
      const features: tf.Tensor3D[] = [];
      let h = tf.expandDims(x, 2) as tf.Tensor3D;
      for (const scale of this.#scales) {
        h = tf.leakyRelu(scale.conv.apply(h, options), LEAKY_SLOPE);
        for (const block of scale.blocks) h = block.apply(h, options);
        features.push(h);
      }
      const logits = tf.squeeze(this.#head.apply(h, options), [2]) as tf.Tensor2D;
      return { logits, features };
    });
  }

  /**
   * Forward FLOPs for one window.
   *
   * @param samples Window samples.
   * @returns FLOPs of the convs.
   */
  flops(samples: number): number {
    let n = samples, total = 0;
    for (const scale of this.#scales) {
      total += scale.conv.flops(n);
      n = scale.conv.outLength(n);
      for (const block of scale.blocks) total += block.flops(n);
    }
    return total + this.#head.flops(n);
  }

  /** Trainable and frozen parameter counts. */
  counts(): ParamCounts {
    return this.params.counts();
  }

  /** Copy all parameters out, keyed by name. */
  exportParams(): Promise<Map<string, NamedArray>> {
    return this.params.exportArrays();
  }

  /**
   * Overwrite all parameters.
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
}
