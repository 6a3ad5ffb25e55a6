/**
 * The SimVQ quantizer `SimVQ1D` (notes §2): a frozen codebook C ~ N(0, D^-½)
 * (`<name>/codebook`, saved with the weights, never trained), a trainable
 * projection W (orthogonal init, `<name>/W`) and bias (`<name>/proj_bias`).
 * The effective codebook C′ = C·W + b is recomputed on every call; each
 * latent takes its exact nearest code (ties → first index) and passes the
 * straight-through estimator z + sg(q − z).
 *
 * The search and the lookup are custom ops: the distances are computed off
 * the gradient tape, and the lookup's gradient is a scatter-add (wasm has no
 * gather gradient). All matMuls are untransposed.
 *
 * One Quantizer is one stage of a `ResidualQuantizer` (`residual_quantizer.ts`),
 * which uses its row-level parts ({@linkcode Quantizer.quantizeRows},
 * {@linkcode Quantizer.nearestRows}, {@linkcode Quantizer.lookupRows}).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { LayerContext } from "./conv_layer.ts";
import { normal, orthogonal } from "./init.ts";
import { customOp, stopGradient, untaped } from "./custom_op.ts";

/** Name, shape and loss settings of the quantizer. */
export interface QuantizerSpec {
  /** Parameter name prefix, e.g. `quantizer`. */
  readonly name: string;
  /** Codes K. */
  readonly codebookSize: number;
  /** Code dimension D (the latent dimension). */
  readonly codeDim: number;
  /** Commitment weight β. */
  readonly beta: number;
  /** Put β on the codebook term instead of the commitment term. */
  readonly legacyBeta: boolean;
}

/** What {@linkcode Quantizer.apply} returns (all owned by the caller). */
export interface QuantizeResult {
  /** Straight-through quantised latents z + sg(q − z), `[batch, time, codeDim]`. */
  readonly quantized: tf.Tensor3D;
  /** Nearest code per latent, int32 `[batch, time]`. */
  readonly indices: tf.Tensor2D;
  /** β·mean((sg(q) − z)²) + mean((q − sg(z))²) (β moves with legacyBeta), scalar. */
  readonly commitLoss: tf.Scalar;
}

/** The SimVQ quantizer. */
export class Quantizer {
  /** The shape and loss settings. */
  readonly spec: QuantizerSpec;
  readonly #codebook: tf.Variable;
  readonly #w: tf.Variable;
  readonly #bias: tf.Variable;

