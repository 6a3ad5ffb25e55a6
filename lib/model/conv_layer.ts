/**
 * A conv layer: kernel `[k, cin, cout]` (lecun-normal), optional bias (zeros),
 * Flax "SAME" padding.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { Rng } from "../runtime/rng.ts";
import { conv1d, samePadding } from "./conv1d.ts";
import { lecunNormal } from "./init.ts";
import type { ApplyOptions, KernelPlan } from "./kernel_plan.ts";
import type { ParamStore } from "./params.ts";

/** Name and shape of a conv layer. */
export interface ConvSpec {
  /** Parameter name prefix, e.g. `encoder/conv_in`. */
  readonly name: string;
  /** Kernel size k. */
  readonly kernelSize: number;
  /** Input channels. */
  readonly inChannels: number;
  /** Output channels. */
  readonly outChannels: number;
  /** Stride (default 1). */
  readonly stride?: number;
  /** Whether it has a bias (default false: the model's convs mostly have none). */
  readonly bias?: boolean;
}

/** Everything a layer constructor needs besides its shape. */
export interface LayerContext {
  /** Where parameters are created. */
  readonly store: ParamStore;
  /** Source of initial values. */
  readonly rng: Rng;
  /** Op implementations. */
  readonly plan: KernelPlan;
}

/** One conv layer with parameters `<name>/kernel` and, with a bias, `<name>/bias`. */
export class Conv1dLayer {
  /** The name and shape. */
  readonly spec: Required<ConvSpec>;
  readonly #kernel: tf.Variable;
  readonly #bias: tf.Variable | null;
  readonly #plan: KernelPlan;

  /**
   * Create a Conv1dLayer.
   *
   * @param ctx Store, rng and plan.
   * @param spec Name and shape.
   */
  constructor(ctx: LayerContext, spec: ConvSpec) {
    this.spec = { stride: 1, bias: false, ...spec };
    const { name, kernelSize: k, inChannels: cin, outChannels: cout } = this.spec;
    this.#kernel = ctx.store.add(`${name}/kernel`, [k, cin, cout], lecunNormal(ctx.rng, [k, cin, cout]));
    this.#bias = this.spec.bias ? ctx.store.add(`${name}/bias`, [cout], new Float32Array(cout)) : null;
    this.#plan = ctx.plan;
  }

  /**
   * Apply the conv.
   *
   * @param x `[batch, time, inChannels]`.
   * @param options Whether parameter gradients are needed.
   * @returns `[batch, ceil(time / stride), outChannels]`.
   */
  apply(x: tf.Tensor3D, options: ApplyOptions = {}): tf.Tensor3D {
    return conv1d(x, this.#kernel as tf.Tensor3D, {
      bias: this.#bias as tf.Tensor1D | null,
      stride: this.spec.stride,
      impl: this.#plan.conv,
      paramGrads: options.paramGrads ?? true,
    });
  }

  /**
   * Output length for an input length.
   *
   * @param inLength Input samples.
   * @returns ceil(inLength / stride).
   */
  outLength(inLength: number): number {
    return samePadding(inLength, this.spec).outLength;
  }

  /**
   * Forward FLOPs for one window (2 per multiply-add; bias ignored).
   *
   * @param inLength Input samples.
   * @returns FLOPs.
   */
  flops(inLength: number): number {
    const { kernelSize: k, inChannels: cin, outChannels: cout } = this.spec;
    return 2 * k * cin * cout * this.outLength(inLength);
  }
}
