import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { type CheckpointData, listCheckpoints, loadCheckpoint } from "../../lib/train/checkpoint.ts";
import { CheckpointError } from "../../lib/train/errors.ts";
import { trainModel } from "../../lib/train/loop.ts";
import { MetricsLog, type MetricsRecord } from "../../lib/train/metrics_log.ts";
import { tinyConfig } from "./_tiny_config.ts";

const backend = await initBackend("wasm");

/** The metrics that do not depend on wall time. */
function deterministic(record: MetricsRecord): MetricsRecord {
  const { windows_per_s: _rate, seconds: _seconds, ...rest } = record;
  return rest;
}

const METRIC_FIELDS = [
  "step",
  "epoch",
  "total_loss",
  "reconstruct_loss",
  "commit_loss",
  "weighted_reconstruct_loss",
  "weighted_commit_loss",
  "gan_loss",
  "weighted_gan_loss",
  "feature_loss",
  "weighted_feature_loss",
  "disc_loss",
  "disc_loss_raw",
  "disc_mask",
  "codebook_perplexity",
  "codebook_util",
  "generator_grad_norm",
  "discriminator_grad_norm",
  "lr",
  "windows_per_s",
  "seconds",
];

for (const workers of [1, 2]) {
  Deno.test(`trainModel() on ${workers} worker(s) resumed at step 4 gives the same metrics for steps 5-8 as 8 steps straight`, async () => {
    await withTempDir(async (dir) => {
      const config = (ckpt: string, train: Record<string, unknown> = {}) => tinyConfig(ckpt, { workers, ...train });
      const straight = await trainModel({ config: parseConfig(config(`${dir}/a`)), backend });
      assertEquals(straight.steps, 8);
      await trainModel({ config: parseConfig(config(`${dir}/b`, { max_steps: 4 })), backend });
      const resumed = await trainModel({
        config: parseConfig({ ...config(`${dir}/b`), checkpoint: { dir: `${dir}/b`, resume_from: "auto" } }),
        backend,
      });
      assertEquals(resumed.steps, 8);
      const a = await (await MetricsLog.open(`${dir}/a`)).records();
      const b = await (await MetricsLog.open(`${dir}/b`)).records();
      assertEquals(b.map(deterministic), a.map(deterministic));
      assertEquals(a.filter((r) => Number(r["step"]) > 4).map((r) => r["step"]), [5, 6, 7, 8]);
      assertEquals(typeof a.at(-1)!["val_snr_db"], "number", "step 8 is a validation step: no extra final record");
      // The final checkpoints hold bit-identical weights and moments.
      const [ca, cb] = [await loadCheckpoint(`${dir}/a/checkpoint_8`), await loadCheckpoint(`${dir}/b/checkpoint_8`)];
      for (const file of ["generator", "discriminator", "optimizer", "loop"] as const) {
        assertEquals(cb.tensors[file], ca.tensors[file], file);
      }
    });
  });
}

/** Every logged number of `b` within 1e-4 relative of `a`'s (wall-time fields aside); the same keys and nulls. */
function assertCloseRecords(b: readonly MetricsRecord[], a: readonly MetricsRecord[], what: string): void {
  assertEquals(b.map((r) => Object.keys(deterministic(r))), a.map((r) => Object.keys(deterministic(r))));
  a.forEach((ra, i) => {
    for (const [key, expected] of Object.entries(deterministic(ra))) {
      const actual = b[i]![key];
      if (typeof expected !== "number" || typeof actual !== "number") {
        assertEquals(actual, expected, `${what}, record ${i}: ${key}`);
        continue;
      }
      const rel = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
      assert(rel <= 1e-4, `${what}, step ${ra["step"]}: ${key} is ${actual}, expected ${expected} (relative ${rel})`);
    }
  });
}

/** Every weight tensor of `b` within 1e-4 of `a`'s, relative to the tensor's largest value. */
function assertCloseWeights(b: CheckpointData, a: CheckpointData, what: string): void {
  for (const file of ["generator", "discriminator"] as const) {
    for (const [name, ta] of a.tensors[file]) {
      const [x, y] = [ta.data as Float32Array, b.tensors[file].get(name)!.data as Float32Array];
      let diff = 0, scale = 0;
      for (let i = 0; i < x.length; i++) {
        diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
        scale = Math.max(scale, Math.abs(x[i]!));
      }
      assert(diff <= 1e-4 * scale, `${what}: ${file} ${name} differs by ${diff} (largest value ${scale})`);
    }
  }
}

