// Float64 reference implementations and helpers shared by the model tests.
import * as tf from "@tensorflow/tfjs-core";
import { assert } from "../_assert.ts";
import type { Rng } from "../../lib/runtime/rng.ts";

/** Seeded normal values. */
export function normals(rng: Rng, size: number, scale = 1): Float32Array {
  return Float32Array.from({ length: size }, () => rng.nextNormal() * scale);
}

/** Flax "SAME" 1-D conv, channels-last, in float64. x `[b, t, cin]`, w `[k, cin, cout]`. */
export function referenceConv1d(
  x: ArrayLike<number>,
  [b, t, cin]: readonly number[],
  w: ArrayLike<number>,
  [k, , cout]: readonly number[],
  bias: ArrayLike<number> | null,
  stride: number,
): Float64Array {
  const out = Math.ceil(t! / stride);
  const total = Math.max((out - 1) * stride + k! - t!, 0);
  const left = Math.floor(total / 2);
  const y = new Float64Array(b! * out * cout!);
  for (let n = 0; n < b!; n++) {
    for (let i = 0; i < out; i++) {
      for (let o = 0; o < cout!; o++) {
        let acc = bias === null ? 0 : bias[o]!;
        for (let j = 0; j < k!; j++) {
          const src = i * stride + j - left;
          if (src < 0 || src >= t!) continue;
          for (let c = 0; c < cin!; c++) acc += x[(n * t! + src) * cin! + c]! * w[(j * cin! + c) * cout! + o]!;
        }
        y[(n * out + i) * cout! + o] = acc;
      }
    }
  }
  return y;
}

/** GroupNorm (+ swish) in float64; x `[b, t, c]`. */
export function referenceGroupNorm(
  x: ArrayLike<number>,
  [b, t, c]: readonly number[],
  scale: ArrayLike<number>,
  offset: ArrayLike<number>,
  groups: number,
  swish: boolean,
): Float64Array {
  const y = new Float64Array(b! * t! * c!);
  const cg = c! / groups;
  for (let n = 0; n < b!; n++) {
    for (let g = 0; g < groups; g++) {
      let sum = 0, count = 0;
      for (let i = 0; i < t!; i++) for (let j = 0; j < cg; j++) sum += x[(n * t! + i) * c! + g * cg + j]!, count++;
      const mean = sum / count;
      let sq = 0;
      for (let i = 0; i < t!; i++) for (let j = 0; j < cg; j++) sq += (x[(n * t! + i) * c! + g * cg + j]! - mean) ** 2;
      const rstd = 1 / Math.sqrt(sq / count + 1e-6);
      for (let i = 0; i < t!; i++) {
        for (let j = 0; j < cg; j++) {
          const ch = g * cg + j, at = (n * t! + i) * c! + ch;
          const a = (x[at]! - mean) * rstd * scale[ch]! + offset[ch]!;
          y[at] = swish ? a / (1 + Math.exp(-a)) : a;
        }
      }
    }
  }
  return y;
}

/** Largest absolute difference. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert(a.length === b.length, `length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Assert |a − b| ≤ atol + rtol·|b| elementwise. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol = 0): void {
  assert(actual.length === expected.length, `length ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const tol = atol + rtol * Math.abs(expected[i]!);
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol)) {
      throw new Error(`element ${i}: ${actual[i]} vs ${expected[i]} (tolerance ${tol})`);
    }
  }
}

/**
 * Central finite differences of a scalar function of several tensors, w.r.t.
 * input `which`, in float32 tensors but float64 arithmetic on the results.
 */
export function finiteDifference(
  f: (inputs: tf.Tensor[]) => tf.Scalar,
  inputs: readonly tf.Tensor[],
  which: number,
  eps: number,
): Float64Array {
  const base = inputs[which]!.dataSync();
  const grad = new Float64Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const at = (delta: number): number =>
      tf.tidy(() => {
        const moved = Float32Array.from(base);
        moved[i] = moved[i]! + delta;
        const args = inputs.map((t, j) => (j === which ? tf.tensor(moved, t.shape) : t));
        return f(args).dataSync()[0]!;
      });
    const plus = at(eps), minus = at(-eps);
    grad[i] = (plus - minus) / (Math.fround(base[i]! + eps) - Math.fround(base[i]! - eps));
  }
  return grad;
}
