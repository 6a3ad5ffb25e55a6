/**
 * GroupNorm over `[batch, time, channels]` (Flax `GroupNorm` as the seed's
 * `GroupNorm1D` uses it), optionally fused with the swish that follows it
 * everywhere in this model.
 *
 * Groups are contiguous channel blocks; mean and biased variance are taken
 * over time × the group's channels, per sample; y = (x − μ)/√(σ² + ε)·γ + β.
 * The `custom` implementation is one `tf.customGrad` op saving only x, γ and
 * β and recomputing the normalised values in backward; `autodiff` is the
 * plain formula, kept as the reference.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { customOp } from "./custom_op.ts";

/** GroupNorm epsilon (notes §1). */
export const GROUP_NORM_EPS = 1e-6;
/** Upper bound on the number of groups. */
export const MAX_GROUPS = 32;

/** Which GroupNorm implementation to use. */
export type NormImpl = "autodiff" | "custom";

/**
 * The number of groups: the largest divisor of `channels` that is ≤ 32.
 *
 * @param channels Channel count.
 * @returns The group count.
 */
export function groupCount(channels: number): number {
  if (!Number.isInteger(channels) || channels < 1) {
    throw new RangeError(`Cannot group channels: ${channels} is not a positive integer`);
  }
  for (let g = Math.min(MAX_GROUPS, channels); g > 1; g--) if (channels % g === 0) return g;
  return 1;
}

/** Options of {@linkcode groupNorm}. */
export interface GroupNormOptions {
  /** Apply swish (x·sigmoid(x)) after the affine step (default false). */
  readonly swish?: boolean;
  /** Implementation (default `custom`). */
  readonly impl?: NormImpl;
  /** For `custom`: compute γ and β gradients (default true; false gives zeros). */
  readonly paramGrads?: boolean;
}

/**
 * GroupNorm with `groupCount(channels)` groups and ε = 1e-6, optionally
 * followed by swish.
 *
 * @param x `[batch, time, channels]`.
 * @param affine `scale` γ and `offset` β, each `[channels]`.
 * @param options Swish, implementation.
 * @returns `[batch, time, channels]`.
 */
export function groupNorm(
  x: tf.Tensor3D,
  affine: { scale: tf.Tensor1D; offset: tf.Tensor1D },
  options: GroupNormOptions = {},
): tf.Tensor3D {
  const { scale, offset } = affine;
  const swish = options.swish ?? false;
  if ((options.impl ?? "custom") === "autodiff") {
    return tf.tidy(() => {
      const [b, t, c] = x.shape;
      const g = groupCount(c);
      const x4 = tf.reshape(x, [b, t, g, c / g]);
      const mean = tf.mean(x4, [1, 3], true);
      const centred = tf.sub(x4, mean);
      const variance = tf.mean(tf.square(centred), [1, 3], true);
      const xhat = tf.reshape(tf.mul(centred, tf.rsqrt(tf.add(variance, GROUP_NORM_EPS))), [b, t, c]);
      const a = tf.add(tf.mul(xhat, scale), offset) as tf.Tensor3D;
      return swish ? tf.mul(a, tf.sigmoid(a)) : a;
    });
  }
  const paramGrads = options.paramGrads ?? true;
  return customOp<tf.Tensor3D>([x, scale, offset], (save) => {
    const { xhat, rstd } = normalise(x);
    const a = tf.add(tf.mul(xhat, scale), offset) as tf.Tensor3D;
    if (!swish) {
      save([xhat, rstd, scale]);
      return { value: a, gradFunc: (dy, saved) => tf.tidy(() => normGrads(dy, saved, paramGrads)) };
    }
    const sig = tf.sigmoid(a);
    const y = tf.mul(a, sig) as tf.Tensor3D;
    save([xhat, rstd, scale, sig, y]);
    return {
      value: y,
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const [s, ys] = [saved[3]!, saved[4]!];
          // d/da [a·σ(a)] = σ + a·σ·(1 − σ) = σ + y − y·σ
          const da = tf.mul(dy, tf.sub(tf.add(s, ys), tf.mul(ys, s))) as tf.Tensor3D;
          return normGrads(da, saved, paramGrads);
        }),
    };
  });
}