  /**
   * Create a Quantizer.
   *
   * @param ctx Store and rng (the plan is not used).
   * @param spec Name, shape and loss settings.
   */
  constructor(ctx: LayerContext, spec: QuantizerSpec) {
    this.spec = spec;
    const { name, codebookSize: k, codeDim: d } = spec;
    this.#codebook = ctx.store.add(`${name}/codebook`, [k, d], normal(ctx.rng, k * d, { std: d ** -0.5 }), {
      trainable: false,
    });
    this.#w = ctx.store.add(`${name}/W`, [d, d], orthogonal(ctx.rng, d));
    this.#bias = ctx.store.add(`${name}/proj_bias`, [d], new Float32Array(d));
  }

  /**
   * The effective codebook C·W + b, differentiable w.r.t. W and b only.
   *
   * @returns `[codebookSize, codeDim]`.
   */
  effectiveCodebook(): tf.Tensor2D {
    const c = this.#codebook as tf.Tensor2D;
    const w = this.#w as tf.Tensor2D;
    const b = this.#bias as tf.Tensor1D;
    return customOp<tf.Tensor2D>([w, b], () => ({
      value: tf.add(tf.matMul(c, w), b),
      gradFunc: (dy) => tf.tidy(() => [tf.matMul(tf.transpose(c), dy), tf.sum(dy, 0)]),
    }));
  }

  /**
   * Quantise latents.
   *
   * @param z Latents `[batch, time, codeDim]`.
   * @returns Quantised latents, indices and the commitment loss.
   */
  apply(z: tf.Tensor3D): QuantizeResult {
    const [batch, time, d] = z.shape;
    this.checkDim(d);
    return tf.tidy(() => {
      const flat = tf.reshape(z, [batch * time, d]) as tf.Tensor2D;
      const { q, indices, commitLoss } = this.quantizeRows(flat);
      const straightThrough = tf.add(flat, stopGradient(tf.sub(q, flat)));
      return {
        quantized: tf.reshape(straightThrough, [batch, time, d]) as tf.Tensor3D,
        indices: tf.reshape(indices, [batch, time]) as tf.Tensor2D,
        commitLoss,
      };
    });
  }

  /**
   * Quantise rows, for training: each row's nearest code, its vector (with
   * a gradient to W and b) and the commitment loss, without the
   * straight-through step (a residual quantizer takes it over the sum).
   *
   * @param flat Latents `[rows, codeDim]`.
   * @returns The code vectors `q` `[rows, codeDim]`, int32 `indices` `[rows]`
   *   and β·mean((sg(q) − z)²) + mean((q − sg(z))²) (β moves with legacyBeta).
   */
  quantizeRows(flat: tf.Tensor2D): { q: tf.Tensor2D; indices: tf.Tensor1D; commitLoss: tf.Scalar } {
    return tf.tidy(() => {
      const codebook = this.effectiveCodebook();
      const indices = nearestCodes(flat, codebook);
      const q = gatherRows(codebook, indices);
      const commit = tf.mean(tf.square(tf.sub(stopGradient(q), flat)));
      const codebookTerm = tf.mean(tf.square(tf.sub(q, stopGradient(flat))));
      const { beta, legacyBeta } = this.spec;
      const commitLoss = legacyBeta
        ? tf.add(commit, tf.mul(codebookTerm, beta))
        : tf.add(tf.mul(commit, beta), codebookTerm);
      return { q, indices, commitLoss: commitLoss as tf.Scalar };
    });
  }

  /**
   * Nearest codes of rows and their vectors (no gradient).
   *
   * @param flat Latents `[rows, codeDim]`.
   * @returns int32 `indices` `[rows]` and the code vectors `q` `[rows, codeDim]`.
   */
  nearestRows(flat: tf.Tensor2D): { indices: tf.Tensor1D; q: tf.Tensor2D } {
    return tf.tidy(() => {
      const codebook = this.effectiveCodebook();
      const indices = nearestCodes(flat, codebook);
      return { indices, q: tf.gather(codebook, indices) as tf.Tensor2D };
    });
  }

  /**
   * Code vectors of rows of indices (no gradient).
   *
   * @param indices int32 `[rows]`, each in [0, codebookSize).
   * @returns `[rows, codeDim]`.
   */
  lookupRows(indices: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => tf.gather(this.effectiveCodebook(), tf.cast(indices, "int32")) as tf.Tensor2D);
  }

  /**
   * Check a latent dimension against the codebook's.
   *
   * @param d The latents' last dimension.
   * @throws {RangeError} When it differs from codeDim.
   */
  checkDim(d: number | undefined): void {
    if (d !== this.spec.codeDim) {
      throw new RangeError(`Cannot quantise: latent dim ${d}, codebook dim ${this.spec.codeDim}`);
    }
  }

  /**
   * Nearest code indices (no gradient).
   *
   * @param z Latents `[batch, time, codeDim]`.
   * @returns int32 `[batch, time]`.
   */
  encode(z: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => {
      const [batch, time, d] = z.shape;
      const flat = tf.reshape(z, [batch * time, d]) as tf.Tensor2D;
      return tf.reshape(nearestCodes(flat, this.effectiveCodebook()), [batch, time]) as tf.Tensor2D;
    });
  }

  /**
   * Code vectors for indices (no gradient).
   *
   * @param indices int32 `[batch, time]`, each in [0, codebookSize).
   * @returns `[batch, time, codeDim]`.
   */
  lookup(indices: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [batch, time] = indices.shape;
      const rows = this.lookupRows(tf.reshape(indices, [batch * time]) as tf.Tensor1D);
      return tf.reshape(rows, [batch, time, this.spec.codeDim]) as tf.Tensor3D;
    });
  }

  /** FLOPs of C·W, paid once per forward whatever the batch. */
  projectionFlops(): number {
    return 2 * this.spec.codebookSize * this.spec.codeDim * this.spec.codeDim;
  }

  /**
   * FLOPs of the distance matMul for one window.
   *
   * @param latentLength Latent steps per window.
   * @returns 2·T·K·D.
   */
  searchFlops(latentLength: number): number {
    return 2 * latentLength * this.spec.codebookSize * this.spec.codeDim;
  }
}

/**
 * Index of the nearest row of `codebook` for each row of `z`, by
 * ‖z‖² + ‖c‖² − 2·z·cᵀ (ties → first index), computed off the tape.
 *
 * @param z `[n, d]`.
 * @param codebook `[k, d]`.
 * @returns int32 `[n]`.
 */
export function nearestCodes(z: tf.Tensor2D, codebook: tf.Tensor2D): tf.Tensor1D {
  return untaped(() => {
    const zz = tf.sum(tf.square(z), 1, true);
    const cc = tf.sum(tf.square(codebook), 1);
    const zc = tf.matMul(z, tf.transpose(codebook));
    return tf.argMin(tf.sub(tf.add(zz, cc), tf.mul(zc, 2)), 1) as tf.Tensor1D;
  });
}

/**
 * Rows of `table` at `indices`, with a scatter-add gradient for the table
 * (no gradient for the indices).
 *
 * @param table `[k, d]`.
 * @param indices int32 `[n]`.
 * @returns `[n, d]`.
 */
export function gatherRows(table: tf.Tensor2D, indices: tf.Tensor1D): tf.Tensor2D {
  const [k, d] = table.shape;
  return customOp<tf.Tensor2D>([table], (save) => {
    // Tensors a gradFunc reads must be saved: the forward scope disposes the rest.
    save([indices]);
    return {
      value: tf.gather(table, indices),
      gradFunc: (dy, saved) => tf.tidy(() => [tf.scatterND(tf.expandDims(saved[0]!, 1), dy, [k, d])]),
    };
  });
}
