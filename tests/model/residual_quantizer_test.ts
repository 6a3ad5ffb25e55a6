import * as tf from "@tensorflow/tfjs-core";
import { Codec } from "../../lib/model/codec.ts";
import { kernelPlanFor } from "../../lib/model/kernel_plan.ts";
import { ParamStore } from "../../lib/model/params.ts";
import { Quantizer } from "../../lib/model/quantizer.ts";
import { ResidualQuantizer, stageName } from "../../lib/model/residual_quantizer.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { assertEquals, assertRejects, assertThrows } from "../_assert.ts";
import { assertClose, normals } from "./_reference.ts";
import { referenceCodebook, referenceResidualQuantize } from "./_reference_codec.ts";

const CODES = 8, DIM = 4, BETA = 0.25;
const SHAPE: [number, number, number] = [2, 3, DIM];

/** Two stages with seeded weights, both biases moved off 0 so that a dropped bias shows. */
async function twoStages(seed: number) {
  const store = new ParamStore();
  const rng = Rng.fromSeed(seed);
  const ctx = { store, rng, plan: { conv: "custom", norm: "custom" } } as const;
  const stages = [1, 2].map((k) =>
    new Quantizer(ctx, {
      name: stageName("quantizer", k),
      codebookSize: CODES,
      codeDim: DIM,
      beta: BETA,
      legacyBeta: false,
    })
  );
  for (const name of ["quantizer/proj_bias", "quantizer/stage_2/proj_bias"]) {
    store.get(name).assign(tf.tensor1d(normals(rng, DIM, 0.2)));
  }
  const params = await store.exportArrays();
  const codebooks = ["quantizer", "quantizer/stage_2"].map((prefix) => referenceCodebook(params, prefix));
  return { store, rq: new ResidualQuantizer(stages), codebooks, params };
}

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`ResidualQuantizer.apply() matches a float64 two-stage reference: residuals, codes, sum, summed commitment [${backend}]`, async () => {
    await initBackend(backend);
    const { store, rq, codebooks } = await twoStages(31);
    const zs = normals(Rng.fromSeed(32), 2 * 3 * DIM, 0.5);
    const z = tf.tensor3d(zs, SHAPE);
    const want = referenceResidualQuantize(codebooks, { data: Float64Array.from(zs), shape: SHAPE }, BETA);
    // Stage 2 must see a residual, not z: its codes differ from z's nearest in its codebook.
    const direct = referenceResidualQuantize([codebooks[1]!], { data: Float64Array.from(zs), shape: SHAPE }, BETA);
    assertEquals(want.indices[1]!.every((c, i) => c === direct.indices[0]![i]), false);

    const out = rq.apply(z);
    assertEquals(out.indices.shape, [2, 3, 2]);
    const frameMajor = want.indices[0]!.flatMap((c, i) => [c, want.indices[1]![i]!]);
    assertEquals(Array.from(out.indices.dataSync()), frameMajor);
    assertClose(out.quantized.dataSync(), want.quantized.data, 1e-5);
    assertClose(out.commitLoss.dataSync(), [want.commitLoss], 1e-7, 1e-5);
    const codes = rq.encode(z);
    assertEquals(Array.from(codes.dataSync()), frameMajor);
    const summed = rq.lookup(codes);
    assertClose(summed.dataSync(), want.quantized.data, 1e-5);

    // The first stage alone is the single quantizer.
    const one = rq.apply(z, { quantizers: 1 });
    const single = rq.stages[0]!.apply(z);
    assertEquals(one.indices.shape, [2, 3, 1]);
    assertEquals(Array.from(one.indices.dataSync()), Array.from(single.indices.dataSync()));
    assertEquals(Array.from(one.quantized.dataSync()), Array.from(single.quantized.dataSync()));
    assertEquals(one.commitLoss.dataSync()[0], single.commitLoss.dataSync()[0]);
    assertClose(rq.lookup(rq.encode(z, { quantizers: 1 })).dataSync(), want.codes[0]!, 1e-5);
    tf.dispose([z, out.quantized, out.indices, out.commitLoss, codes, summed]);
    tf.dispose([one.quantized, one.indices, one.commitLoss, single.quantized, single.indices, single.commitLoss]);
    store.dispose();
  });

  Deno.test(`ResidualQuantizer.apply() gradients: straight through to z, commitment from stage 1 only, each codebook term to its own W and b [${backend}]`, async () => {
    await initBackend(backend);
    const { store, rq, codebooks, params } = await twoStages(41);
    const rng = Rng.fromSeed(42);
    const zs = normals(rng, 2 * 3 * DIM, 0.5);
    const z = tf.tensor3d(zs, SHAPE);
    const r = tf.tensor3d(normals(rng, 2 * 3 * DIM), SHAPE);
    const want = referenceResidualQuantize(codebooks, { data: Float64Array.from(zs), shape: SHAPE }, BETA);
    const numel = zs.length;

    // Straight-through: d/dz sum(Σq · r) = r exactly.
    const [dz] = tf.grads((zz: tf.Tensor) => tf.sum(tf.mul(rq.apply(zz as tf.Tensor3D).quantized, r)))([z]);
    assertClose(dz!.dataSync(), r.dataSync(), 1e-6);
    // The summed commitment reaches z only through stage 1's β term: 2β(z − q₁)/numel.
    const [dzCommit] = tf.grads((zz: tf.Tensor) => rq.apply(zz as tf.Tensor3D).commitLoss)([z]);
    assertClose(dzCommit!.dataSync(), want.codes[0]!.map((q, i) => 2 * BETA * (zs[i]! - q) / numel), 1e-7, 1e-4);
    // Stage k's codebook term mean((q_k − sg(r_k))²), with q_k = C_k[idx]·W_k + b_k.
    const vars = ["quantizer/W", "quantizer/proj_bias", "quantizer/stage_2/W", "quantizer/stage_2/proj_bias"].map((n) =>
      store.get(n)
    );
    const { value, grads } = tf.variableGrads(() => rq.apply(z).commitLoss, vars);
    [0, 1].forEach((stage) => {
      const prefix = stage === 0 ? "quantizer" : "quantizer/stage_2";
      const c = params.get(`${prefix}/codebook`)!.data;
      const dq = want.codes[stage]!.map((q, i) => 2 * (q - want.residuals[stage]![i]!) / numel);
      const dw = new Float64Array(DIM * DIM), db = new Float64Array(DIM);
      want.indices[stage]!.forEach((code, row) => {
        for (let m = 0; m < DIM; m++) {
          for (let j = 0; j < DIM; j++) dw[m * DIM + j]! += c[code * DIM + m]! * dq[row * DIM + j]!;
        }
        for (let j = 0; j < DIM; j++) db[j]! += dq[row * DIM + j]!;
      });
      assertClose(grads[vars[2 * stage]!.name]!.dataSync(), dw, 1e-7, 1e-4);
      assertClose(grads[vars[2 * stage + 1]!.name]!.dataSync(), db, 1e-7, 1e-4);
    });
    // With one stage in use, stage 2 gets no gradient at all.
    const { value: v1, grads: g1 } = tf.variableGrads(() => rq.apply(z, { quantizers: 1 }).commitLoss, vars);
    assertEquals(g1[vars[2]!.name], undefined);
    assertEquals(g1[vars[3]!.name], undefined);
    tf.dispose([z, r, dz!, dzCommit!, value, v1, ...Object.values(grads), ...Object.values(g1)]);
    store.dispose();
  });
}

