import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { listCheckpoints, loadCheckpoint } from "../../lib/train/checkpoint.ts";
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

/** The tiny config with `workers` loader workers. */
function withWorkers(config: Record<string, unknown>, workers: number): Record<string, unknown> {
  return { ...config, data: { ...(config["data"] as Record<string, unknown>), loader_workers: workers } };
}

for (const workers of [0, 1, 2]) {
  Deno.test(
    `trainModel() resumed at step 4 gives the same metrics for steps 5-8 as 8 steps straight [loader_workers ${workers}]`,
    async () => {
      await withTempDir(async (dir) => {
        const straight = await trainModel({
          config: parseConfig(withWorkers(tinyConfig(`${dir}/a`), workers)),
          backend,
        });
        assertEquals(straight.steps, 8);
        await trainModel({
          config: parseConfig(withWorkers(tinyConfig(`${dir}/b`, { max_steps: 4 }), workers)),
          backend,
        });
        const resumed = await trainModel({
          config: parseConfig({
            ...withWorkers(tinyConfig(`${dir}/b`), workers),
            checkpoint: { dir: `${dir}/b`, resume_from: "auto" },
          }),
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
        if (workers > 0) {
          // Loader workers change where windows are decoded, never which windows a step sees.
          await trainModel({ config: parseConfig(tinyConfig(`${dir}/inline`)), backend });
          const inline = await (await MetricsLog.open(`${dir}/inline`)).records();
          assertEquals(a.map(deterministic), inline.map(deterministic));
        }
      });
    },
  );
}

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
