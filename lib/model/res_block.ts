/**
 * The pre-activation residual block shared by encoder, decoder and
 * discriminator (notes §1): h = conv2(swish(GN(conv1(swish(GN(x)))))), output
 * h + shortcut(x). Convs are k=3, no bias; the shortcut is the identity when
 * channels match, else a no-bias conv (k=3 in the encoder).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { Conv1dLayer, type LayerContext } from "./conv_layer.ts";
import type { ApplyOptions } from "./kernel_plan.ts";
import { GroupNormLayer } from "./norm_layer.ts";

/** Kernel size of the block's convs. */
const BLOCK_KERNEL = 3;

/** One residual block; parameters `<name>/{norm1,conv1,norm2,conv2,shortcut}`. */
export class ResBlock {
  readonly #norm1: GroupNormLayer;
  readonly #conv1: Conv1dLayer;
  readonly #norm2: GroupNormLayer;
  readonly #conv2: Conv1dLayer;
  readonly #shortcut: Conv1dLayer | null;

  /**
   * Create a ResBlock.
   *
   * @param ctx Store, rng and plan.
   * @param spec Parameter name prefix, channels in and out, and the shortcut
   *   conv's kernel size when they differ (default 3).
   */
  constructor(
    ctx: LayerContext,
    spec: { name: string; inChannels: number; outChannels: number; shortcutKernel?: number },
  ) {
    const { name, inChannels: cin, outChannels: cout } = spec;
    this.#norm1 = new GroupNormLayer(ctx, { name: `${name}/norm1`, channels: cin });
    this.#conv1 = new Conv1dLayer(ctx, {
      name: `${name}/conv1`,
      kernelSize: BLOCK_KERNEL,
      inChannels: cin,
      outChannels: cout,
    });
    this.#norm2 = new GroupNormLayer(ctx, { name: `${name}/norm2`, channels: cout });
    this.#conv2 = new Conv1dLayer(ctx, {
      name: `${name}/conv2`,
      kernelSize: BLOCK_KERNEL,
      inChannels: cout,
      outChannels: cout,
    });
    this.#shortcut = cin === cout ? null : new Conv1dLayer(ctx, {
      name: `${name}/shortcut`,
      kernelSize: spec.shortcutKernel ?? BLOCK_KERNEL,
      inChannels: cin,
      outChannels: cout,
    });
  }

  /**
   * Apply the block.
   *
   * @param x `[batch, time, inChannels]`.
   * @param options Whether parameter gradients are needed.
   * @returns `[batch, time, outChannels]`.
   */
  apply(x: tf.Tensor3D, options: ApplyOptions = {}): tf.Tensor3D {
    return tf.tidy(() => {
      let h = this.#conv1.apply(this.#norm1.applySwish(x, options), options);
      h = this.#conv2.apply(this.#norm2.applySwish(h, options), options);
      return tf.add(h, this.#shortcut === null ? x : this.#shortcut.apply(x, options));
    });
  }

  /**
   * Forward FLOPs for one window.
   *
   * @param length Samples (the block keeps the length).
   * @returns FLOPs of its convs.
   */
  flops(length: number): number {
    return this.#conv1.flops(length) + this.#conv2.flops(length) + (this.#shortcut?.flops(length) ?? 0);
  }
}
