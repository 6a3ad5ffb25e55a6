// The trainers with residual quantizer stages: each micro-batch's K stages
// (quantizer dropout's draws), per-stage code counts, replicas agreeing on K.
import * as tf from "@tensorflow/tfjs-core";
import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { ParallelTrainer } from "../../lib/train/parallel_trainer.ts";
import { Trainer, type TrainerSetup } from "../../lib/train/trainer.ts";

const backend = await initBackend("wasm");

/** A tiny model (hop 8, 32 codes) with three quantizer stages. */
const TINY_RVQ = {
  enc_channels: [8, 8, 16],
  enc_down_strides: [4, 2],
  enc_num_res_blocks: 1,
  latent_dim: 8,
  codebook_size: 32,
  dec_channels: [16, 8, 8],
  dec_up_strides: [2, 4],
  dec_num_res_blocks: 1,
  num_quantizers: 3,
  discriminator: { channels: [8, 16], strides: [2, 2], kernel_size: 5, resblock_layers: 1 },
};
const WINDOW = 64;

function rvqSetup(train: Record<string, unknown> = {}): TrainerSetup {
  const config = parseConfig({ model: TINY_RVQ, train: { learning_rate: 3e-3, disc_start: 100, ...train } });
  return { model: config.model, train: config.train, windowSamples: WINDOW, outputActivation: "linear" };
}

function sines(windows: number, phase = 0): Float32Array {
  return Float32Array.from({ length: windows * WINDOW }, (_, i) => Math.sin(phase + i * (0.15 + 0.05 * (i >> 6))));
}

Deno.test("Trainer.step() uses each micro-batch's K stages: dropped stages count no codes and get no gradient", async () => {
  const trainer = Trainer.create(rvqSetup(), { rng: Rng.fromSeed(3), backend });
  try {
    const result = await trainer.step([sines(2), sines(2, 1)], 1, { quantizers: [1, 3] });
    assertEquals(result.quantizers, [1, 3]);
    const frames = 2 * WINDOW / 8;
    const total = (c: Uint32Array) => c.reduce((a, b) => a + b, 0);
    assertEquals(result.codeCounts.map((stages) => stages.map(total)), [[frames, 0, 0], [frames, frames, frames]]);
    // Only K = 3 reached stages 2 and 3: they have moments; a K = 1 step alone leaves theirs at zero.
    const moments = (await trainer.exportState()).generatorOptimizer.firstMoments;
    assert(moments.get("quantizer/stage_3/W")!.data.some((v) => v !== 0));
    const fresh = Trainer.create(rvqSetup(), { rng: Rng.fromSeed(3), backend });
    try {
      await fresh.step([sines(2)], 1, { quantizers: [1] });
      const m = (await fresh.exportState()).generatorOptimizer.firstMoments;
      assert(m.get("quantizer/W")!.data.some((v) => v !== 0), "stage 1 trains");
      for (const name of ["quantizer/stage_2/W", "quantizer/stage_2/proj_bias", "quantizer/stage_3/W"]) {
        assert(m.get(name)!.data.every((v) => v === 0), `${name} got a gradient`);
      }
    } finally {
      fresh.dispose();
    }
    // Default: all N; a step leaks no tensors.
    const tensors = tf.memory().numTensors;
    assertEquals((await trainer.step([sines(2)], 2)).quantizers, [3]);
    await trainer.step([sines(2), sines(2, 2)], 3, { quantizers: [2, 1] });
    assertEquals(tf.memory().numTensors, tensors);
    await assertRejects(
      () => trainer.step([sines(2)], 3, { quantizers: [4] }),
      RangeError,
      "Cannot train with 4 quantizers: the model has 3 (use 1 to 3)",
    );
    await assertRejects(
      () => trainer.step([sines(2)], 3, { quantizers: [1, 2] }),
      RangeError,
      "2 quantizer counts for 1",
    );
  } finally {
    trainer.dispose();
  }
});

Deno.test("ParallelTrainer.step() gives every replica the same K per micro-batch and trains like one Trainer", async () => {
  const setup = rvqSetup({ disc_start: 2 });
  const single = Trainer.create(setup, { rng: Rng.fromSeed(4), backend });
  const parallel = await ParallelTrainer.create(setup, { rng: Rng.fromSeed(4), backend, workers: 2 });
  try {
    for (const [step, quantizers] of [[1, [2, 1]], [2, [3, 1]], [3, [1, 2]]] as const) {
      const batches = [sines(4, step), sines(4, step + 0.5)];
      const a = await single.step(batches, step, { quantizers: [...quantizers] });
      const b = await parallel.step(batches, step, { quantizers: [...quantizers] });
      assertEquals(b.quantizers, [...quantizers]);
      assertEquals(b.codeCounts, a.codeCounts, `step ${step}`);
      for (const key of ["total_loss", "commit_loss", "generator_grad_norm"] as const) {
        assert(Math.abs(a.metrics[key]! - b.metrics[key]!) <= 1e-4 * Math.max(1, Math.abs(a.metrics[key]!)), key);
      }
    }
    const [r0, r1] = await parallel.exportReplicaStates();
    assertEquals(r1!.generator, r0!.generator);
  } finally {
    single.dispose();
    await parallel.dispose();
  }
});
