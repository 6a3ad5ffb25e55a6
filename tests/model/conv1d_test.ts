import { assertEquals, assertThrows } from "../_assert.ts";
import * as tf from "@tensorflow/tfjs-core";
import { conv1d, samePadding } from "../../lib/model/conv1d.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { assertClose, normals, referenceConv1d } from "./_reference.ts";

Deno.test("samePadding() follows Flax SAME arithmetic, extra sample on the right", () => {
  assertEquals(samePadding(10000, { kernelSize: 3, stride: 4 }), { outLength: 2500, left: 0, right: 0 }); // encoder down conv
  assertEquals(samePadding(625, { kernelSize: 3, stride: 5 }), { outLength: 125, left: 0, right: 0 });
  assertEquals(samePadding(10000, { kernelSize: 15, stride: 2 }), { outLength: 5000, left: 6, right: 7 }); // discriminator
  assertEquals(samePadding(10000, { kernelSize: 3, stride: 1 }), { outLength: 10000, left: 1, right: 1 });
  assertEquals(samePadding(5, { kernelSize: 4, stride: 1 }), { outLength: 5, left: 1, right: 2 });
  assertEquals(samePadding(7, { kernelSize: 2, stride: 3 }), { outLength: 3, left: 0, right: 1 });
  assertThrows(
    () => samePadding(10, { kernelSize: 0, stride: 1 }),
    RangeError,
    "kernel size 0 is not a positive integer",
  );
});

Deno.test("conv1d() pads a hand-computed case with the extra zero on the right", async () => {
  await initBackend("cpu");
  // x = 1..5, kernel [1, 10, 100, 1000] (k=4, stride 1): padding (1, 2), so
  // y[i] = x[i-1] + 10·x[i] + 100·x[i+1] + 1000·x[i+2].
  const y = tf.tidy(() =>
    Array.from(
      conv1d(tf.tensor3d([1, 2, 3, 4, 5], [1, 5, 1]), tf.tensor3d([1, 10, 100, 1000], [4, 1, 1])).dataSync(),
    )
  );
  assertEquals(y, [3210, 4321, 5432, 543, 54]);
  // Stride 3, k=2 on 7 samples: out 3, padding (0, 1): y[i] = x[3i] + 10·x[3i+1].
  const z = tf.tidy(() =>
    Array.from(
      conv1d(tf.tensor3d([1, 2, 3, 4, 5, 6, 7], [1, 7, 1]), tf.tensor3d([1, 10], [2, 1, 1]), {
        bias: tf.tensor1d([0.5]),
        stride: 3,
      }).dataSync(),
    )
  );
  assertEquals(z, [21.5, 54.5, 7.5]);
});

Deno.test("conv1d() custom op equals the float64 reference and autodiff gradients on cpu", async () => {
  await initBackend("cpu");
  const rng = Rng.fromSeed(3);
  for (
    const [b, t, cin, cout, k, s] of [[2, 40, 3, 4, 3, 1], [2, 40, 3, 4, 3, 4], [2, 30, 2, 3, 15, 2], [
      1,
      26,
      2,
      2,
      3,
      5,
    ]]
  ) {
    const xs = normals(rng, b! * t! * cin!), ws = normals(rng, k! * cin! * cout!), bs = normals(rng, cout!);
    const x = tf.tensor3d(xs, [b!, t!, cin!]), w = tf.tensor3d(ws, [k!, cin!, cout!]), bias = tf.tensor1d(bs);
    const y = conv1d(x, w, { bias, stride: s! });
    assertClose(y.dataSync(), referenceConv1d(xs, [b!, t!, cin!], ws, [k!, cin!, cout!], bs, s!), 1e-4, 1e-5);
    const r = tf.randomNormal(y.shape, 0, 1, "float32", 5);
    const grads = (impl: "custom" | "autodiff") =>
      tf.grads((a: tf.Tensor, bb: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.mul(conv1d(a as tf.Tensor3D, bb as tf.Tensor3D, { bias: c as tf.Tensor1D, stride: s!, impl }), r))
      )([x, w, bias]);
    const custom = grads("custom"), autodiff = grads("autodiff");
    for (let i = 0; i < 3; i++) assertClose(custom[i]!.dataSync(), autodiff[i]!.dataSync(), 1e-5, 1e-5);
    tf.dispose([x, w, bias, y, r, ...custom, ...autodiff]);
  }
});

Deno.test("conv1d() rejects a kernel whose input channels differ", async () => {
  await initBackend("cpu");
  const x = tf.zeros([1, 4, 2]) as tf.Tensor3D, w = tf.zeros([3, 3, 1]) as tf.Tensor3D;
  assertThrows(() => conv1d(x, w), RangeError, "Cannot convolve: input has 2 channels, kernel expects 3");
  tf.dispose([x, w]);
});
