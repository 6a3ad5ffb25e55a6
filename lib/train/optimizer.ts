/**
 * AdamW with global-norm clipping, as optax's
 * `chain(clip_by_global_norm(c), adamw(lr, b1, b2, eps, weight_decay))`
 * (notes §6): decoupled weight decay on every parameter, bias-corrected
 * moments, no eps inside the square root.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { TrainConfig } from "../runtime/config_schema.ts";
import { ParamStateError } from "../model/errors.ts";
import { checkShape, type NamedArray, type ParamStore } from "../model/params.ts";

/** AdamW hyper-parameters. */
export interface AdamWConfig {
  /** Step size. */
  readonly learningRate: number;
  /** Decoupled weight decay. */
  readonly weightDecay: number;
  /** First-moment decay β1. */
  readonly beta1: number;
  /** Second-moment decay β2. */
  readonly beta2: number;
  /** Added to √v̂. */
  readonly epsilon: number;
  /** Clip gradients to this global L2 norm; null for no clipping. */
  readonly clipNorm: number | null;
}

/**
 * The AdamW settings of the `train` section.
 *
 * @param train The `train` section.
 * @returns learning_rate, weight_decay, adam_b1/b2/eps and grad_clip.
 */
export function adamWConfigFrom(train: TrainConfig): AdamWConfig {
  return {
    learningRate: train.learning_rate,
    weightDecay: train.weight_decay,
    beta1: train.adam_b1,
    beta2: train.adam_b2,
    epsilon: train.adam_eps,
    clipNorm: train.grad_clip,
  };
}

/** Everything an optimizer needs to resume exactly. */
export interface OptimizerState {
  /** Updates applied so far (the bias-correction count). */
  readonly step: number;
  /** First moments m, by parameter name. */
  readonly firstMoments: Map<string, NamedArray>;
  /** Second moments v, by parameter name. */
  readonly secondMoments: Map<string, NamedArray>;
}

/** What {@linkcode AdamW.apply} reports. */
export interface UpdateReport {
  /** Global L2 norm of the gradients before clipping. */
  readonly gradNorm: number;
}

interface Slot {
  readonly param: tf.Variable;
  readonly m: tf.Variable;
  readonly v: tf.Variable;
}

/** AdamW over the trainable parameters of one {@linkcode ParamStore}. */
export class AdamW {
  /** Hyper-parameters. */
  readonly config: AdamWConfig;
  readonly #slots = new Map<string, Slot>();
  #step = 0;

  /**
   * Create a AdamW.
   *
   * @param params The parameters to update (the trainable ones).
   * @param config Hyper-parameters.
   */
  constructor(params: ParamStore, config: AdamWConfig) {
    this.config = config;
    for (const name of params.trainableNames()) {
      const param = params.get(name);
      const [m, v] = tf.tidy(() => [tf.variable(tf.zerosLike(param), false), tf.variable(tf.zerosLike(param), false)]);
      this.#slots.set(name, { param, m: m!, v: v! });
    }
  }

  /** Updates applied so far. */
  get step(): number {
    return this.#step;
  }

  /**
   * Clip and apply one update. Every trainable parameter needs a gradient.
   * The gradients are not disposed.
   *
   * @param grads Gradient per parameter name, each shaped like its parameter.
   * @param options `learningRate` overrides the configured one for this update.
   * @returns The pre-clipping gradient norm.
   */
  async apply(grads: ReadonlyMap<string, tf.Tensor>, options: { learningRate?: number } = {}): Promise<UpdateReport> {
    for (const name of this.#slots.keys()) {
      if (!grads.has(name)) throw new RangeError(`Cannot apply update: no gradient for "${name}"`);
    }
    const normTensor = tf.tidy(() =>
      tf.sqrt(tf.addN([...this.#slots.keys()].map((n) => tf.sum(tf.square(grads.get(n)!)))))
    );
    const gradNorm = (await normTensor.data())[0]!;
    normTensor.dispose();
    const { weightDecay, beta1, beta2, epsilon, clipNorm } = this.config;
    const lr = options.learningRate ?? this.config.learningRate;
    const scale = clipNorm !== null && gradNorm >= clipNorm ? clipNorm / gradNorm : 1;
    this.#step++;
    const correction1 = 1 - beta1 ** this.#step;
    const correction2 = 1 - beta2 ** this.#step;
    for (const [name, slot] of this.#slots) {
      tf.tidy(() => {
        const g = scale === 1 ? grads.get(name)! : tf.mul(grads.get(name)!, scale);
        const m = tf.add(tf.mul(slot.m, beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(slot.v, beta2), tf.mul(tf.square(g), 1 - beta2));
        const update = tf.add(
          tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), epsilon)),
          tf.mul(slot.param, weightDecay),
        );
        slot.param.assign(tf.sub(slot.param, tf.mul(update, lr)));
        slot.m.assign(m);
        slot.v.assign(v);
      });
    }
    return { gradNorm };
  }

  /** Copy the moments and step count out. */
  async exportState(): Promise<OptimizerState> {
    const firstMoments = new Map<string, NamedArray>();
    const secondMoments = new Map<string, NamedArray>();
    for (const [name, slot] of this.#slots) {
      firstMoments.set(name, { shape: [...slot.m.shape], data: Float32Array.from(await slot.m.data<"float32">()) });
      secondMoments.set(name, { shape: [...slot.v.shape], data: Float32Array.from(await slot.v.data<"float32">()) });
    }
    return { step: this.#step, firstMoments, secondMoments };
  }

  /**
   * Restore moments and step count; everything is checked before anything changes.
   *
   * @param state As from {@linkcode AdamW.exportState}.
   * @throws {ParamStateError} On a missing or unknown name or a shape mismatch.
   */
  importState(state: OptimizerState): void {
    this.checkState(state);
    for (const [name, slot] of this.#slots) {
      tf.tidy(() => {
        slot.m.assign(tf.tensor(state.firstMoments.get(name)!.data, slot.m.shape, "float32"));
        slot.v.assign(tf.tensor(state.secondMoments.get(name)!.data, slot.v.shape, "float32"));
      });
    }
    this.#step = state.step;
  }

  /**
   * Check that `state` matches this optimizer's parameters.
   *
   * @param state As from {@linkcode AdamW.exportState}.
   * @throws {ParamStateError} On a missing or unknown name or a shape mismatch.
   */
  checkState(state: OptimizerState): void {
    if (!Number.isInteger(state.step) || state.step < 0) {
      throw new RangeError(`Cannot import optimizer state: step ${state.step} is not a non-negative integer`);
    }
    for (const [label, moments] of [["first", state.firstMoments], ["second", state.secondMoments]] as const) {
      for (const [name, slot] of this.#slots) {
        const a = moments.get(name);
        if (a === undefined) {
          throw new ParamStateError(name, `Cannot import optimizer state: ${label} moment of "${name}" is missing`);
        }
        checkShape(a, { name, shape: slot.param.shape });
      }
      for (const name of moments.keys()) {
        if (!this.#slots.has(name)) {
          throw new ParamStateError(name, `Cannot import optimizer state: "${name}" is not a trainable parameter`);
        }
      }
    }
  }

  /** Dispose the moment variables. */
  dispose(): void {
    for (const slot of this.#slots.values()) {
      slot.m.dispose();
      slot.v.dispose();
    }
    this.#slots.clear();
  }
}
