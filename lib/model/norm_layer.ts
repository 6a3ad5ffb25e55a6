/**
 * A GroupNorm layer with parameters `<name>/scale` (ones) and `<name>/bias`
 * (zeros), optionally followed by swish.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { LayerContext } from "./conv_layer.ts";
import { groupNorm } from "./group_norm.ts";
import type { ApplyOptions, KernelPlan } from "./kernel_plan.ts";

/** GroupNorm (+ swish) over `[batch, time, channels]`. */
export class GroupNormLayer {
  /** Channel count. */
  readonly channels: number;
  readonly #scale: tf.Variable;
  readonly #bias: tf.Variable;
  readonly #plan: KernelPlan;

  /**
   * Create a GroupNormLayer.
   *
   * @param ctx Store, rng and plan.
   * @param spec Parameter name prefix and channel count.
   */
  constructor(ctx: LayerContext, spec: { name: string; channels: number }) {
    const { name, channels } = spec;
    this.channels = channels;
    this.#scale = ctx.store.add(`${name}/scale`, [channels], new Float32Array(channels).fill(1));
    this.#bias = ctx.store.add(`${name}/bias`, [channels], new Float32Array(channels));
    this.#plan = ctx.plan;
  }

  /**
   * Normalise, then swish.
   *
   * @param x `[batch, time, channels]`.
   * @param options Whether parameter gradients are needed.
   * @returns swish(GroupNorm(x)), `[batch, time, channels]`.
   */
  applySwish(x: tf.Tensor3D, options: ApplyOptions = {}): tf.Tensor3D {
    return groupNorm(x, { scale: this.#scale as tf.Tensor1D, offset: this.#bias as tf.Tensor1D }, {
      swish: true,
      impl: this.#plan.norm,
      paramGrads: options.paramGrads ?? true,
    });
  }
}