Deno.test("ResidualQuantizer refuses K outside 1..N with one line", async () => {
  await initBackend("cpu");
  const { store, rq } = await twoStages(51);
  const z = tf.zeros([1, 2, DIM]) as tf.Tensor3D;
  assertThrows(
    () => rq.apply(z, { quantizers: 3 }),
    RangeError,
    "Cannot use 3 quantizers: the model has 2 (use 1 to 2)",
  );
  assertThrows(() => rq.encode(z, { quantizers: 0 }), RangeError, "Cannot use 0 quantizers");
  assertThrows(() => rq.encode(z, { quantizers: 1.5 }), RangeError, "Cannot use 1.5 quantizers");
  const codes = tf.zeros([1, 2, 3], "int32") as tf.Tensor3D;
  assertThrows(() => rq.lookup(codes), RangeError, "Cannot use 3 quantizers: the model has 2");
  tf.dispose([z, codes]);
  store.dispose();
});

const TINY = {
  enc_channels: [4, 8],
  enc_down_strides: [4],
  dec_channels: [8, 4],
  dec_up_strides: [4],
  latent_dim: 4,
  codebook_size: 16,
};

Deno.test("Codec() with N stages names stage k ≥ 2 quantizer/stage_<k>/ and starts the rest as the one-stage model does", async () => {
  const backend = await initBackend("cpu");
  const make = (n: number) =>
    new Codec(parseConfig({ model: { ...TINY, num_quantizers: n } }).model, {
      rng: Rng.fromSeed(5),
      plan: kernelPlanFor(backend.name),
      outputActivation: "linear",
    });
  const one = make(1), three = make(3);
  const a = await one.exportParams(), b = await three.exportParams();
  const extra = [...b.keys()].filter((name) => !a.has(name)).sort();
  assertEquals(extra, [
    "quantizer/stage_2/W",
    "quantizer/stage_2/codebook",
    "quantizer/stage_2/proj_bias",
    "quantizer/stage_3/W",
    "quantizer/stage_3/codebook",
    "quantizer/stage_3/proj_bias",
  ]);
  for (const [name, p] of a) assertEquals(b.get(name)!.data, p.data, name);
  assertEquals(three.numQuantizers, 3);
  assertEquals(three.moduleCounts("quantizer"), { trainable: 3 * (16 + 4), frozen: 3 * 16 * 4 });
  // Stages have their own codebooks.
  assertEquals(
    b.get("quantizer/stage_2/codebook")!.data.every((v, i) => v === b.get("quantizer/codebook")!.data[i]),
    false,
  );
  const f1 = one.flops(64), f3 = three.flops(64);
  assertEquals([f3.quantizer_search, f3.quantizer_projection], [3 * f1.quantizer_search, 3 * f1.quantizer_projection]);
  one.dispose();
  three.dispose();
});

