/**
 * Parameter initialisers, all drawing from a seeded {@linkcode Rng} so that
 * the same seed gives the same weights (Flax's defaults, re-derived).
 *
 * @module
 */
import type { Rng } from "../runtime/rng.ts";

/** Standard deviation of a unit normal truncated to [-2, 2] (Flax's correction constant). */
const TRUNCATED_NORMAL_STD = 0.87962566103423978;
/** Truncation bound, in standard deviations. */
const TRUNCATION_BOUND = 2;

/**
 * Flax `lecun_normal()`: a normal truncated to ±2σ, scaled so that the
 * variance is 1/fan_in, with fan_in the product of all but the last
 * dimension (for a conv kernel `[k, cin, cout]`: k·cin).
 *
 * @param rng The generator to draw from.
 * @param shape The weight's shape, output dimension last.
 * @returns Row-major values for `shape`.
 */
export function lecunNormal(rng: Rng, shape: readonly number[]): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  if (shape.length < 2 || !(fanIn > 0)) {
    throw new RangeError(`Cannot initialise weights: shape [${shape}] has no positive fan-in`);
  }
  const scale = Math.sqrt(1 / fanIn) / TRUNCATED_NORMAL_STD;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    let z = rng.nextNormal();
    while (Math.abs(z) > TRUNCATION_BOUND) z = rng.nextNormal();
    out[i] = z * scale;
  }
  return out;
}

/**
 * Independent normal values with mean 0.
 *
 * @param rng The generator to draw from.
 * @param size Number of values.
 * @param options `std`: standard deviation (default 1).
 * @returns `size` values.
 */
export function normal(rng: Rng, size: number, options: { std?: number } = {}): Float32Array {
  const std = options.std ?? 1;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.nextNormal() * std;
  return out;
}

/**
 * Flax `orthogonal()` for a square matrix: the Q of the QR decomposition of a
 * standard normal matrix, with column signs fixed so that R has a positive
 * diagonal (modified Gram–Schmidt in float64).
 *
 * @param rng The generator to draw from.
 * @param n Rows and columns.
 * @returns Row-major `[n, n]` values with orthonormal columns.
 */
export function orthogonal(rng: Rng, n: number): Float32Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < a.length; i++) a[i] = rng.nextNormal();
  // Column j of a is a[i * n + j]; orthonormalise columns in order.
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += a[i * n + p]! * a[i * n + j]!;
      for (let i = 0; i < n; i++) a[i * n + j]! -= dot * a[i * n + p]!;
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += a[i * n + j]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) a[i * n + j]! /= norm;
  }
  return Float32Array.from(a);
}
