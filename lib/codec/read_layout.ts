/**
 * Where a read's samples go in the model: whole windows from the start,
 * then one tail window for the rest ({@linkcode TailStrategy}), so that every
 * sample is coded and decoding gives back exactly `numSamples` samples.
 *
 * @module
 */
import type { ReadLayout, ReadLayoutOptions } from "./types.ts";

/**
 * The layout of a read of `numSamples` samples.
 *
 * @example A read of 2.5 windows with each tail strategy
 * ```ts
 * import { readLayout } from "./read_layout.ts";
 * const at = (tail: "short" | "pad" | "end_align") =>
 *   readLayout(25_040, { windowSamples: 10_000, hopSamples: 80, tail });
 * if (at("short").numCodes !== 2 * 125 + 63) throw new Error("short: 5,040 samples need 63 codes");
 * if (at("pad").numCodes !== 3 * 125 || at("end_align").tailWindowStart !== 15_040) throw new Error("unexpected");
 * ```
 *
 * @param numSamples Samples in the read, ≥ 0.
 * @param options Window, hop and tail strategy.
 * @returns The layout.
 * @throws {RangeError} When the window is not a positive multiple of the hop, or a count is invalid.
 */
export function readLayout(numSamples: number, options: ReadLayoutOptions): ReadLayout {
  const { windowSamples: w, hopSamples: hop, tail } = options;
  if (!Number.isInteger(numSamples) || numSamples < 0) {
    throw new RangeError(`Cannot lay out read: ${numSamples} samples`);
  }
  if (!Number.isInteger(hop) || hop < 1 || !Number.isInteger(w) || w < hop || w % hop !== 0) {
    throw new RangeError(`Cannot lay out read: window ${w} is not a positive multiple of hop ${hop}`);
  }
  if (tail !== "short" && tail !== "pad" && tail !== "end_align") {
    throw new RangeError(`Cannot lay out read: unknown tail strategy "${String(tail)}"`);
  }
  const wholeWindows = Math.floor(numSamples / w);
  const tailSamples = numSamples - wholeWindows * w;
  const codesPerWindow = w / hop;
  let tailWindowSamples = 0;
  let tailWindowStart = wholeWindows * w;
  if (tailSamples > 0) {
    if (tail === "short") {
      tailWindowSamples = Math.ceil(tailSamples / hop) * hop;
    } else {
      tailWindowSamples = w;
      if (tail === "end_align" && wholeWindows > 0) tailWindowStart = numSamples - w;
    }
  }
  const tailCodes = tailWindowSamples / hop;
  return {
    numSamples,
    windowSamples: w,
    hopSamples: hop,
    tail,
    wholeWindows,
    tailSamples,
    tailWindowSamples,
    tailWindowStart,
    codesPerWindow,
    tailCodes,
    numCodes: wholeWindows * codesPerWindow + tailCodes,
  };
}

/**
 * The tail window's input: the read's samples from `tailWindowStart`,
 * padded with the last sample (edge) to `tailWindowSamples`.
 *
 * @param values The whole read (normalised), `[numSamples]`.
 * @param layout Its layout.
 * @returns `[tailWindowSamples]` (empty when there is no tail).
 */
export function tailWindow(values: Float32Array, layout: ReadLayout): Float32Array {
  const out = new Float32Array(layout.tailWindowSamples);
  if (out.length === 0) return out;
  const part = values.subarray(
    layout.tailWindowStart,
    Math.min(layout.numSamples, layout.tailWindowStart + out.length),
  );
  out.set(part);
  out.fill(values[layout.numSamples - 1]!, part.length);
  return out;
}

/**
 * The decoded tail's samples that belong to the read: the `tailSamples`
 * after the last whole window, cut from the decoded tail window.
 *
 * @param decoded The decoder's output for the tail window, `[tailWindowSamples]`.
 * @param layout The read's layout.
 * @returns `[tailSamples]` (a view of `decoded`).
 */
export function tailSamplesOf(decoded: Float32Array, layout: ReadLayout): Float32Array {
  if (decoded.length !== layout.tailWindowSamples) {
    throw new RangeError(`Cannot place tail: ${decoded.length} samples decoded, ${layout.tailWindowSamples} expected`);
  }
  const skip = layout.wholeWindows * layout.windowSamples - layout.tailWindowStart;
  return decoded.subarray(skip, skip + layout.tailSamples);
}
