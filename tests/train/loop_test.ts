import { assert, assertEquals, assertRejects, assertStringIncludes } from "../_assert.ts";
import { Pod5Reader } from "../../lib/pod5/mod.ts";
import { withTempDir } from "../_temp_dir.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { type CheckpointData, listCheckpoints, loadCheckpoint } from "../../lib/checkpoint/checkpoint.ts";
import { CheckpointError } from "../../lib/checkpoint/errors.ts";
import { trainModel } from "../../lib/train/loop.ts";
import { MetricsLog, type MetricsRecord } from "../../lib/train/metrics_log.ts";
import { tinyConfig, Z1 } from "./_tiny_config.ts";
import { writeFirstReads, writeFlatRead } from "../data/_dataset_fixtures.ts";
import type { TrainEvent } from "../../lib/train/loop.ts";

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
    assertEquals(one.records.map((r) => r["disc_mask"]), [0, 0, 1, 1, 1, 1]);
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
    // The last step is logged once, with its held-out scores (issue 24, item 7).
    assertEquals(records.map((r) => r["step"]), [1, 2, 3, 4, 5]);
    for (const record of records) {
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

Deno.test("trainModel() skips a read with MAD 0 with a warning and counts it in every epoch's summary", async () => {
  await withTempDir(async (dir) => {
    const flat = `${dir}/two_reads.pod5`;
    const { readId, numSamples } = await writeFlatRead(Z1, flat, 1, { keepReads: 2 }); // read 0 and a flat read 1
    const doc = tinyConfig(`${dir}/ckpt`, { max_steps: 1000, epochs: 2, val_every: null, log_every: 100 });
    (doc["data"] as Record<string, unknown>)["files"] = [flat];
    const events: TrainEvent[] = [];
    const result = await trainModel({ config: parseConfig(doc), backend, onEvent: (e) => events.push(e) });
    const warnings = events.flatMap((e) => e.kind === "warning" ? [e.message] : []);
    assertEquals(warnings.filter((m) => m.includes(readId)), [
      `${flat}: skipped read ${readId}: its MAD is 0 (at least half of its ${numSamples} samples equal its median), ` +
      "so median/MAD normalisation cannot scale it",
    ]);
    const epochs = events.flatMap((e) => e.kind === "epoch" ? [e] : []);
    assertEquals(epochs.map((e) => [e.summary.epoch, e.summary.madZeroReads, e.summary.failedReads]), [[0, 1, 0], [
      1,
      1,
      0,
    ]]);
    // Read 0 alone trains: its 800-sample windows less the 2 % tail held out, in batches of 4.
    await using pod5 = await Pod5Reader.open(Z1);
    const windows = Math.floor(pod5.readMetadata()[0]!.numSamples / 800);
    const trained = windows - Math.max(1, Math.ceil(0.02 * windows));
    const steps = Math.floor(trained / 4);
    assertEquals(epochs.map((e) => [e.step, e.summary.windows]), [[steps, 4 * steps], [2 * steps, 4 * steps]]);
    const log = await Deno.readTextFile(`${dir}/ckpt/train.log`);
    assertStringIncludes(
      log,
      `epoch 1 done at step ${result.steps}: ${
        epochs[1]!.summary.windows
      } windows; reads skipped: 1 with MAD 0, 0 unreadable`,
    );
  });
});

/** A config on a one-read copy of z1: 24 training windows of 800 samples, 6 steps an epoch. */
async function oneReadConfig(dir: string, train: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const file = `${dir}/one_read.pod5`;
  if (!(await Deno.stat(file).then(() => true, () => false))) await writeFirstReads(Z1, file, 1);
  const doc = tinyConfig(`${dir}/ckpt`, { val_every: null, log_every: 1, ...train });
  (doc["data"] as Record<string, unknown>)["files"] = [file];
  return doc;
}

function withData(doc: Record<string, unknown>, data: Record<string, unknown>): Record<string, unknown> {
  return { ...doc, data: { ...(doc["data"] as Record<string, unknown>), ...data } };
}

function resuming(doc: Record<string, unknown>): Record<string, unknown> {
  return { ...doc, checkpoint: { ...(doc["checkpoint"] as Record<string, unknown>), resume_from: "auto" } };
}

Deno.test("trainModel() refuses to resume on changed data, saying what changed", async () => {
  await withTempDir(async (dir) => {
    const doc = await oneReadConfig(dir, { max_steps: 2 });
    await trainModel({ config: parseConfig(doc), backend });
    const more = resuming({ ...doc, train: { ...(doc["train"] as Record<string, unknown>), max_steps: 4 } });
    const files = (doc["data"] as { files: string[] }).files;
    const cases: [Record<string, unknown>, string][] = [
      [withData(more, { files: [...files, Z1] }), `1 file added (${Z1})`],
      [{ ...more, seed: 8 }, "seed 7 → 8"],
      [withData(more, { holdout_fraction: 0.1 }), "data.holdout_fraction 0.02 → 0.1"],
      [withData(more, { holdout_by: "read" }), "data.holdout_by read_tail → read"],
      [withData(more, { sample_rate: 5004 }), "data.sample_rate 5000 → 5004"],
      [withData(more, { clip: 5 }), "data.clip null → 5"],
    ];
    for (const [changed, what] of cases) {
      const error = await assertRejects(() => trainModel({ config: parseConfig(changed), backend }), CheckpointError);
      assertEquals(
        error.message,
        `${dir}/ckpt/checkpoint_2: Cannot resume: the data differs from the checkpoint's: ${what}; the saved ` +
          "position would point at other windows (--resume-changed-data continues from the start of the next epoch)",
      );
    }
    // A resized file (same name, other content).
    await Deno.remove(files[0]!);
    await writeFirstReads(Z1, files[0]!, 2);
    await assertRejects(
      () => trainModel({ config: parseConfig(more), backend }),
      CheckpointError,
      `1 file resized (${files[0]}: `,
    );
  });
});

Deno.test("trainModel() with resumeChangedData continues on changed data from the start of the next epoch", async () => {
  await withTempDir(async (dir) => {
    const doc = await oneReadConfig(dir, { max_steps: 2 });
    await trainModel({ config: parseConfig(doc), backend });
    const files = (doc["data"] as { files: string[] }).files;
    const two = `${dir}/two_reads.pod5`;
    await writeFirstReads(Z1, two, 2);
    const more = resuming(withData({ ...doc, train: { ...(doc["train"] as Record<string, unknown>), max_steps: 5 } }, {
      files: [...files, two],
    }));
    const events: TrainEvent[] = [];
    const result = await trainModel({
      config: parseConfig(more),
      backend,
      resumeChangedData: true,
      onEvent: (e) => events.push(e),
    });
    assertEquals([result.steps, result.stepsThisRun], [5, 3]);
    assertStringIncludes(
      events.flatMap((e) => e.kind === "warning" ? [e.message] : []).join("\n"),
      `${dir}/ckpt/checkpoint_2: the data differs from the checkpoint's (1 file added (${two})); ` +
        "continuing from the start of epoch 1",
    );
    // Each step once: the last of each run carries its held-out scores.
    const records = await (await MetricsLog.open(`${dir}/ckpt`)).records();
    assertEquals(records.map((r) => [r["step"], r["epoch"]]), [[1, 0], [2, 0], [3, 1], [4, 1], [5, 1]]);
    assertEquals(records.map((r) => "val_l1" in r), [false, true, false, false, true]);
    // The new checkpoint records the new plan: resuming it again on the same data is exact, with no flag.
    const again = await trainModel({
      config: parseConfig({ ...more, train: { ...(more["train"] as Record<string, unknown>), max_steps: 6 } }),
      backend,
    });
    assertEquals(again.steps, 6);
  });
});

Deno.test("trainModel() resumes a checkpoint of version 0.1.0 only with resumeChangedData, from the next epoch", async () => {
  await withTempDir(async (dir) => {
    const doc = await oneReadConfig(dir, { max_steps: 2 });
    await trainModel({ config: parseConfig(doc), backend });
    // What 0.1.0 wrote: one file at a time, no data plan, no run id.
    const statePath = `${dir}/ckpt/checkpoint_2/state.json`;
    const { data_plan: _plan, run_id: _run, data_position: position, ...old } = JSON.parse(
      await Deno.readTextFile(statePath),
    );
    const oldPosition = {
      epoch: position.epoch,
      fileIndex: 0,
      readIndex: 0,
      windowIndex: 8,
      epochWindow: 8,
      blockOffset: 0,
      shuffleWindows: 0,
      windowSamples: 800,
    };
    await Deno.writeTextFile(statePath, JSON.stringify({ ...old, version: "0.1.0", data_position: oldPosition }));
    const more = resuming({ ...doc, train: { ...(doc["train"] as Record<string, unknown>), max_steps: 3 } });
    await assertRejects(
      () => trainModel({ config: parseConfig(more), backend }),
      CheckpointError,
      "the data differs from the checkpoint's: the checkpoint records no data plan (written by simvqgan 0.1.0)",
    );
    const result = await trainModel({ config: parseConfig(more), backend, resumeChangedData: true });
    assertEquals([result.steps, result.epoch], [3, 1]);
  });
});

Deno.test("trainModel() into a folder holding an earlier run stops and changes nothing; overwrite moves it aside", async () => {
  await withTempDir(async (dir) => {
    // An earlier run trained to step 7 in the folder.
    const earlier = await oneReadConfig(dir, { max_steps: 7, save_every: 6, keep_last: 2 });
    await trainModel({ config: parseConfig(earlier), backend });
    const before = await Array.fromAsync(Deno.readDir(`${dir}/ckpt`), (e) => e.name);
    const log = await Deno.readTextFile(`${dir}/ckpt/metrics.jsonl`);
    const fresh = await oneReadConfig(dir, { max_steps: 3, save_every: 1, keep_last: 2 });
    await assertRejects(
      () => trainModel({ config: parseConfig(fresh), backend }),
      CheckpointError,
      `${dir}/ckpt: Cannot start a new run: the folder holds an earlier run (newest checkpoint_7)`,
    );
    assertEquals(await Array.fromAsync(Deno.readDir(`${dir}/ckpt`), (e) => e.name), before);
    assertEquals(await Deno.readTextFile(`${dir}/ckpt/metrics.jsonl`), log);
    // --overwrite: the new run's checkpoints and logs only; the earlier run whole under previous-*/.
    const result = await trainModel({ config: parseConfig(fresh), backend, overwrite: true });
    assertEquals(result.checkpoint, `${dir}/ckpt/checkpoint_3`);
    assertEquals((await listCheckpoints(`${dir}/ckpt`)).map((c) => c.step), [2, 3]);
    const [previous] = await Array.fromAsync(Deno.readDir(`${dir}/ckpt`), (e) => e.name).then((all) =>
      all.filter((name) => name.startsWith("previous-"))
    );
    assertEquals((await listCheckpoints(`${dir}/ckpt/${previous}`)).map((c) => c.step), [6, 7]);
    assertEquals(await Deno.readTextFile(`${dir}/ckpt/${previous}/metrics.jsonl`), log);
    const records = await (await MetricsLog.open(`${dir}/ckpt`)).records();
    assertEquals(records.map((r) => r["step"]), [1, 2, 3]);
  });
});
