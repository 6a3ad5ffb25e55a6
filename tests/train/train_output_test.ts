/** What training tells a person (issue 24, item 7): step lines, the final record, the epoch counts, pruning. */
import { join } from "@std/path";
import { assert, assertEquals } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { exportCodec } from "../../lib/checkpoint/export_codec.ts";
import { type TrainEvent, trainModel } from "../../lib/train/loop.ts";
import { formatTrainEvent, formatTrainResult } from "../../lib/train/format_train_result.ts";
import { MetricsLog } from "../../lib/train/metrics_log.ts";
import { writeFirstReads } from "../data/_dataset_fixtures.ts";
import { tinyConfig, Z1 } from "./_tiny_config.ts";

const backend = await initBackend("wasm");

/** The tiny model on z1's first read. */
async function oneRead(dir: string, train: Record<string, unknown>, data: Record<string, unknown> = {}) {
  await Deno.mkdir(dir, { recursive: true });
  const file = join(dir, "one_read.pod5");
  if (!(await Deno.stat(file).then(() => true, () => false))) await writeFirstReads(Z1, file, 1);
  const doc = tinyConfig(join(dir, "ckpt"), { val_every: null, ...train });
  doc["data"] = { ...(doc["data"] as Record<string, unknown>), files: [file], ...data };
  return parseConfig(doc);
}

Deno.test("trainModel() logs the last step once, with its held-out scores, even when it is no log step", async () => {
  await withTempDir(async (dir) => {
    for (const holdout of [0, 0.05]) {
      const config = await oneRead(join(dir, `h${holdout}`), { max_steps: 2, log_every: 25 }, {
        holdout_fraction: holdout,
      });
      const events: TrainEvent[] = [];
      const result = await trainModel({ config, backend, onEvent: (e) => events.push(e) });
      const records = await (await MetricsLog.open(config.checkpoint.dir)).records();
      assertEquals(records.map((r) => [r["step"], "val_snr_db" in r]), [[2, holdout > 0]]);
      assertEquals(events.filter((e) => e.kind === "log").length, 1);
      assert((await Deno.stat(result.logs.metrics)).isFile, "metrics.jsonl, as the result says");
    }
  });
});

Deno.test("trainModel()'s log events lead with step N/TOTAL and an ETA from the steps after the first", async () => {
  await withTempDir(async (dir) => {
    let now = 0;
    const events: TrainEvent[] = [];
    await trainModel({
      config: await oneRead(dir, { max_steps: 4, log_every: 1 }),
      backend,
      clock: () => now,
      onEvent: (event) => {
        events.push(event);
        if (event.kind === "step") now += event.step === 1 ? 60_000 : 2_000; // a slow first step (warm-up)
      },
    });
    const logs = events.flatMap((e) => e.kind === "log" ? [e] : []);
    assertEquals(logs.map((e) => [e.record["step"], e.totalSteps, e.etaSeconds]), [
      [1, 4, null],
      [2, 4, 4], // 2 s a step since the first, 2 steps to go
      [3, 4, 2],
      [4, 4, null],
    ]);
    const lines = logs.map((e) => formatTrainEvent(e)!);
    assertEquals(lines.map((line) => line.slice(0, line.indexOf(":"))), [
      "step 1/4",
      "step 2/4, ETA 4s",
      "step 3/4, ETA 2s",
      "step 4/4",
    ]);
    assert(
      /: loss \d\.\d{4} \(reconstruct \d\.\d{4}, commit \d\.\d{4}\), codes perplexity \d+, \d+% used/.test(lines[0]!),
      lines[0],
    );
  });
});

Deno.test("trainModel() announces the windows an epoch trains on, as its epoch summary counts them", async () => {
  await withTempDir(async (dir) => {
    const events: TrainEvent[] = [];
    await trainModel({
      config: await oneRead(dir, { epochs: 1, max_steps: null, batch_size: 8, log_every: 1000 }),
      backend,
      onEvent: (e) => events.push(e),
    });
    const start = events.find((e) => e.kind === "start");
    const epoch = events.find((e) => e.kind === "epoch");
    assert(start?.kind === "start" && epoch?.kind === "epoch");
    assertEquals(start.trainedWindowsPerEpoch, epoch.summary.windows);
    assertEquals(start.trainedWindowsPerEpoch % 8, 0);
    const dropped = start.windowsPerEpoch - start.trainedWindowsPerEpoch;
    assert(dropped > 0 && dropped < 8, `${dropped} windows short of a batch`);
    assert(
      formatTrainEvent(start)!.startsWith(
        `data: ${epoch.summary.windows} training windows per epoch in ${start.stepsPerEpoch} steps (${dropped} of ` +
          `its ${start.windowsPerEpoch} windows, short of a batch, are left out)`,
      ),
      formatTrainEvent(start),
    );
  });
});

Deno.test("trainModel() says which checkpoints pruning removed, and where an exported one's codec stays", async () => {
  await withTempDir(async (dir) => {
    const first = await oneRead(dir, { max_steps: 2, save_every: 1, keep_last: 2, log_every: 1 });
    await trainModel({ config: first, backend });
    const { export: kept } = await exportCodec(
      join(first.checkpoint.dir, "checkpoint_1"),
      join(first.checkpoint.dir, "exports"),
    );
    const events: TrainEvent[] = [];
    const resumed = await oneRead(dir, { max_steps: 4, save_every: 1, keep_last: 2, log_every: 1 });
    await trainModel({
      config: { ...resumed, checkpoint: { ...resumed.checkpoint, resume_from: "auto" } },
      backend,
      onEvent: (e) => events.push(e),
    });
    const pruned = events.flatMap((e) => e.kind === "pruned" ? [formatTrainEvent(e)] : []);
    assertEquals(pruned, [
      `pruned checkpoint_1 (keep_last 2); the codec of checkpoint_1 stays in ${kept.path}, for the token files made with it`,
      "pruned checkpoint_2 (keep_last 2)",
    ]);
    const log = await Deno.readTextFile(join(first.checkpoint.dir, "train.log"));
    for (const line of pruned) assert(log.includes(`${line}\n`), log);
  });
});

Deno.test("formatTrainResult() says a negative gain is worse, and how to encode with the run", () => {
  const result = {
    steps: 2,
    stepsThisRun: 2,
    epoch: 0,
    checkpoint: "/work/checkpoints/quickstart/checkpoint_2",
    stopped: false,
    heldOut: { snrDb: -0.11, baselineSnrDb: -0.1, windows: 25 } as never,
    logs: { trainLog: "/work/checkpoints/quickstart/train.log", metrics: "/work/checkpoints/quickstart/metrics.jsonl" },
    seconds: 11,
    windowsPerSecond: 1.48,
  };
  assertEquals(formatTrainResult(result, { holdout_by: "read_tail" }, { cwd: "/work" }).slice(3), [
    "held-out:   SNR -0.11 dB on 25 windows, held-out tails of trained reads; per-read median baseline -0.10 dB " +
    "(0.01 dB worse)",
    "encode:     deno task encode IN.pod5 -o OUT.tokens --ckpt checkpoints/quickstart",
  ]);
  assertEquals(
    formatTrainResult(result, { holdout_by: "read" }, { cwd: "/elsewhere" }).at(-1),
    "encode:     deno task encode IN.pod5 -o OUT.tokens --ckpt /work/checkpoints/quickstart",
  );
});
