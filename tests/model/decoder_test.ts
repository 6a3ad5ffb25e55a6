import { assertEquals, assertThrows } from "../_assert.ts";
import * as tf from "@tensorflow/tfjs-core";
import { outputActivationFor, pixelShuffle1d } from "../../lib/model/decoder.ts";
import { initBackend } from "../../lib/runtime/backend.ts";

Deno.test("pixelShuffle1d() puts sub-position major, channel minor", async () => {
  await initBackend("cpu");
  // One time step, factor 2, 3 output channels: input channel j·3 + c goes to
  // output sample j, channel c.
  const x = tf.tensor3d([[[0, 1, 2, 10, 11, 12], [20, 21, 22, 30, 31, 32]]]);
  const y = pixelShuffle1d(x, 2);
  assertEquals(y.shape, [1, 4, 3]);
  assertEquals(y.arraySync(), [[[0, 1, 2], [10, 11, 12], [20, 21, 22], [30, 31, 32]]]);
  assertThrows(() => pixelShuffle1d(x, 4), RangeError, "Cannot pixel-shuffle: 6 channels by factor 4");
  tf.dispose([x, y]);
});

Deno.test("outputActivationFor() is tanh for minmax data and linear for median/MAD", () => {
  assertEquals(outputActivationFor("minmax"), "tanh");
  assertEquals(outputActivationFor("median_mad"), "linear");
});
