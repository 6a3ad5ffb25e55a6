/**
 * `stitch()`: overlap-add inference windows back into a full-length read,
 * the inverse of {@linkcode inferenceWindows} for an identity model.
 *
 * @module
 */
import { type WindowLayout, windowLayout } from "./windows.ts";

/**
 * How overlapping windows are weighted where they overlap:
 * - `"uniform"`: a plain average of every window covering a sample;
 * - `"triangular"`: each window weighted `min(t + 1, windowSamples − t)` at its
 *   offset `t`, a linear cross-fade that favours window centres.
 */
export type Crossfade = "uniform" | "triangular";

/** Options of {@linkcode stitch}. */
export interface StitchOptions {
  /** Overlap weighting. Default `"triangular"`. */
  readonly crossfade?: Crossfade;
}

/**
 * Overlap-add windows (e.g. a model's output for {@linkcode inferenceWindows})
 * into one read of `layout.numSamples` samples: each sample is the weighted
 * mean of the windows covering it; padding past the read's end is dropped.
 * When every window agrees with the read (an identity model) the result is
 * the read, bit for bit: sums run in float64 with integer weights, so
 * `Σ wᵢ·x / Σ wᵢ` is exactly `x`.
 *
 * @example Identity round trip
 * ```ts
 * import { inferenceWindows } from "./windows.ts";
 * import { stitch } from "./stitch.ts";
 * const read = Float32Array.from({ length: 25 }, (_, i) => Math.sin(i));
 * const cut = inferenceWindows(read, { windowSamples: 10, hopSamples: 4 });
 * const back = stitch(cut.windows, cut);
 * if (back.join() !== read.join()) throw new Error("not identity");
 * ```
 *
 * @param windows The windows, `[numWindows, windowSamples]` row-major.
 * @param layout The read's length, window and hop (an {@linkcode InferenceWindows} will do).
 * @param options Cross-fade (default `"triangular"`).
 * @returns The read, `[numSamples]`.
 * @throws {RangeError} When `windows` does not hold `numWindows × windowSamples` values.
 */
export function stitch(
  windows: Float32Array,
  layout: Pick<WindowLayout, "numSamples" | "windowSamples" | "hopSamples">,
  options: StitchOptions = {},
): Float32Array {
  const { numSamples: n, windowSamples: w, hopSamples: hop, numWindows } = windowLayout(layout.numSamples, layout);
  if (windows.length !== numWindows * w) {
    throw new RangeError(
      `Cannot stitch: expected ${numWindows} windows of ${w} samples (${numWindows * w} values), got ${windows.length}`,
    );
  }
  const crossfade = options.crossfade ?? "triangular";
  if (crossfade !== "uniform" && crossfade !== "triangular") {
    throw new RangeError(`Cannot stitch: unknown cross-fade "${String(crossfade)}"`);
  }
  const weights = new Float64Array(w);
  for (let t = 0; t < w; t++) weights[t] = crossfade === "uniform" ? 1 : Math.min(t + 1, w - t);
  const sum = new Float64Array(n);
  const total = new Float64Array(n);
  for (let i = 0; i < numWindows; i++) {
    const start = i * hop;
    const end = Math.min(start + w, n);
    const row = i * w;
    for (let s = start; s < end; s++) {
      const weight = weights[s - start]!;
      sum[s]! += weight * windows[row + s - start]!;
      total[s]! += weight;
    }
  }
  const out = new Float32Array(n);
  for (let s = 0; s < n; s++) out[s] = sum[s]! / total[s]!;
  return out;
}
