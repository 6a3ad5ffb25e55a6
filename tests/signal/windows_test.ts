import { assertEquals, assertThrows } from "../_assert.ts";
import { Pod5Reader } from "../../lib/pod5/mod.ts";
import { countTrainingWindows, inferenceWindows, windowLayout } from "../../lib/signal/mod.ts";
import { fixture } from "../pod5/_fixtures.ts";

Deno.test("countTrainingWindows() gives 2 + 7 + 221 = 230 windows on z1", async () => {
  await using pod5 = await Pod5Reader.open(fixture("z1.pod5"));
  const counts = pod5.readMetadata().map((read) => countTrainingWindows(read.numSamples, 10_000));
  assertEquals(counts, [2, 7, 221]);
  assertEquals(countTrainingWindows(9_999, 10_000), 0);
  assertEquals(countTrainingWindows(0, 10_000), 0);
  assertThrows(() => countTrainingWindows(100, 0), RangeError, "windowSamples 0");
});

Deno.test("windowLayout() covers the read with the last window reaching its end", () => {
  assertEquals(windowLayout(0, { windowSamples: 10 }).numWindows, 0);
  assertEquals(windowLayout(3, { windowSamples: 10 }).numWindows, 1);
  assertEquals(windowLayout(10, { windowSamples: 10 }).numWindows, 1);
  assertEquals(windowLayout(11, { windowSamples: 10 }).numWindows, 2);
  assertEquals(windowLayout(25, { windowSamples: 10, hopSamples: 5 }), {
    numSamples: 25,
    windowSamples: 10,
    hopSamples: 5,
    numWindows: 4,
  });
  assertEquals(windowLayout(26, { windowSamples: 10, hopSamples: 5 }).numWindows, 5);
  assertThrows(() => windowLayout(25, { windowSamples: 10, hopSamples: 11 }), RangeError, "leaving gaps");
  assertThrows(() => windowLayout(25, { windowSamples: 10, hopSamples: 0 }), RangeError, "hopSamples 0");
});

Deno.test("inferenceWindows() cuts overlapping windows and pads the last by edge or zero", () => {
  const read = Float32Array.from({ length: 7 }, (_, i) => i + 1);
  const edge = inferenceWindows(read, { windowSamples: 4, hopSamples: 2 });
  assertEquals(edge.numWindows, 3);
  assertEquals(Array.from(edge.windows), [1, 2, 3, 4, 3, 4, 5, 6, 5, 6, 7, 7]);
  const zero = inferenceWindows(read, { windowSamples: 4, hopSamples: 2, pad: "zero" });
  assertEquals(Array.from(zero.windows), [1, 2, 3, 4, 3, 4, 5, 6, 5, 6, 7, 0]);
  const short = inferenceWindows(new Float32Array([5, 6]), { windowSamples: 4 });
  assertEquals(Array.from(short.windows), [5, 6, 6, 6]);
  assertEquals(inferenceWindows(new Float32Array(0), { windowSamples: 4 }).windows.length, 0);
});