Deno.test("Codec refuses K > N on every entry with one line", async () => {
  const backend = await initBackend("cpu");
  const codec = new Codec(parseConfig({ model: { ...TINY, num_quantizers: 2 } }).model, {
    rng: Rng.fromSeed(6),
    plan: kernelPlanFor(backend.name),
    outputActivation: "linear",
  });
  const x = tf.zeros([1, 16]) as tf.Tensor2D;
  const message = "Cannot use 3 quantizers: the model has 2 (use 1 to 2)";
  assertThrows(() => codec.forward(x, { quantizers: 3 }), RangeError, message);
  assertThrows(() => codec.encode(x, { quantizers: 3 }), RangeError, message);
  const codes = tf.zeros([1, 4, 3], "int32") as tf.Tensor3D;
  assertThrows(() => codec.decode(codes), RangeError, message);
  await assertRejects(() => codec.encodeWindows(new Float32Array(16), 16, { quantizers: 3 }), RangeError, message);
  await assertRejects(() => codec.decodeCodes(new Int32Array(12), 4, { quantizers: 3 }), RangeError, message);
  const flat = tf.zeros([1, 4], "int32");
  assertThrows(
    () => codec.decode(flat as tf.Tensor3D),
    RangeError,
    "expected codes [batch, time, quantizers], got [1,4]",
  );
  // The refusals leak no tensors.
  const before = tf.memory().numTensors;
  assertThrows(() => codec.encode(x, { quantizers: 3 }), RangeError, message);
  await assertRejects(() => codec.encodeWindows(new Float32Array(16), 16, { quantizers: 3 }), RangeError, message);
  assertEquals(tf.memory().numTensors, before);
  tf.dispose([x, codes, flat]);
  codec.dispose();
});
