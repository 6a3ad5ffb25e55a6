import { assertAlmostEquals, assertThrows } from "../_assert.ts";
import * as tf from "@tensorflow/tfjs-core";
import {
  discriminatorHingeLoss,
  fakeHingeLoss,
  featureMatchingLoss,
  generatorHingeLoss,
  l1Loss,
  realHingeLoss,
} from "../../lib/train/losses.ts";
import { initBackend } from "../../lib/runtime/backend.ts";

Deno.test("l1Loss() is the mean absolute difference", async () => {
  await initBackend("cpu");
  const v = tf.tidy(() => l1Loss(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[0, 4], [3, 0]])).dataSync()[0]!);
  assertAlmostEquals(v, (1 + 2 + 0 + 4) / 4, 1e-7);
});

Deno.test("generatorHingeLoss() is minus the mean fake logit", async () => {
  await initBackend("cpu");
  assertAlmostEquals(tf.tidy(() => generatorHingeLoss(tf.tensor2d([[1, -3], [0.5, 2.5]])).dataSync()[0]!), -0.25, 1e-7);
});

Deno.test("discriminatorHingeLoss() is mean relu(1 − real) + mean relu(1 + fake)", async () => {
  await initBackend("cpu");
  // real: relu(1 − [2, 0.5, −1, 1]) = [0, 0.5, 2, 0] → 0.625; fake: relu(1 + [−2, 0, 1, −0.5]) = [0, 1, 2, 0.5] → 0.875.
  const [total, real, fake] = tf.tidy(() => {
    const r = tf.tensor2d([[2, 0.5], [-1, 1]]), f = tf.tensor2d([[-2, 0], [1, -0.5]]);
    return [discriminatorHingeLoss(r, f), realHingeLoss(r), fakeHingeLoss(f)].map((t) => t.dataSync()[0]!);
  });
  assertAlmostEquals(total!, 1.5, 1e-7);
  assertAlmostEquals(real!, 0.625, 1e-7);
  assertAlmostEquals(fake!, 0.875, 1e-7);
});

Deno.test("featureMatchingLoss() averages the per-layer mean absolute differences", async () => {
  await initBackend("cpu");
  const v = tf.tidy(() => {
    const real = [tf.tensor3d([[[1, 1], [1, 1]]]), tf.tensor3d([[[0], [0], [0], [0]]])];
    const fake = [tf.tensor3d([[[0, 1], [1, 3]]]), tf.tensor3d([[[1], [1], [1], [1]]])];
    return featureMatchingLoss(real, fake).dataSync()[0]!;
  });
  // layer 0: mean [1, 0, 0, 2] = 0.75; layer 1: 1; mean 0.875.
  assertAlmostEquals(v, 0.875, 1e-7);
  assertThrows(() => featureMatchingLoss([], []), RangeError, "Cannot match features: 0 real and 0 fake layers");
});
