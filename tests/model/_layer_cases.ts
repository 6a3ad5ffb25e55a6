// The layer conformance suite: the same cases on every backend (see layers_test.ts).
import * as tf from "@tensorflow/tfjs-core";
import { assertEquals } from "../_assert.ts";
import { conv1d, type ConvImpl } from "../../lib/model/conv1d.ts";
import { groupCount, groupNorm, type NormImpl } from "../../lib/model/group_norm.ts";
import { gatherRows, nearestCodes, Quantizer } from "../../lib/model/quantizer.ts";
import { ParamStore } from "../../lib/model/params.ts";
import { type ConcreteBackendName, initBackend } from "../../lib/runtime/backend.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { assertClose, finiteDifference, normals, referenceGroupNorm } from "./_reference.ts";

/** [batch, time, cin, cout, kernel, stride, bias] */
const CONV_CASES: readonly [number, number, number, number, number, number, boolean][] = [
  [2, 17, 3, 4, 3, 1, false], // k3 stride 1
  [2, 20, 3, 5, 3, 4, false], // encoder down conv (k < stride, no padding)
  [1, 13, 2, 3, 3, 5, true], // length not a multiple of the stride
  [2, 21, 2, 3, 15, 2, true], // discriminator conv (pad 6 / 7)
  [2, 9, 4, 3, 1, 1, false], // 1x1 conv, narrowing
  [2, 9, 2, 5, 1, 1, true], // 1x1 conv, widening
  [1, 11, 3, 2, 4, 3, true], // k > stride, not a multiple
];