Deno.test("trainModel() on 2 and 4 workers logs the losses of 1 worker within 1e-4 (6 steps, discriminator from step 3)", async () => {
  await withTempDir(async (dir) => {
    const run = async (workers: number) => {
      const ckpt = `${dir}/w${workers}`;
      await trainModel({ config: parseConfig(tinyConfig(ckpt, { max_steps: 6, disc_start: 3, workers })), backend });
      return {
        records: await (await MetricsLog.open(ckpt)).records(),
        checkpoint: await loadCheckpoint(`${ckpt}/checkpoint_6`),
      };
    };
    const one = await run(1);
    assertEquals(one.records.map((r) => r["disc_mask"]), [0, 0, 1, 1, 1, 1, 1]);
    for (const workers of [2, 4]) {
      const many = await run(workers);
      assertCloseRecords(many.records, one.records, `${workers} workers`);
      assertCloseWeights(many.checkpoint, one.checkpoint, `${workers} workers`);
    }
  });
});

Deno.test("trainModel() resumes a 2-worker checkpoint on 3 workers and trains like 1 worker straight", async () => {
  await withTempDir(async (dir) => {
    await trainModel({ config: parseConfig(tinyConfig(`${dir}/a`)), backend });
    await trainModel({ config: parseConfig(tinyConfig(`${dir}/b`, { max_steps: 4, workers: 2 })), backend });
    const resumed = tinyConfig(`${dir}/b`, { workers: 3 });
    (resumed["checkpoint"] as Record<string, unknown>)["resume_from"] = "auto";
    const result = await trainModel({ config: parseConfig(resumed), backend });
    assertEquals([result.steps, result.stepsThisRun], [8, 4]);
    const a = await (await MetricsLog.open(`${dir}/a`)).records();
    const b = await (await MetricsLog.open(`${dir}/b`)).records();
    assertCloseRecords(b, a, "2 then 3 workers");
    assertCloseWeights(
      await loadCheckpoint(`${dir}/b/checkpoint_8`),
      await loadCheckpoint(`${dir}/a/checkpoint_8`),
      "2 then 3 workers",
    );
  });
});

Deno.test("trainModel() switches the discriminator on at disc_start and logs the documented fields", async () => {
  await withTempDir(async (dir) => {
    const result = await trainModel({ config: parseConfig(tinyConfig(dir, { max_steps: 5 })), backend });
    const records = await (await MetricsLog.open(dir)).records();
    assertEquals(records.map((r) => r["step"]), [1, 2, 3, 4, 5, 5]);
    for (const record of records.slice(0, 5)) {
      assertEquals(Object.keys(record).slice(0, METRIC_FIELDS.length), METRIC_FIELDS);
    }
    assertEquals(records.slice(0, 5).map((r) => r["disc_mask"]), [0, 0, 1, 1, 1]);
    assertEquals(records.slice(0, 2).map((r) => r["gan_loss"]), [null, null]);
    assert(
      records.slice(2, 5).every((r) => typeof r["gan_loss"] === "number" && typeof r["disc_loss_raw"] === "number"),
    );
    // Validation at step 4 (val_every) and at the end: the last line carries the held-out SNRs.
    assertEquals(typeof records[3]!["val_snr_db"], "number");
    const last = records.at(-1)!;
    assertEquals(typeof last["val_snr_db"], "number");
    assertEquals(typeof last["val_baseline_snr_db"], "number");
    assertEquals(result.heldOut?.snrDb, last["val_snr_db"]);
    assertEquals((await listCheckpoints(dir)).map((c) => c.step), [4, 5]);
  });
});

Deno.test("trainModel() stopped by its signal finishes the step, saves and reports it", async () => {
  await withTempDir(async (dir) => {
    const controller = new AbortController();
    const result = await trainModel({
      config: parseConfig(tinyConfig(dir, { max_steps: 50, save_every: 100 })),
      backend,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.kind === "step" && event.step === 3) controller.abort(new Error("stop"));
      },
    });
    assertEquals([result.steps, result.stopped], [3, true]);
    assertEquals((await listCheckpoints(dir)).map((c) => c.step), [3]);
  });
});

Deno.test("trainModel() rejecting a checkpoint of another model", async () => {
  await withTempDir(async (dir) => {
    await trainModel({ config: parseConfig(tinyConfig(dir, { max_steps: 1 })), backend });
    const other = tinyConfig(dir, { max_steps: 2 });
    (other["model"] as Record<string, unknown>)["codebook_size"] = 64;
    (other["checkpoint"] as Record<string, unknown>)["resume_from"] = "auto";
    await assertRejects(
      () => trainModel({ config: parseConfig(other), backend }),
      CheckpointError,
      "model.codebook_size differs from the checkpoint's config",
    );
  });
});
