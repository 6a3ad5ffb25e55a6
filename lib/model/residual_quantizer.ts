/**
 * Residual quantisation over SimVQ stages (EnCodec's and DAC's RVQ): stage 1
 * quantises the latents z, stage k the residual r_k = r_{k−1} − q_{k−1} that
 * stages 1..k−1 left, each with its own frozen codebook and trainable
 * projection (a {@linkcode Quantizer}). The decoder sees the sum
 * Σ q_k through the straight-through estimator z + sg(Σ q_k − z), so codes
 * of the first K stages decode for any K ≤ N: one model, N rates.
 *
 * Parameters: stage 1 keeps the single quantizer's names (`quantizer/W`,
 * `quantizer/proj_bias`, `quantizer/codebook`), so a model of one stage is
 * the model of version 0.1.0; stage k ≥ 2 is `quantizer/stage_<k>/...`.
 *
 * Gradients, as in DAC and EnCodec: the residual handed to the next stage is
 * cut from the tape, so stage k's codebook term trains only stage k's W and
 * b, the encoder gets the reconstruction's gradient straight through plus
 * stage 1's commitment term, and the loss is the sum of the stages'
 * β·mean((sg(q_k) − r_k)²) + mean((q_k − sg(r_k))²).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { stopGradient } from "./custom_op.ts";
import type { Quantizer } from "./quantizer.ts";

/** Shape and loss settings shared by every stage. */
export interface ResidualQuantizerSpec {
  /** Stages N. */
  readonly numQuantizers: number;
  /** Codes per stage. */
  readonly codebookSize: number;
  /** Code dimension D (the latent dimension). */
  readonly codeDim: number;
  /** Commitment weight β. */
  readonly beta: number;
  /** Put β on the codebook term instead of the commitment term. */
  readonly legacyBeta: boolean;
}

/** How many of the stages to use. */
export interface QuantizerCountOptions {
  /** Stages K to use, 1 ≤ K ≤ N: the first K. Default N (all). */
  readonly quantizers?: number;
}

/** What {@linkcode ResidualQuantizer.apply} returns (all owned by the caller). */
export interface ResidualQuantizeResult {
  /** Straight-through sum of the stages' code vectors, z + sg(Σ q_k − z), `[batch, time, codeDim]`. */
  readonly quantized: tf.Tensor3D;
  /** Each stage's code, int32 `[batch, time, K]` (stage k at index k − 1). */
  readonly indices: tf.Tensor3D;
  /** The stages' commitment + codebook losses, summed, scalar. */
  readonly commitLoss: tf.Scalar;
}

/**
 * The parameter name prefix of a stage: stage 1 keeps the quantizer's own
 * name (that of a single quantizer), stage k ≥ 2 is `<name>/stage_<k>`.
 *
 * @example
 * ```ts
 * import { stageName } from "./residual_quantizer.ts";
 * if (stageName("quantizer", 1) !== "quantizer" || stageName("quantizer", 3) !== "quantizer/stage_3") {
 *   throw new Error("unexpected stage names");
 * }
 * ```
 *
 * @param name The residual quantizer's name, e.g. `quantizer`.
 * @param k The 1-based stage.
 * @returns The stage's parameter name prefix.
 */
export function stageName(name: string, k: number): string {
  return k === 1 ? name : `${name}/stage_${k}`;
}

/** N SimVQ stages, each quantising what the ones before it left. */
export class ResidualQuantizer {
  /** The shape and loss settings (those of every stage). */
  readonly spec: ResidualQuantizerSpec;
  /** The stages, stage 1 first. */
  readonly stages: readonly Quantizer[];

  /**
   * Compose stages (built by the caller, so that it controls their
   * initialisation order).
   *
   * @param stages Stage 1 first; all with the same codebook size, code dim and loss settings.
   * @throws {RangeError} When there are no stages or they differ in shape or settings.
   */
  constructor(stages: readonly Quantizer[]) {
    const first = stages[0];
    if (first === undefined) throw new RangeError("Cannot build residual quantizer: no stages");
    const { codebookSize, codeDim, beta, legacyBeta } = first.spec;
    for (const s of stages) {
      if (
        s.spec.codebookSize !== codebookSize || s.spec.codeDim !== codeDim || s.spec.beta !== beta ||
        s.spec.legacyBeta !== legacyBeta
      ) {
        throw new RangeError(`Cannot build residual quantizer: stage ${s.spec.name} differs from ${first.spec.name}`);
      }
    }
    this.stages = [...stages];
    this.spec = { numQuantizers: stages.length, codebookSize, codeDim, beta, legacyBeta };
  }