/**
 * Gradients of y = x̂·γ + β given dy and the saved [x̂, rstd, γ]:
 * dγ = Σ dy·x̂, dβ = Σ dy, dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) with
 * dx̂ = dy·γ and means over each sample's group. Only two full-size
 * reductions (per sample and channel, over time); the rest is on `[batch, channels]`.
 */
function normGrads(dy: tf.Tensor3D, saved: tf.Tensor[], paramGrads: boolean): tf.Tensor[] {
  const [xhat, rstd, gamma] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor1D];
  const [b, t, c] = xhat.shape;
  const g = groupCount(c);
  const meanDy = timeMean(dy); // [b, c]
  const meanDyX = timeMean(tf.mul(dy, xhat)); // [b, c]
  const perGroup = (perChannel: tf.Tensor): tf.Tensor3D =>
    toChannels(tf.mean(tf.reshape(tf.mul(perChannel, gamma), [b, g, c / g]), 2), c);
  const meanDxhat = perGroup(meanDy); // [b, 1, c]
  const meanDxhatX = perGroup(meanDyX);
  // dx = dy·(γ·rstd) − rstd·mean(dx̂) − x̂·(rstd·mean(dx̂·x̂))
  const dx = tf.sub(
    tf.sub(tf.mul(dy, tf.mul(gamma, rstd)), tf.mul(rstd, meanDxhat)),
    tf.mul(xhat, tf.mul(rstd, meanDxhatX)),
  );
  if (!paramGrads) return [dx, tf.zerosLike(gamma), tf.zerosLike(gamma)];
  return [dx, tf.mul(tf.sum(meanDyX, 0), t), tf.mul(tf.sum(meanDy, 0), t)];
}

/**
 * Mean over time per sample and channel, `[b, t, c]` → `[b, c]`, as one
 * full-width average pool (XNNPACK on wasm; ~30x faster there than a sum
 * over a non-innermost axis, which transposes first).
 */
function timeMean(x: tf.Tensor3D): tf.Tensor2D {
  const [b, t, c] = x.shape;
  const pooled = tf.avgPool(tf.reshape(x, [b, 1, t, c]) as tf.Tensor4D, [1, t], [1, t], "valid");
  return tf.reshape(pooled, [b, c]);
}

/** Per-group values `[b, g]` repeated over each group's channels: `[b, 1, c]`. */
function toChannels(perGroup: tf.Tensor, channels: number): tf.Tensor3D {
  const [b, g] = perGroup.shape as [number, number];
  const repeated = channels === g ? perGroup : tf.tile(tf.reshape(perGroup, [b, g, 1]), [1, 1, channels / g]);
  return tf.reshape(repeated, [b, 1, channels]);
}

/** Normalised input and the per-channel reciprocal standard deviation. */
interface Normalised {
  /** (x − μ)/√(σ² + ε), `[batch, time, channels]`. */
  readonly xhat: tf.Tensor3D;
  /** 1/√(σ² + ε) of each channel's group, `[batch, 1, channels]`. */
  readonly rstd: tf.Tensor3D;
}

/** Mean over time and each group's channels, repeated per channel: `[b, t, c]` → `[b, 1, c]`. */
function groupMean(x: tf.Tensor3D): tf.Tensor3D {
  const [b, , c] = x.shape;
  const g = groupCount(c);
  const perChannel = timeMean(x);
  return toChannels(g === c ? perChannel : tf.mean(tf.reshape(perChannel, [b, g, c / g]), 2), c);
}

function normalise(x: tf.Tensor3D): Normalised {
  const centred = tf.sub(x, groupMean(x)) as tf.Tensor3D;
  const rstd = tf.rsqrt(tf.add(groupMean(tf.square(centred)), GROUP_NORM_EPS)) as tf.Tensor3D;
  return { xhat: tf.mul(centred, rstd), rstd };
}
