import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { ConfigError } from "../../lib/runtime/errors.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { MAX_AUTO_WORKERS, openTrainer, resolveWorkers } from "../../lib/train/open_trainer.ts";
import { ParallelTrainer } from "../../lib/train/parallel_trainer.ts";
import { Trainer } from "../../lib/train/trainer.ts";

Deno.test("resolveWorkers() auto uses the cores on CPU backends, capped at 8 and at the batch size", () => {
  const auto = (batch_size: number, backend: "wasm" | "cpu" | "webgpu" | "tensorflow", cores: number) =>
    resolveWorkers({ workers: "auto", batch_size }, { backend, cores });
  assertEquals(auto(16, "wasm", 2), 2);
  assertEquals(auto(16, "cpu", 6), 6);
  assertEquals(auto(64, "wasm", 32), MAX_AUTO_WORKERS);
  assertEquals(auto(4, "wasm", 16), 4);
  assertEquals(auto(16, "wasm", 1), 1);
  assertEquals(auto(16, "webgpu", 16), 1);
  assertEquals(auto(16, "tensorflow", 16), 1);
  assertEquals(resolveWorkers({ workers: 3, batch_size: 16 }, { backend: "wasm", cores: 2 }), 3);
  assertEquals(resolveWorkers({ workers: 1, batch_size: 16 }, { backend: "tensorflow" }), 1);
});

Deno.test("resolveWorkers() rejecting workers on a GPU backend and more workers than windows per batch", () => {
  const gpu = assertThrows(
    () => resolveWorkers({ workers: 2, batch_size: 16 }, { backend: "webgpu" }),
    ConfigError,
    "train.workers: 2 workers need the wasm or cpu backend; the webgpu backend trains on one device (use 1)",
  );
  assertEquals(gpu.keyPath, "train.workers");
  assertThrows(
    () => resolveWorkers({ workers: 5, batch_size: 4 }, { backend: "wasm" }),
    ConfigError,
    "train.workers: 5 workers need batches of at least 5 windows, but train.batch_size is 4",
  );
});

Deno.test("openTrainer() trains in this thread for one worker and on Workers for more", async () => {
  const backend = await initBackend("wasm");
  const config = parseConfig({
    model: {
      enc_channels: [8, 8],
      enc_down_strides: [4],
      dec_channels: [8, 8],
      dec_up_strides: [4],
      latent_dim: 8,
      codebook_size: 16,
      discriminator: { channels: [8], strides: [2] },
    },
  });
  const setup = { model: config.model, train: config.train, windowSamples: 32, outputActivation: "linear" } as const;
  const one = await openTrainer(setup, { rng: Rng.fromSeed(1), backend, workers: 1 });
  assert(one instanceof Trainer);
  await one.dispose();
  const two = await openTrainer(setup, { rng: Rng.fromSeed(1), backend, workers: 2 });
  try {
    assert(two instanceof ParallelTrainer);
    assertEquals(two.workers, 2);
  } finally {
    await two.dispose();
  }
});
