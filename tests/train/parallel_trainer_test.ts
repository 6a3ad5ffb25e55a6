import { assert, assertEquals, assertNotEquals, assertRejects } from "../_assert.ts";
import * as tf from "@tensorflow/tfjs-core";
import { ParamStateError } from "../../lib/model/errors.ts";
import type { NamedArray } from "../../lib/model/params.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { BackendError } from "../../lib/runtime/errors.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { TrainWorkerError } from "../../lib/train/errors.ts";
import { ParallelTrainer, splitRows } from "../../lib/train/parallel_trainer.ts";
import { Trainer, type TrainerSetup, type TrainerState } from "../../lib/train/trainer.ts";

const backend = await initBackend("wasm");

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

function tinySetup(train: Record<string, unknown>): TrainerSetup {
  const config = parseConfig({ model: TINY_MODEL, train: { learning_rate: 3e-3, ...train } });
  return { model: config.model, train: config.train, windowSamples: WINDOW, outputActivation: "linear" };
}

/** `windows` windows of distinct sines. */
function sines(windows: number, phase = 0): Float32Array {
  return Float32Array.from(
    { length: windows * WINDOW },
    (_, i) => Math.sin(phase + i * (0.15 + 0.05 * Math.floor(i / WINDOW))) * (1 + 0.2 * Math.floor(i / WINDOW)),
  );
}

/** Every array of a state, by a name that says which part it is. */
function arraysOf(state: TrainerState): Map<string, NamedArray> {
  const out = new Map<string, NamedArray>();
  for (const [name, a] of state.generator) out.set(`generator ${name}`, a);
  for (const [name, a] of state.discriminator) out.set(`discriminator ${name}`, a);
  for (const key of ["generatorOptimizer", "discriminatorOptimizer"] as const) {
    for (const [name, a] of state[key].firstMoments) out.set(`${key} m ${name}`, a);
    for (const [name, a] of state[key].secondMoments) out.set(`${key} v ${name}`, a);
  }
  return out;
}

