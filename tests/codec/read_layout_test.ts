import { readLayout, tailSamplesOf, tailWindow } from "../../lib/codec/read_layout.ts";
import { assertEquals, assertThrows } from "../_assert.ts";

const W = 10_000, HOP = 80;
const at = (n: number, tail: "short" | "pad" | "end_align") =>
  readLayout(n, { windowSamples: W, hopSamples: HOP, tail });

Deno.test("readLayout() codes every sample: hand-computed cases for each tail strategy", () => {
  // [numSamples, strategy, whole windows, tail samples, tail window samples, tail window start, codes]
  const cases: [number, "short" | "pad" | "end_align", number, number, number, number, number][] = [
    [0, "short", 0, 0, 0, 0, 0],
    [1, "short", 0, 1, 80, 0, 1],
    [80, "short", 0, 80, 80, 0, 1],
    [81, "short", 0, 81, 160, 0, 2],
    [2_048, "short", 0, 2_048, 2_080, 0, 26],
    [2_048, "pad", 0, 2_048, 10_000, 0, 125],
    [2_048, "end_align", 0, 2_048, 10_000, 0, 125], // shorter than a window: end_align pads
    [10_000, "short", 1, 0, 0, 10_000, 125],
    [10_000, "end_align", 1, 0, 0, 10_000, 125],
    [21_734, "short", 2, 1_734, 1_760, 20_000, 272],
    [21_734, "pad", 2, 1_734, 10_000, 20_000, 375],
    [21_734, "end_align", 2, 1_734, 10_000, 11_734, 375],
  ];
  for (const [n, tail, whole, tailSamples, tailWindowSamples, start, codes] of cases) {
    const layout = at(n, tail);
    assertEquals(
      [layout.wholeWindows, layout.tailSamples, layout.tailWindowSamples, layout.tailWindowStart, layout.numCodes],
      [whole, tailSamples, tailWindowSamples, start, codes],
      `${n} samples, ${tail}`,
    );
  }
  // With short tails the codes of a read are ceil(n / hop) whatever its length.
  for (let n = 0; n < 30_000; n += 37) assertEquals(at(n, "short").numCodes, Math.ceil(n / HOP));
});

Deno.test("tailWindow() pads with the last sample and tailSamplesOf() cuts the read's part back out", () => {
  const values = Float32Array.from({ length: 21_734 }, (_, i) => i);
  for (const tail of ["short", "pad", "end_align"] as const) {
    const layout = at(values.length, tail);
    const window = tailWindow(values, layout);
    assertEquals(window.length, layout.tailWindowSamples);
    assertEquals(window[0], layout.tailWindowStart);
    assertEquals(window[window.length - 1], 21_733);
    // An identity model gives back the tail samples exactly.
    assertEquals([...tailSamplesOf(window, layout)], [...values.subarray(20_000)]);
  }
});

Deno.test("readLayout() rejecting a window that is not a multiple of the hop", () => {
  assertThrows(() => readLayout(10, { windowSamples: 100, hopSamples: 30, tail: "short" }), RangeError, "multiple");
  assertThrows(() => readLayout(-1, { windowSamples: 100, hopSamples: 20, tail: "short" }), RangeError, "-1 samples");
});
