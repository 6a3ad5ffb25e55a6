import { assert, assertEquals, assertNotEquals, assertRejects, assertThrows } from "../_assert.ts";
import * as tf from "@tensorflow/tfjs-core";
import { Codec, GENERATOR_MODULES } from "../../lib/model/codec.ts";
import { Discriminator } from "../../lib/model/discriminator.ts";
import { kernelPlanFor } from "../../lib/model/kernel_plan.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { assertClose, maxAbsDiff, normals } from "./_reference.ts";
import { architectureCosts, seedFigures } from "./_seed_architecture.ts";

const SEED = parseConfig({});
const PLAN = kernelPlanFor("wasm");

const ARCH = architectureCosts(SEED.model, 10000);
const FIGURES = seedFigures();

Deno.test("the written-out seed architecture agrees with the seed's own parameter counts and GFLOP", () => {
  assertEquals(FIGURES.window_samples, 10000);
  assertEquals({
    encoder: ARCH.encoder.params,
    quant_conv: ARCH.quant_conv.params,
    quantizer_trainable: ARCH.quantizer.params,
    quantizer_frozen: ARCH.quantizer_frozen,
    post_quant_conv: ARCH.post_quant_conv.params,
    decoder: ARCH.decoder.params,
    generator_trainable: ARCH.encoder.params + ARCH.quant_conv.params + ARCH.quantizer.params +
      ARCH.post_quant_conv.params + ARCH.decoder.params,
    discriminator: ARCH.discriminator.params,
  }, FIGURES.params);
  const gflop = (f: number) => Math.round(f / 1e6) / 1e3;
  assertEquals({
    encoder: gflop(ARCH.encoder.flops),
    quant_conv: gflop(ARCH.quant_conv.flops),
    quantizer_projection: gflop(ARCH.quantizer_projection_flops),
    quantizer_search: gflop(ARCH.quantizer.flops),
    post_quant_conv: gflop(ARCH.post_quant_conv.flops),
    decoder: gflop(ARCH.decoder.flops),
    discriminator: gflop(ARCH.discriminator.flops),
  }, FIGURES.gflop);
});

Deno.test("Codec() has the seed's parameter counts for the seed config", async () => {
  await initBackend("cpu");
  const g = new Codec(SEED.model, { rng: Rng.fromSeed(0), plan: PLAN, outputActivation: "tanh" });
  const counts = Object.fromEntries(GENERATOR_MODULES.map((m) => [m, g.moduleCounts(m)]));
  assertEquals(counts, {
    encoder: { trainable: FIGURES.params.encoder, frozen: 0 },
    quant_conv: { trainable: FIGURES.params.quant_conv, frozen: 0 },
    quantizer: { trainable: FIGURES.params.quantizer_trainable, frozen: FIGURES.params.quantizer_frozen },
    post_quant_conv: { trainable: FIGURES.params.post_quant_conv, frozen: 0 },
    decoder: { trainable: FIGURES.params.decoder, frozen: 0 },
  });
  assertEquals(g.params.counts(), {
    trainable: FIGURES.params.generator_trainable,
    frozen: FIGURES.params.quantizer_frozen,
  });
  g.dispose();
  const d = new Discriminator(SEED.model.discriminator, { rng: Rng.fromSeed(0), plan: PLAN });
  assertEquals(d.counts(), { trainable: FIGURES.params.discriminator, frozen: 0 });
  d.dispose();
});

Deno.test("Codec.flops() and Discriminator.flops() match the per-layer count of the architecture", async () => {
  await initBackend("cpu");
  const g = new Codec(SEED.model, { rng: Rng.fromSeed(0), plan: PLAN, outputActivation: "linear" });
  assertEquals(g.flops(10000), {
    encoder: ARCH.encoder.flops,
    quant_conv: ARCH.quant_conv.flops,
    quantizer_search: ARCH.quantizer.flops,
    quantizer_projection: ARCH.quantizer_projection_flops,
    post_quant_conv: ARCH.post_quant_conv.flops,
    decoder: ARCH.decoder.flops,
  });
  g.dispose();
  const d = new Discriminator(SEED.model.discriminator, { rng: Rng.fromSeed(0), plan: PLAN });
  assertEquals(d.flops(10000), ARCH.discriminator.flops);
  d.dispose();
});