/** max |a − b| / max |b| over one tensor. */
function relativeDifference(a: Float32Array, b: Float32Array): number {
  let diff = 0, scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

Deno.test("splitRows() gives contiguous ranges whose sizes differ by at most one", () => {
  assertEquals(splitRows(4, 3), [{ start: 0, count: 2 }, { start: 2, count: 1 }, { start: 3, count: 1 }]);
  assertEquals(splitRows(16, 2), [{ start: 0, count: 8 }, { start: 8, count: 8 }]);
  assertEquals(splitRows(3, 1), [{ start: 0, count: 3 }]);
});

Deno.test("ParallelTrainer keeps every replica's weights and moments identical after every step", async () => {
  const trainer = await ParallelTrainer.create(
    tinySetup({ disc_start: 2, disc_steps: 2 }),
    { rng: Rng.fromSeed(4), backend, workers: 3 },
  );
  try {
    let previous: TrainerState | undefined;
    for (let step = 1; step <= 4; step++) {
      // 4 windows over 3 replicas: 2 + 1 + 1 rows; two micro-batches (accumulation).
      await trainer.step([sines(4, step), sines(4, step + 0.4)], step);
      const states = await trainer.exportReplicaStates();
      assertEquals(states.length, 3);
      const reference = arraysOf(states[0]!);
      for (const [replica, state] of states.entries()) {
        const arrays = arraysOf(state);
        assertEquals([...arrays.keys()], [...reference.keys()]);
        for (const [name, a] of arrays) assertEquals(a.data, reference.get(name)!.data, `replica ${replica}: ${name}`);
        assertEquals(state.generatorOptimizer.step, step);
        assertEquals(state.discriminatorOptimizer.step, step === 1 ? 0 : 2 * (step - 1));
      }
      if (previous !== undefined) {
        const name = step === 2 ? "discriminator discriminator/out/kernel" : "generator decoder/to_signal/kernel";
        assertNotEquals(reference.get(name)!.data, arraysOf(previous).get(name)!.data, `step ${step} changed ${name}`);
      }
      previous = states[0]!;
    }
  } finally {
    await trainer.dispose();
  }
});

Deno.test("ParallelTrainer with 2 and 3 workers trains like one in-process Trainer, within 1e-4", async () => {
  const setup = tinySetup({ disc_start: 3, disc_steps: 2 });
  const single = Trainer.create(setup, { rng: Rng.fromSeed(5), backend });
  const expected = [];
  for (let step = 1; step <= 6; step++) expected.push((await single.step([sines(6, step)], step)).metrics);
  const singleState = arraysOf(await single.exportState());
  single.dispose();
  for (const workers of [2, 3]) {
    const trainer = await ParallelTrainer.create(setup, { rng: Rng.fromSeed(5), backend, workers });
    try {
      for (let step = 1; step <= 6; step++) {
        const got = (await trainer.step([sines(6, step)], step)).metrics;
        const want = expected[step - 1]!;
        for (const [key, value] of Object.entries(want)) {
          const actual = got[key as keyof typeof got];
          if (value === null || actual === null) {
            assertEquals(actual, value, `${workers} workers, step ${step}: ${key}`);
            continue;
          }
          const rel = Math.abs(actual - value) / Math.max(Math.abs(value), 1e-12);
          assert(rel <= 1e-4, `${workers} workers, step ${step}: ${key} ${actual} vs ${value} (relative ${rel})`);
        }
      }
      for (const [name, a] of arraysOf(await trainer.exportState())) {
        if (name.includes("Optimizer")) continue;
        const rel = relativeDifference(a.data, singleState.get(name)!.data);
        assert(rel <= 1e-4, `${workers} workers: ${name} differs by ${rel} relative`);
      }
    } finally {
      await trainer.dispose();
    }
  }
});

Deno.test("ParallelTrainer imports a state into every replica and evaluates like the in-process Trainer", async () => {
  const setup = tinySetup({ disc_start: 1, disc_steps: 1 });
  const single = Trainer.create(setup, { rng: Rng.fromSeed(7), backend });
  await single.step([sines(4)], 1);
  const saved = await single.exportState();
  const trainer = await ParallelTrainer.create(setup, { rng: Rng.fromSeed(99), backend, workers: 2 });
  try {
    await trainer.importState(saved);
    for (const state of await trainer.exportReplicaStates()) {
      for (const [name, a] of arraysOf(state)) assertEquals(a.data, arraysOf(saved).get(name)!.data, name);
      assertEquals([state.generatorOptimizer.step, state.discriminatorOptimizer.step], [1, 1]);
    }
    const source = {
      fileIndex: 0,
      readIndex: 0,
      readId: "r",
      windowIndex: 0,
      stats: { mode: "median_mad" as const, shiftPa: 90, scalePa: 12, clip: null },
      calibration: { offsetAdc: 0, scalePaPerAdc: 1 },
    };
    const batches = [3, 2, 3].map((rows, i) => ({
      values: sines(rows, i),
      batchSize: rows,
      windowSamples: WINDOW,
      epoch: 0,
      position: {
        epoch: 0,
        lanes: [{ order: 0, readIndex: 0, windowIndex: 0 }],
        lane: 0,
        epochWindow: 0,
        blockOffset: 0,
        shuffleWindows: 0,
        windowSamples: WINDOW,
        interleaveFiles: 1,
        shuffleFiles: false,
      },
      sources: Array.from({ length: rows }, () => source),
    }));
    assertEquals(await trainer.evaluate(batches), await single.evaluate(batches));
  } finally {
    single.dispose();
    await trainer.dispose();
  }
});

Deno.test("ParallelTrainer rejects too few windows and bad states, and stays usable", async () => {
  const trainer = await ParallelTrainer.create(tinySetup({ disc_start: 1 }), {
    rng: Rng.fromSeed(8),
    backend,
    workers: 2,
  });
  try {
    await assertRejects(
      () => trainer.step([sines(1)], 1),
      RangeError,
      "Cannot train: 2 workers need at least 2 windows per micro-batch (got 1)",
    );
    await assertRejects(
      () => trainer.step([sines(2), sines(3)], 1),
      RangeError,
      "Cannot train: micro-batches must all hold the same whole number of 64-sample windows (got 192 values)",
    );
    const state = await trainer.exportState();
    const broken = new Map(state.discriminator);
    broken.set("discriminator/out/bias", { shape: [2], data: new Float32Array(2) });
    const error = await assertRejects(
      () => trainer.importState({ ...state, discriminator: broken }),
      ParamStateError,
      'Cannot import parameters: "discriminator/out/bias" has shape [2] (2 values), expected [1]',
    );
    assertEquals(error.paramName, "discriminator/out/bias");
    for (const replica of await trainer.exportReplicaStates()) {
      for (const [name, a] of arraysOf(replica)) assertEquals(a.data, arraysOf(state).get(name)!.data, name);
    }
    const { metrics } = await trainer.step([sines(2)], 1);
    assert(Number.isFinite(metrics.total_loss));
  } finally {
    await trainer.dispose();
  }
  await assertRejects(() => trainer.step([sines(2)], 2), TrainWorkerError, "it was disposed");
});

Deno.test("ParallelTrainer.create() rejects with a Worker's backend error and stops its Workers", async () => {
  const tensors = tf.memory().numTensors;
  await assertRejects(
    () =>
      ParallelTrainer.create(tinySetup({}), {
        rng: Rng.fromSeed(1),
        backend: { name: "tensorflow", device: "native", attempts: [] },
        workers: 2,
      }),
    BackendError,
    "Cannot initialise backend tensorflow: tfjs-node-gpu is not installed",
  );
  assertEquals(tf.memory().numTensors, tensors);
});
