import { assert, assertAlmostEquals, assertEquals, assertNotEquals, assertRejects, assertThrows } from "../_assert.ts";
import * as tf from "@tensorflow/tfjs-core";
import { ParamStateError } from "../../lib/model/errors.ts";
import type { NamedArray } from "../../lib/model/params.ts";
import { type ComputeBackend, initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { Trainer, type TrainerState } from "../../lib/train/trainer.ts";

/** A tiny model (hop 8, 32 codes) that trains in milliseconds per step. */
const TINY_MODEL = {
  enc_channels: [8, 8, 16],
  enc_down_strides: [4, 2],
  enc_num_res_blocks: 1,
  latent_dim: 8,
  codebook_size: 32,
  dec_channels: [16, 8, 8],
  dec_up_strides: [2, 4],
  dec_num_res_blocks: 1,
  discriminator: { channels: [8, 16], strides: [2, 2], kernel_size: 5, resblock_layers: 1 },
};
const WINDOW = 64;

function tinyTrainer(
  backend: ComputeBackend,
  train: Record<string, unknown>,
  seed = 1,
): Trainer {
  const config = parseConfig({ model: TINY_MODEL, train: { learning_rate: 3e-3, ...train } });
  return Trainer.create(
    { model: config.model, train: config.train, windowSamples: WINDOW, outputActivation: "linear" },
    { rng: Rng.fromSeed(seed), backend },
  );
}

/** `windows` windows of distinct sines. */
function sines(windows: number, phase = 0): Float32Array {
  return Float32Array.from(
    { length: windows * WINDOW },
    (_, i) => Math.sin(phase + i * (0.15 + 0.05 * Math.floor(i / WINDOW))) * (1 + 0.2 * Math.floor(i / WINDOW)),
  );
}

function assertSameArrays(a: Map<string, NamedArray>, b: Map<string, NamedArray>): void {
  assertEquals([...a.keys()], [...b.keys()]);
  for (const [name, x] of a) assertEquals(b.get(name)!.data, x.data, name);
}

function assertSameState(a: TrainerState, b: TrainerState): void {
  assertSameArrays(a.generator, b.generator);
  assertSameArrays(a.discriminator, b.discriminator);
  for (const key of ["generatorOptimizer", "discriminatorOptimizer"] as const) {
    assertEquals(a[key].step, b[key].step);
    assertSameArrays(a[key].firstMoments, b[key].firstMoments);
    assertSameArrays(a[key].secondMoments, b[key].secondMoments);
  }
}

Deno.test("Trainer.step() overfits one batch on wasm: L1 falls at least 10x", async () => {
  const backend = await initBackend("wasm");
  const trainer = tinyTrainer(backend, { disc_start: 1000 });
  const batch = sines(4);
  const first = (await trainer.step([batch], 1)).metrics.reconstruct_loss;
  let last = first;
  for (let step = 2; step <= 120; step++) last = (await trainer.step([batch], step)).metrics.reconstruct_loss;
  assert(first / last >= 10, `L1 fell from ${first} to ${last} only`);
  trainer.dispose();
});

Deno.test("Trainer.step() before disc_start leaves the discriminator untouched", async () => {
  const backend = await initBackend("wasm");
  const trainer = tinyTrainer(backend, { disc_start: 3 });
  const before = await trainer.exportState();
  const { metrics, codeCounts } = await trainer.step([sines(2)], 2);
  const after = await trainer.exportState();
  assertSameArrays(before.discriminator, after.discriminator);
  assertEquals(after.discriminatorOptimizer.step, 0);
  assertEquals(after.generatorOptimizer.step, 1);
  assertNotEquals(
    before.generator.get("decoder/to_signal/kernel")!.data,
    after.generator.get("decoder/to_signal/kernel")!.data,
  );
  assertEquals(before.generator.get("quantizer/codebook")!.data, after.generator.get("quantizer/codebook")!.data);
  assertEquals([metrics.disc_mask, metrics.gan_loss, metrics.feature_loss, metrics.disc_loss_raw], [
    0,
    null,
    null,
    null,
  ]);
  assertEquals([metrics.weighted_gan_loss, metrics.weighted_feature_loss, metrics.disc_loss], [0, 0, 0]);
  assertAlmostEquals(metrics.total_loss, metrics.weighted_reconstruct_loss + metrics.weighted_commit_loss, 1e-6);
  assertEquals(codeCounts.length, 1);
  assertEquals(codeCounts[0]!.length, 1); // one quantizer stage
  assertEquals(codeCounts[0]![0]!.reduce((a, b) => a + b, 0), 2 * (WINDOW / 8));
  // From disc_start on (1-based), the GAN terms and the discriminator are on.
  const on = (await trainer.step([sines(2)], 3)).metrics;
  assertEquals(on.disc_mask, 1);
  const [gan, feature, discRaw] = [on.gan_loss, on.feature_loss, on.disc_loss_raw];
  if (gan === null || feature === null || discRaw === null) throw new Error("GAN metrics missing after disc_start");
  assertAlmostEquals(on.weighted_gan_loss, 0.05 * gan, 1e-6);
  assertAlmostEquals(on.weighted_feature_loss, 0.1 * feature, 1e-6);
  assertAlmostEquals(on.disc_loss, discRaw, 1e-6);
  assertAlmostEquals(
    on.total_loss,
    on.weighted_reconstruct_loss + on.weighted_commit_loss + on.weighted_gan_loss + on.weighted_feature_loss,
    1e-5,
  );
  assertEquals((await trainer.exportState()).discriminatorOptimizer.step, 2);
  trainer.dispose();
});

Deno.test("Trainer.step() discriminator repeats update only the discriminator, each on fresh weights", async () => {
  const backend = await initBackend("wasm");
  const once = tinyTrainer(backend, { disc_start: 1, disc_steps: 1 });
  const thrice = tinyTrainer(backend, { disc_start: 1, disc_steps: 3 });
  const batch = sines(2);
  const [a, b] = [(await once.step([batch], 1)).metrics, (await thrice.step([batch], 1)).metrics];
  const [sa, sb] = [await once.exportState(), await thrice.exportState()];
  // The generator's update does not depend on how often the discriminator steps.
  assertSameArrays(sa.generator, sb.generator);
  assertEquals(a.disc_loss_raw, b.disc_loss_raw);
  assertEquals([sa.discriminatorOptimizer.step, sb.discriminatorOptimizer.step], [1, 3]);
  // Repeats that recomputed on unchanged weights would move every weight the
  // same way three times; fresh weights give a different second and third gradient.
  assertNotEquals(
    sa.discriminator.get("discriminator/out/kernel")!.data,
    sb.discriminator.get("discriminator/out/kernel")!.data,
  );
  assert(a.discriminator_grad_norm !== null && b.discriminator_grad_norm !== null);
  assertNotEquals(a.discriminator_grad_norm, b.discriminator_grad_norm);
  once.dispose();
  thrice.dispose();
});

Deno.test("Trainer.step() with k micro-batches equals one batch of k× the windows", async () => {
  const backend = await initBackend("wasm");
  const split = tinyTrainer(backend, { disc_start: 1, disc_steps: 1 });
  const whole = tinyTrainer(backend, { disc_start: 1, disc_steps: 1 });
  const [m1, m2] = [sines(2), sines(2, 1.3)];
  const joined = new Float32Array(m1.length + m2.length);
  joined.set(m1);
  joined.set(m2, m1.length);
  const a = await split.step([m1, m2], 1);
  const b = await whole.step([joined], 1);
  for (
    const key of [
      "total_loss",
      "reconstruct_loss",
      "commit_loss",
      "gan_loss",
      "feature_loss",
      "disc_loss_raw",
      "generator_grad_norm",
      "discriminator_grad_norm",
    ] as const
  ) {
    assertAlmostEquals(a.metrics[key]!, b.metrics[key]!, 1e-5 * Math.max(1, Math.abs(b.metrics[key]!)), key);
  }
  assertEquals(a.codeCounts.length, 2);
  const summed = a.codeCounts[0]![0]!.map((c, i) => c + a.codeCounts[1]![0]![i]!);
  assertEquals(summed, b.codeCounts[0]![0]);
  split.dispose();
  whole.dispose();
});

Deno.test("Trainer.exportState() then importState() continues bit-identically", async () => {
  const backend = await initBackend("wasm");
  const straight = tinyTrainer(backend, { disc_start: 1, disc_steps: 2 });
  const batches = [sines(2), sines(2, 0.7)];
  await straight.step([batches[0]!], 1);
  const saved = await straight.exportState();
  const expected = await straight.step([batches[1]!], 2);
  const resumed = tinyTrainer(backend, { disc_start: 1, disc_steps: 2 }, 99);
  resumed.importState(saved);
  assertSameState(await resumed.exportState(), saved);
  const got = await resumed.step([batches[1]!], 2);
  assertEquals(got.metrics, expected.metrics);
  assertSameState(await resumed.exportState(), await straight.exportState());
  straight.dispose();
  resumed.dispose();
});

Deno.test("Trainer.step() is deterministic and leaves tf.memory().numTensors unchanged", async () => {
  const backend = await initBackend("wasm");
  const [a, b] = [tinyTrainer(backend, { disc_start: 1 }, 5), tinyTrainer(backend, { disc_start: 1 }, 5)];
  const batch = sines(3);
  const tensors = tf.memory().numTensors;
  const ra = await a.step([batch, batch], 1);
  assertEquals(tf.memory().numTensors, tensors);
  const rb = await b.step([batch, batch], 1);
  assertEquals(tf.memory().numTensors, tensors);
  assertEquals(ra.metrics, rb.metrics);
  assertSameState(await a.exportState(), await b.exportState());
  a.dispose();
  b.dispose();
});

Deno.test("Trainer rejects bad micro-batches, step numbers and states without changing anything", async () => {
  const backend = await initBackend("wasm");
  const trainer = tinyTrainer(backend, { disc_start: 1 });
  await assertRejects(
    () => trainer.step([sines(2), sines(1)], 1),
    RangeError,
    "Cannot train: micro-batches must all hold the same whole number of 64-sample windows (got 64 values)",
  );
  await assertRejects(() => trainer.step([sines(1)], 0), RangeError, "Cannot train: step 0 is not a positive integer");
  await assertRejects(() => trainer.step([], 1), RangeError, "Cannot train: no micro-batches");
  const state = await trainer.exportState();
  const broken = new Map(state.discriminator);
  broken.set("discriminator/out/bias", { shape: [2], data: new Float32Array(2) });
  const otherTrainer = tinyTrainer(backend, {}, 7);
  const other = await otherTrainer.exportState();
  otherTrainer.dispose();
  assertThrows(
    () => trainer.importState({ ...other, discriminator: broken }),
    ParamStateError,
    'Cannot import parameters: "discriminator/out/bias" has shape [2] (2 values), expected [1]',
  );
  assertSameState(await trainer.exportState(), state);
  assertThrows(
    () =>
      Trainer.create({
        model: parseConfig({ model: TINY_MODEL }).model,
        train: parseConfig({}).train,
        windowSamples: 60,
        outputActivation: "linear",
      }, {
        rng: Rng.fromSeed(1),
        backend,
      }),
    RangeError,
    "Cannot build trainer: window of 60 samples is not a multiple of the hop 8",
  );
  trainer.dispose();
});

const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
const hasWebgpu = gpu !== undefined && (await gpu.requestAdapter()) !== null;

Deno.test({
  name: "Trainer.step() trains on webgpu (native conv gradients) like on cpu",
  ignore: !hasWebgpu,
  fn: async () => {
    const results: number[][] = [];
    for (const name of ["cpu", "webgpu"] as const) {
      const backend = await initBackend(name);
      const trainer = tinyTrainer(backend, { disc_start: 2 });
      const tensors = tf.memory().numTensors;
      const losses: number[] = [];
      for (let step = 1; step <= 3; step++) {
        losses.push((await trainer.step([sines(4)], step)).metrics.reconstruct_loss);
      }
      assertEquals(tf.memory().numTensors, tensors);
      results.push(losses);
      trainer.dispose();
    }
    const [cpu, webgpu] = results as [number[], number[]];
    assertAlmostEquals(webgpu[0]!, cpu[0]!, 1e-4);
    assert(webgpu[2]! < webgpu[0]!, `webgpu L1 did not fall: ${webgpu}`);
  },
});