Deno.test("Codec() maps 10,000 samples to 125×128 latents and 125 codes and back to 10,000 [wasm]", async () => {
  await initBackend("wasm");
  const g = new Codec(SEED.model, { rng: Rng.fromSeed(1), plan: PLAN, outputActivation: "linear" });
  const x = tf.tensor2d(normals(Rng.fromSeed(2), 2 * 10000), [2, 10000]);
  const out = g.forward(x);
  assertEquals(out.reconstruction.shape, [2, 10000]);
  assertEquals(out.indices.shape, [2, 125, 1]);
  assertEquals(g.latentLength(10000), 125);
  const codes = g.encode(x);
  assertEquals(codes.dtype, "int32");
  assertEquals(Array.from(codes.dataSync()), Array.from(out.indices.dataSync()));
  const decoded = g.decode(codes);
  assertEquals(decoded.shape, [2, 10000]);
  // decode(q) and the straight-through z + (q − z) differ only by rounding.
  assertClose(decoded.dataSync(), out.reconstruction.dataSync(), 1e-4);
  const values = Array.from(codes.dataSync());
  assert(values.every((c) => Number.isInteger(c) && c >= 0 && c < 4096));
  tf.dispose([x, out.reconstruction, out.indices, out.commitLoss, codes, decoded]);
  g.dispose();
});

Deno.test("Codec.encodeWindows() and decodeCodes() round-trip plain arrays", async () => {
  await initBackend("wasm");
  const model = parseConfig({
    model: {
      enc_channels: [8, 8, 16],
      enc_down_strides: [4, 2],
      dec_channels: [16, 8, 8],
      dec_up_strides: [2, 4],
      codebook_size: 32,
      latent_dim: 8,
    },
  }).model;
  const g = new Codec(model, { rng: Rng.fromSeed(4), plan: PLAN, outputActivation: "tanh" });
  const windows = normals(Rng.fromSeed(5), 3 * 64);
  const codes = await g.encodeWindows(windows, 64);
  assertEquals(codes.length, 3 * 8);
  const wave = await g.decodeCodes(codes, 8);
  assertEquals(wave.length, 3 * 64);
  assert(wave.every((v) => v > -1 && v < 1), "tanh head keeps values in (-1, 1)");
  const again = await g.decodeCodes(codes, 8);
  assertEquals(again, wave);
  await assertRejects(
    () => g.decodeCodes(Int32Array.from([0, 32]), 2),
    RangeError,
    "Cannot decode: code 32 is outside [0, 32)",
  );
  assertThrows(
    () => g.encode(tf.zeros([1, 60]) as tf.Tensor2D),
    RangeError,
    "Cannot run codec: 60 samples is not a multiple of the hop 8",
  );
  g.dispose();
});

Deno.test("Codec() gives the same weights for the same seed and others for another", async () => {
  await initBackend("cpu");
  const make = (seed: number) =>
    new Codec(SEED.model, { rng: Rng.fromSeed(seed), plan: PLAN, outputActivation: "linear" });
  const [a, b, c] = [make(9), make(9), make(10)];
  const [pa, pb, pc] = [await a.exportParams(), await b.exportParams(), await c.exportParams()];
  for (const name of ["encoder/conv_in/kernel", "quantizer/codebook", "quantizer/W", "decoder/to_signal/kernel"]) {
    assertEquals(pa.get(name)!.data, pb.get(name)!.data);
    assertNotEquals(maxAbsDiff(pa.get(name)!.data, pc.get(name)!.data), 0);
  }
  [a, b, c].forEach((g) => g.dispose());
});

Deno.test("Discriminator.apply() returns 625 logits and four feature maps for 10,000 samples [wasm]", async () => {
  await initBackend("wasm");
  const d = new Discriminator(SEED.model.discriminator, { rng: Rng.fromSeed(3), plan: PLAN });
  const x = tf.tensor2d(normals(Rng.fromSeed(4), 10000), [1, 10000]);
  const out = d.apply(x);
  assertEquals(out.logits.shape, [1, 625]);
  assertEquals(out.features.map((f) => f.shape), [[1, 5000, 32], [1, 2500, 64], [1, 1250, 128], [1, 625, 256]]);
  tf.dispose([x, out.logits, ...out.features]);
  d.dispose();
});