/** Register the layer cases for `backend`. */
export function registerLayerCases(backend: ConcreteBackendName): void {
  const impls: readonly ConvImpl[] = ["custom", "autodiff"];

  Deno.test(`conv1d() equals tf.conv1d on cpu within 1e-5 [${backend}]`, async () => {
    const rng = Rng.fromSeed(11);
    for (const [b, t, cin, cout, k, s, hasBias] of CONV_CASES) {
      const xs = normals(rng, b * t * cin), ws = normals(rng, k * cin * cout, 0.5), bs = normals(rng, cout);
      await initBackend("cpu");
      const expected = tf.tidy(() => {
        const y = tf.conv1d(tf.tensor3d(xs, [b, t, cin]), tf.tensor3d(ws, [k, cin, cout]), s, "same");
        return (hasBias ? tf.add(y, tf.tensor1d(bs)) : y).dataSync();
      });
      await initBackend(backend);
      for (const impl of impls) {
        const got = tf.tidy(() =>
          conv1d(tf.tensor3d(xs, [b, t, cin]), tf.tensor3d(ws, [k, cin, cout]), {
            bias: hasBias ? tf.tensor1d(bs) : null,
            stride: s,
            impl,
          }).dataSync()
        );
        assertClose(got, expected, 1e-5);
      }
    }
  });

  Deno.test(`conv1d() custom gradients match finite differences [${backend}]`, async () => {
    await initBackend(backend);
    const rng = Rng.fromSeed(12);
    for (const [b, t, cin, cout, k, s] of CONV_CASES) {
      const x = tf.tensor3d(normals(rng, b * t * cin), [b, t, cin]);
      const w = tf.tensor3d(normals(rng, k * cin * cout, 0.5), [k, cin, cout]);
      const bias = tf.tensor1d(normals(rng, cout));
      const r = tf.tensor(normals(rng, b * Math.ceil(t / s) * cout), [b, Math.ceil(t / s), cout]);
      const loss = (inputs: tf.Tensor[]) =>
        tf.sum(
          tf.mul(
            conv1d(inputs[0] as tf.Tensor3D, inputs[1] as tf.Tensor3D, { bias: inputs[2] as tf.Tensor1D, stride: s }),
            r,
          ),
        ) as tf.Scalar;
      const grads = tf.grads((a: tf.Tensor, bb: tf.Tensor, c: tf.Tensor) => loss([a, bb, c]))([x, w, bias]);
      for (let i = 0; i < 3; i++) {
        // The loss is linear in each input, so central differences are exact up to rounding.
        assertClose(grads[i]!.dataSync(), finiteDifference(loss, [x, w, bias], i, 0.25), 2e-3, 2e-3);
      }
      tf.dispose([x, w, bias, r, ...grads]);
    }
  });

  Deno.test(`groupNorm() equals its formula, with and without swish [${backend}]`, async () => {
    await initBackend(backend);
    const rng = Rng.fromSeed(13);
    for (const [b, t, c] of [[2, 7, 4], [3, 5, 64], [1, 9, 40], [2, 6, 6]] as const) {
      const xs = normals(rng, b * t * c, 3), ss = normals(rng, c), os = normals(rng, c);
      for (const swish of [false, true]) {
        const expected = referenceGroupNorm(xs, [b, t, c], ss, os, groupCount(c), swish);
        for (const impl of ["custom", "autodiff"] as NormImpl[]) {
          const got = tf.tidy(() =>
            groupNorm(tf.tensor3d(xs, [b, t, c]), { scale: tf.tensor1d(ss), offset: tf.tensor1d(os) }, { swish, impl })
              .dataSync()
          );
          assertClose(got, expected, 1e-5, 1e-5);
        }
      }
    }
  });

  Deno.test(`groupNorm() custom gradients match finite differences [${backend}]`, async () => {
    await initBackend(backend);
    const rng = Rng.fromSeed(14);
    for (const [b, t, c] of [[2, 5, 4], [1, 6, 64]] as const) {
      const x = tf.tensor3d(normals(rng, b * t * c, 2), [b, t, c]);
      const scale = tf.tensor1d(normals(rng, c)), offset = tf.tensor1d(normals(rng, c));
      const r = tf.tensor3d(normals(rng, b * t * c), [b, t, c]);
      for (const swish of [false, true]) {
        const loss = (inputs: tf.Tensor[]) =>
          tf.sum(
            tf.mul(
              groupNorm(
                inputs[0] as tf.Tensor3D,
                { scale: inputs[1] as tf.Tensor1D, offset: inputs[2] as tf.Tensor1D },
                { swish },
              ),
              r,
            ),
          ) as tf.Scalar;
        const grads = tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => loss([a, s, o]))([x, scale, offset]);
        for (let i = 0; i < 3; i++) {
          assertClose(grads[i]!.dataSync(), finiteDifference(loss, [x, scale, offset], i, 1e-2), 2e-2, 2e-2);
        }
        tf.dispose(grads);
      }
      tf.dispose([x, scale, offset, r]);
    }
  });

  Deno.test(`nearestCodes() returns the brute-force nearest code, ties to the first [${backend}]`, async () => {
    await initBackend(backend);
    const rng = Rng.fromSeed(15);
    const n = 40, k = 16, d = 8;
    const zs = normals(rng, n * d), cs = normals(rng, k * d);
    // Rows 0 and 1 of the codebook are equal: a latent equal to them must pick 0.
    for (let j = 0; j < d; j++) cs[d + j] = cs[j]!, zs[j] = cs[j]!;
    const expected = Array.from({ length: n }, (_, i) => {
      let best = 0, bestDist = Infinity;
      for (let c = 0; c < k; c++) {
        let dist = 0;
        for (let j = 0; j < d; j++) dist += (zs[i * d + j]! - cs[c * d + j]!) ** 2;
        if (dist < bestDist) best = c, bestDist = dist;
      }
      return best;
    });
    const got = tf.tidy(() => Array.from(nearestCodes(tf.tensor2d(zs, [n, d]), tf.tensor2d(cs, [k, d])).dataSync()));
    assertEquals(got, expected);
    assertEquals(got[0], 0);
  });

  Deno.test(`gatherRows() gradient sums repeated rows [${backend}]`, async () => {
    await initBackend(backend);
    const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const indices = tf.tensor1d([2, 0, 2], "int32");
    const dy = tf.tensor2d([[1, 10], [100, 1000], [2, 20]]);
    const [dt] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, indices), dy)))([table]);
    assertEquals(Array.from(dt!.dataSync()), [100, 1000, 0, 0, 3, 30]);
    assertEquals(Array.from(gatherRows(table, indices).dataSync()), [5, 6, 1, 2, 5, 6]);
    tf.dispose([table, indices, dy, dt!]);
  });

  Deno.test(`Quantizer.apply() passes gradients straight through and trains the projection [${backend}]`, async () => {
    await initBackend(backend);
    const rng = Rng.fromSeed(16);
    const store = new ParamStore();
    const q = new Quantizer({ store, rng, plan: { conv: "custom", norm: "custom" } }, {
      name: "quantizer",
      codebookSize: 8,
      codeDim: 4,
      beta: 0.25,
      legacyBeta: false,
    });
    const z = tf.tensor3d(normals(rng, 2 * 3 * 4, 0.5), [2, 3, 4]);
    const r = tf.tensor3d(normals(rng, 2 * 3 * 4), [2, 3, 4]);
    // Straight-through: d/dz sum(z_q · r) = r exactly.
    const [dz] = tf.grads((zz: tf.Tensor) => tf.sum(tf.mul(q.apply(zz as tf.Tensor3D).quantized, r)))([z]);
    assertClose(dz!.dataSync(), r.dataSync(), 1e-6);
    // Commitment loss = β·mean((sg(q) − z)²) + mean((q − sg(z))²). Both terms
    // equal mean((q − z)²) in value, so finite differences (small steps keep
    // every code assignment fixed) see (1 + β)·mean((q − z)²); the stop
    // gradients leave β of it to z and 1 of it to W and b.
    const w = store.get("quantizer/W"), b = store.get("quantizer/proj_bias");
    const lossAt = (inputs: tf.Tensor[]) =>
      tf.tidy(() => {
        const saved = [tf.clone(w), tf.clone(b)];
        w.assign(inputs[1]!);
        b.assign(inputs[2]!);
        const out = q.apply(inputs[0] as tf.Tensor3D).commitLoss;
        w.assign(saved[0]!);
        b.assign(saved[1]!);
        return out;
      });
    const { grads } = tf.variableGrads(() => q.apply(z).commitLoss, [w, b]);
    const dzCommit = tf.grads((zz: tf.Tensor) => q.apply(zz as tf.Tensor3D).commitLoss)([z])[0]!;
    const inputs = [z, tf.clone(w), tf.clone(b)];
    const beta = q.spec.beta;
    const fd = (i: number, share: number) =>
      finiteDifference(lossAt, inputs, i, 1e-3).map((g) => g * share / (1 + beta));
    assertClose(dzCommit.dataSync(), fd(0, beta), 2e-4, 2e-2);
    assertClose(grads[w.name]!.dataSync(), fd(1, 1), 2e-4, 2e-2);
    assertClose(grads[b.name]!.dataSync(), fd(2, 1), 2e-4, 2e-2);
    tf.dispose([z, r, dz!, dzCommit, ...inputs.slice(1), ...Object.values(grads)]);
    store.dispose();
  });
}