  /**
   * The number of stages to use.
   *
   * @param options `quantizers` K (default N).
   * @returns K.
   * @throws {RangeError} When K is not an integer in [1, N].
   */
  count(options: QuantizerCountOptions = {}): number {
    const n = this.spec.numQuantizers;
    const k = options.quantizers ?? n;
    if (!Number.isInteger(k) || k < 1 || k > n) {
      throw new RangeError(`Cannot use ${k} quantizers: the model has ${n} (use 1 to ${n})`);
    }
    return k;
  }

  /**
   * Quantise latents with the first K stages, for training.
   *
   * @param z Latents `[batch, time, codeDim]`.
   * @param options `quantizers` K (default N).
   * @returns The straight-through sum, codes `[batch, time, K]` and the summed commitment loss.
   * @throws {RangeError} When K is out of range or the latent dim differs.
   */
  apply(z: tf.Tensor3D, options: QuantizerCountOptions = {}): ResidualQuantizeResult {
    const k = this.count(options);
    const [batch, time, d] = z.shape;
    this.stages[0]!.checkDim(d);
    return tf.tidy(() => {
      const flat = tf.reshape(z, [batch * time, d]) as tf.Tensor2D;
      let residual = flat;
      const qs: tf.Tensor2D[] = [], indices: tf.Tensor1D[] = [], losses: tf.Scalar[] = [];
      for (const [i, stage] of this.stages.slice(0, k).entries()) {
        const part = stage.quantizeRows(residual);
        qs.push(part.q);
        indices.push(part.indices);
        losses.push(part.commitLoss);
        if (i < k - 1) residual = stopGradient(tf.sub(residual, part.q));
      }
      const sum = qs.length === 1 ? qs[0]! : tf.addN(qs);
      const straightThrough = tf.add(flat, stopGradient(tf.sub(sum, flat)));
      return {
        quantized: tf.reshape(straightThrough, [batch, time, d]) as tf.Tensor3D,
        indices: tf.reshape(tf.stack(indices, 1), [batch, time, k]) as tf.Tensor3D,
        commitLoss: (losses.length === 1 ? losses[0]! : tf.addN(losses)) as tf.Scalar,
      };
    });
  }

  /**
   * Codes of the first K stages (no gradient).
   *
   * @param z Latents `[batch, time, codeDim]`.
   * @param options `quantizers` K (default N).
   * @returns int32 `[batch, time, K]`.
   * @throws {RangeError} When K is out of range or the latent dim differs.
   */
  encode(z: tf.Tensor3D, options: QuantizerCountOptions = {}): tf.Tensor3D {
    const k = this.count(options);
    const [batch, time, d] = z.shape;
    this.stages[0]!.checkDim(d);
    return tf.tidy(() => {
      let residual = tf.reshape(z, [batch * time, d]) as tf.Tensor2D;
      const indices: tf.Tensor1D[] = [];
      for (const [i, stage] of this.stages.slice(0, k).entries()) {
        const part = stage.nearestRows(residual);
        indices.push(part.indices);
        if (i < k - 1) residual = tf.sub(residual, part.q);
      }
      return tf.reshape(tf.stack(indices, 1), [batch, time, k]) as tf.Tensor3D;
    });
  }

  /**
   * The sum of the code vectors of K stages' codes (no gradient).
   *
   * @param codes int32 `[batch, time, K]`, K ≤ N, each in [0, codebookSize).
   * @returns `[batch, time, codeDim]`.
   * @throws {RangeError} When codes are not rank 3 or K is out of range.
   */
  lookup(codes: tf.Tensor3D): tf.Tensor3D {
    if (codes.rank !== 3) {
      throw new RangeError(`Cannot look up codes: expected [batch, time, quantizers], got [${codes.shape}]`);
    }
    const [batch, time, k] = codes.shape;
    this.count({ quantizers: k });
    return tf.tidy(() => {
      const perStage = k === 1 ? [codes] : tf.split(codes, k, 2);
      const rows = perStage.map((c, i) => this.stages[i]!.lookupRows(tf.reshape(c, [batch * time]) as tf.Tensor1D));
      const sum = rows.length === 1 ? rows[0]! : tf.addN(rows);
      return tf.reshape(sum, [batch, time, this.spec.codeDim]) as tf.Tensor3D;
    });
  }

  /** FLOPs of the stages' C·W, paid once per forward whatever the batch. */
  projectionFlops(): number {
    return this.stages.reduce((sum, s) => sum + s.projectionFlops(), 0);
  }

  /**
   * FLOPs of the stages' distance matMuls for one window.
   *
   * @param latentLength Latent steps per window.
   * @returns N·2·T·K·D.
   */
  searchFlops(latentLength: number): number {
    return this.stages.reduce((sum, s) => sum + s.searchFlops(latentLength), 0);
  }
}
