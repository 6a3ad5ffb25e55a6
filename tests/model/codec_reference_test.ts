import { assertEquals } from "../_assert.ts";
import * as tf from "@tensorflow/tfjs-core";
import { Codec } from "../../lib/model/codec.ts";
import { Discriminator } from "../../lib/model/discriminator.ts";
import { kernelPlanFor } from "../../lib/model/kernel_plan.ts";
import type { NamedArray } from "../../lib/model/params.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { assertClose, normals } from "./_reference.ts";
import {
  referenceCodebook,
  referenceDecode,
  referenceDiscriminator,
  referenceEncode,
  referenceQuantize,
  referenceResidualQuantize,
} from "./_reference_codec.ts";

// Two stages each way, a channel change (shortcut conv), strides and shuffles
// above 1, and 40 channels so that GroupNorm has groups of more than one channel.
const TINY = parseConfig({
  model: {
    enc_channels: [4, 40, 8],
    enc_down_strides: [2, 2],
    enc_num_res_blocks: 1,
    dec_channels: [8, 40, 4],
    dec_up_strides: [2, 2],
    dec_num_res_blocks: 1,
    latent_dim: 4,
    codebook_size: 8,
    discriminator: { channels: [4, 40], strides: [2, 2], kernel_size: 5, resblock_layers: 1 },
  },
}).model;
const SHAPE: [number, number] = [2, 24];

/**
 * Seeded weights with every norm scale, norm bias and conv bias moved off its
 * initial 1 or 0, so that a dropped bias or affine term changes the output.
 */
function perturbed(params: ReadonlyMap<string, NamedArray>, seed: number): Map<string, NamedArray> {
  const rng = Rng.fromSeed(seed);
  const out = new Map<string, NamedArray>();
  for (const [name, p] of params) {
    let data = p.data;
    if (name.endsWith("/scale")) data = data.map(() => 1 + 0.3 * rng.nextNormal());
    else if (name.endsWith("bias")) data = data.map(() => 0.3 * rng.nextNormal());
    out.set(name, { shape: p.shape, data });
  }
  return out;
}

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`Codec.forward() matches a float64 encoder, quantizer and decoder on fixed weights [${backend}]`, async () => {
    await initBackend(backend);
    for (const activation of ["linear", "tanh"] as const) {
      const g = new Codec(TINY, { rng: Rng.fromSeed(11), plan: kernelPlanFor(backend), outputActivation: activation });
      const params = perturbed(await g.exportParams(), 12);
      g.importParams(params);
      const xs = normals(Rng.fromSeed(13), SHAPE[0] * SHAPE[1]);
      const z = referenceEncode(params, TINY, xs, SHAPE);
      const want = referenceQuantize(referenceCodebook(params), z, TINY.beta);
      const recon = referenceDecode(params, TINY, want.quantized, activation === "tanh");

      const x = tf.tensor2d(xs, SHAPE);
      const out = g.forward(x);
      assertEquals(out.indices.shape, [2, 6, 1]);
      assertEquals(Array.from(out.indices.dataSync()), want.indices);
      assertClose(out.reconstruction.dataSync(), recon, 1e-4, 1e-4);
      assertClose(out.commitLoss.dataSync(), [want.commitLoss], 1e-6, 1e-4);
      const codes = g.encode(x);
      assertEquals(Array.from(codes.dataSync()), want.indices);
      assertClose(g.decode(codes).dataSync(), recon, 1e-4, 1e-4);
      tf.dispose([x, out.reconstruction, out.indices, out.commitLoss, codes]);
      g.dispose();
    }
  });

  Deno.test(`Codec with 3 quantizer stages matches a float64 reference at every K: forward, encode and decode [${backend}]`, async () => {
    await initBackend(backend);
    const model = { ...TINY, num_quantizers: 3 };
    const g = new Codec(model, { rng: Rng.fromSeed(14), plan: kernelPlanFor(backend), outputActivation: "linear" });
    const params = perturbed(await g.exportParams(), 15);
    g.importParams(params);
    const xs = normals(Rng.fromSeed(16), SHAPE[0] * SHAPE[1]);
    const z = referenceEncode(params, model, xs, SHAPE);
    const codebooks = [1, 2, 3].map((k) => referenceCodebook(params, k === 1 ? "quantizer" : `quantizer/stage_${k}`));
    const x = tf.tensor2d(xs, SHAPE);
    const full = g.encode(x);
    assertEquals(full.shape, [2, 6, 3]);
    const allCodes = Array.from(full.dataSync());
    for (const k of [1, 2, 3]) {
      const want = referenceResidualQuantize(codebooks.slice(0, k), z, model.beta);
      const frameMajor = want.indices[0]!.flatMap((_, i) => want.indices.map((stage) => stage[i]!));
      const recon = referenceDecode(params, model, want.quantized, false);
      const out = g.forward(x, { quantizers: k });
      assertEquals(out.indices.shape, [2, 6, k]);
      assertEquals(Array.from(out.indices.dataSync()), frameMajor, `K=${k}`);
      assertClose(out.reconstruction.dataSync(), recon, 1e-4, 1e-4);
      assertClose(out.commitLoss.dataSync(), [want.commitLoss], 1e-6, 1e-4);
      const codes = g.encode(x, { quantizers: k });
      assertEquals(Array.from(codes.dataSync()), frameMajor, `K=${k}`);
      // The first K stages of an encode at N are the encode at K.
      assertEquals(allCodes.filter((_, i) => i % 3 < k), frameMajor, `K=${k}`);
      assertClose(g.decode(codes).dataSync(), recon, 1e-4, 1e-4);
      const plain = await g.encodeWindows(xs, SHAPE[1], { quantizers: k });
      assertEquals(Array.from(plain), frameMajor);
      assertClose(await g.decodeCodes(plain, 6, { quantizers: k }), recon, 1e-4, 1e-4);
      tf.dispose([out.reconstruction, out.indices, out.commitLoss, codes]);
    }
    tf.dispose([x, full]);
    g.dispose();
  });

  Deno.test(`Discriminator.apply() matches a float64 reference's logits and features on fixed weights [${backend}]`, async () => {
    await initBackend(backend);
    const d = new Discriminator(TINY.discriminator, { rng: Rng.fromSeed(21), plan: kernelPlanFor(backend) });
    const params = perturbed(await d.exportParams(), 22);
    d.importParams(params);
    const xs = normals(Rng.fromSeed(23), SHAPE[0] * SHAPE[1]);
    const want = referenceDiscriminator(params, TINY.discriminator, xs, SHAPE);
    const x = tf.tensor2d(xs, SHAPE);
    const out = d.apply(x);
    assertClose(out.logits.dataSync(), want.logits, 1e-4, 1e-4);
    assertEquals(out.features.map((f) => f.shape), want.features.map((f) => [...f.shape]));
    out.features.forEach((f, i) => assertClose(f.dataSync(), want.features[i]!.data, 1e-4, 1e-4));
    tf.dispose([x, out.logits, ...out.features]);
    d.dispose();
  });
}
