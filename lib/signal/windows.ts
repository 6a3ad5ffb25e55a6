/**
 * Cutting a read into windows: non-overlapping training windows (the tail is
 * dropped, as the seed does), and overlapping inference windows that cover
 * the whole read (the last one padded) for {@linkcode stitch} to reassemble.
 *
 * @module
 */

/**
 * Number of training windows in a read: `floor(numSamples / windowSamples)`
 * (windows at 0, W, 2W, …; the tail and reads shorter than a window give none).
 *
 * @example
 * ```ts
 * import { countTrainingWindows } from "./windows.ts";
 * if (countTrainingWindows(21_734, 10_000) !== 2) throw new Error("unexpected");
 * ```
 *
 * @param numSamples Samples in the read.
 * @param windowSamples Samples per window, ≥ 1.
 * @returns The number of whole windows.
 * @throws {RangeError} When an argument is not a non-negative integer or the window is empty.
 */
export function countTrainingWindows(numSamples: number, windowSamples: number): number {
  checkCount("numSamples", numSamples, 0);
  checkCount("windowSamples", windowSamples, 1);
  return Math.floor(numSamples / windowSamples);
}

/** Where inference windows sit in a read: window `i` starts at `i · hopSamples`. */
export interface WindowLayout {
  /** Samples in the read. */
  readonly numSamples: number;
  /** Samples per window. */
  readonly windowSamples: number;
  /** Samples between window starts, 1 ≤ hop ≤ window. */
  readonly hopSamples: number;
  /** Number of windows: 0 for an empty read, else `1 + ceil(max(0, numSamples − windowSamples) / hopSamples)`. */
  readonly numWindows: number;
}

/** Options of {@linkcode windowLayout} and {@linkcode inferenceWindows}. */
export interface InferenceWindowOptions {
  /** Samples per window, ≥ 1. */
  readonly windowSamples: number;
  /** Samples between window starts, in [1, windowSamples]. Default: `windowSamples` (no overlap). */
  readonly hopSamples?: number;
  /**
   * How the last window is filled past the read's end: `"edge"` repeats the
   * last sample (as the seed's validation did), `"zero"` writes zeros. Default `"edge"`.
   */
  readonly pad?: "edge" | "zero";
}

/**
 * The inference window layout of a read of `numSamples` samples.
 *
 * @example
 * ```ts
 * import { windowLayout } from "./windows.ts";
 * const layout = windowLayout(25_000, { windowSamples: 10_000, hopSamples: 5_000 });
 * if (layout.numWindows !== 4) throw new Error("unexpected"); // starts 0, 5000, 10000, 15000
 * ```
 *
 * @param numSamples Samples in the read.
 * @param options Window and hop.
 * @returns The layout.
 * @throws {RangeError} When the window, hop or length is invalid.
 */
export function windowLayout(numSamples: number, options: InferenceWindowOptions): WindowLayout {
  const windowSamples = options.windowSamples;
  const hopSamples = options.hopSamples ?? windowSamples;
  checkCount("numSamples", numSamples, 0);
  checkCount("windowSamples", windowSamples, 1);
  checkCount("hopSamples", hopSamples, 1);
  if (hopSamples > windowSamples) {
    throw new RangeError(`Cannot lay out windows: hop ${hopSamples} exceeds window ${windowSamples}, leaving gaps`);
  }
  const numWindows = numSamples === 0 ? 0 : 1 + Math.ceil(Math.max(0, numSamples - windowSamples) / hopSamples);
  return { numSamples, windowSamples, hopSamples, numWindows };
}

/** Inference windows of a read, with their layout. */
export interface InferenceWindows extends WindowLayout {
  /** The windows, `[numWindows, windowSamples]` row-major. */
  readonly windows: Float32Array;
}

/**
 * Cut a whole read into overlapping windows for inference; the last window
 * is padded past the read's end. {@linkcode stitch} inverts it.
 *
 * @param values The read, `[numSamples]`.
 * @param options Window, hop (default: the window) and padding (default `"edge"`).
 * @returns The windows, `[numWindows, windowSamples]`, and their layout.
 * @throws {RangeError} When the window or hop is invalid.
 */
export function inferenceWindows(values: Float32Array, options: InferenceWindowOptions): InferenceWindows {
  const layout = windowLayout(values.length, options);
  const pad = options.pad ?? "edge";
  if (pad !== "edge" && pad !== "zero") throw new RangeError(`Cannot pad windows: unknown mode "${String(pad)}"`);
  const { windowSamples: w, hopSamples: hop, numWindows, numSamples: n } = layout;
  const windows = new Float32Array(numWindows * w);
  for (let i = 0; i < numWindows; i++) {
    const start = i * hop;
    const end = Math.min(start + w, n);
    windows.set(values.subarray(start, end), i * w);
    if (end - start < w && pad === "edge") windows.fill(values[n - 1]!, i * w + (end - start), (i + 1) * w);
  }
  return { ...layout, windows };
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`Cannot lay out windows: ${name} ${value} must be an integer ≥ ${min}`);
  }
}
