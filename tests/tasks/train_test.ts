import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { latestCheckpoint, listCheckpoints, loadCheckpoint } from "../../lib/checkpoint/checkpoint.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { trainModel } from "../../lib/train/loop.ts";
import { stateFromCheckpoint } from "../../lib/train/train_state.ts";
import { tinyConfig, Z1 } from "../train/_tiny_config.ts";
import { ROOT, runTask, taskArgs } from "./_run_task.ts";
import { CRASH_AT_ENV, CRASH_EXIT_CODE } from "../../lib/runtime/crash_point.ts";

async function writeConfig(dir: string, train: Record<string, unknown> = {}): Promise<string> {
  const path = `${dir}/tiny.json`;
  await Deno.writeTextFile(path, JSON.stringify(tinyConfig(`${dir}/ckpt`, train)));
  return path;
}

/**
 * Start the train task's own command (its permissions) in the background;
 * with `crashAt`, the crash point test hook may read its variable too.
 */
async function spawnTrain(args: string[], crashAt?: string): Promise<Deno.ChildProcess> {
  let task = await taskArgs("train");
  if (crashAt !== undefined) task = task.map((a) => (a.startsWith("--allow-env=") ? `${a},${CRASH_AT_ENV}` : a));
  return new Deno.Command(Deno.execPath(), {
    args: [...task, ...args],
    cwd: ROOT,
    env: crashAt === undefined ? { NO_COLOR: "1" } : { NO_COLOR: "1", [CRASH_AT_ENV]: crashAt },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

Deno.test("train: CLI flags override the config file and the run ends with where things are", async () => {
  await withTempDir(async (dir) => {
    const config = await writeConfig(dir);
    const out = await runTask("train", [
      "--config",
      config,
      "--max-steps",
      "2",
      "--batch-size",
      "3",
      "--lr",
      "0.002",
      "--workers",
      "2",
    ]);
    assertEquals(out.code, 0, out.stderr);
    const state = (await loadCheckpoint(`${dir}/ckpt/checkpoint_2`)).state;
    const train = (state["config"] as { train: Record<string, unknown> }).train;
    assertEquals([
      train["batch_size"],
      train["learning_rate"],
      train["max_steps"],
      train["save_every"],
      train["workers"],
    ], [
      3,
      0.002,
      2,
      4,
      2,
    ]);
    assertStringIncludes(out.stderr, "training to step 2 on 2 workers");
    assertStringIncludes(out.stdout, `checkpoint: ${dir}/ckpt/checkpoint_2`);
    assertStringIncludes(out.stdout, `${dir}/ckpt/metrics.jsonl`);
    // The tiny config holds out read tails, as the quickstart does: the line says what it scored.
    assert(
      /^held-out: {3}SNR -?\d+\.\d\d dB on \d+ windows, held-out tails of trained reads; /m.test(out.stdout),
      out.stdout,
    );
    assertStringIncludes(out.stderr, "backend wasm");
  });
});

Deno.test("train: a second run of a numbered config (the quickstart) trains in the next folder", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/numbered.json`;
    const doc = tinyConfig(`${dir}/ckpt`, { max_steps: 1, val_every: null });
    (doc["checkpoint"] as Record<string, unknown>)["numbered_runs"] = true;
    await Deno.writeTextFile(path, JSON.stringify(doc));
    const first = await runTask("train", ["--config", path]);
    assertEquals(first.code, 0, first.stderr);
    assertStringIncludes(first.stdout, `checkpoint: ${dir}/ckpt/checkpoint_1`);
    const second = await runTask("train", ["--config", path]);
    assertEquals(second.code, 0, second.stderr);
    assertStringIncludes(
      second.stderr,
      `${dir}/ckpt holds an earlier run, so this one trains in ${dir}/ckpt-2 (--resume auto continues the newest)`,
    );
    assertStringIncludes(second.stdout, `checkpoint: ${dir}/ckpt-2/checkpoint_1`);
    const resumed = await runTask("train", ["--config", path, "--resume", "auto", "--max-steps", "2"]);
    assertEquals(resumed.code, 0, resumed.stderr);
    assertStringIncludes(resumed.stdout, `checkpoint: ${dir}/ckpt-2/checkpoint_2`);
    assertEquals((await listCheckpoints(`${dir}/ckpt`)).map((c) => c.step), [1]);
  });
});

Deno.test("train: a fresh run into a --ckpt-dir holding a run stops with one line; --overwrite moves it", async () => {
  await withTempDir(async (dir) => {
    const config = await writeConfig(dir, { max_steps: 1, val_every: null });
    assertEquals((await runTask("train", ["--config", config])).code, 0);
    const again = await runTask("train", ["--config", config, "--ckpt-dir", `${dir}/ckpt`]);
    assertEquals([again.code, again.stdout], [2, ""]);
    // The backend line, then the one error line.
    assertEquals(again.stderr.split("\n").length, 2, again.stderr);
    assertEquals(
      again.stderr.split("\n")[1],
      `error: ${dir}/ckpt: Cannot start a new run: the folder holds an earlier run (newest checkpoint_1); ` +
        "continue it with --resume auto, or train into a new --ckpt-dir (--overwrite moves its files into " +
        "previous-<time>/)",
    );
    const overwritten = await runTask("train", ["--config", config, "--overwrite"]);
    assertEquals(overwritten.code, 0, overwritten.stderr);
    assertStringIncludes(overwritten.stderr, `moved the earlier run's files in ${dir}/ckpt into ${dir}/ckpt/previous-`);
    const kept = (await Array.fromAsync(Deno.readDir(`${dir}/ckpt`), (e) => e.name)).filter((n) =>
      n.startsWith("previous-")
    );
    assertEquals((await listCheckpoints(`${dir}/ckpt/${kept[0]}`)).map((c) => c.step), [1]);
  });
});

Deno.test("train: --data-root DIR trains on every POD5 under DIR; --subdirs restores root + subdirs", async () => {
  await withTempDir(async (dir) => {
    // The seed's layout: DIR/FC01/pod5 and DIR/FC02/pod5; the config names other subdirs and a file list.
    await Deno.mkdir(`${dir}/data/FC01/pod5`, { recursive: true });
    await Deno.mkdir(`${dir}/data/FC02/pod5`, { recursive: true });
    await Deno.copyFile(Z1, `${dir}/data/FC01/pod5/a.pod5`);
    await Deno.copyFile(Z1, `${dir}/data/FC02/pod5/b.pod5`);
    const doc = tinyConfig(`${dir}/ckpt`, { max_steps: 1, val_every: null });
    (doc["data"] as Record<string, unknown>)["subdirs"] = ["FC03/pod5"];
    const config = `${dir}/tiny.json`;
    await Deno.writeTextFile(config, JSON.stringify(doc));
    const planned = async (args: string[]) => {
      const out = await runTask("train", ["--config", config, ...args, "--overwrite"]);
      assertEquals(out.code, 0, out.stderr);
      const state = (await loadCheckpoint(`${dir}/ckpt/checkpoint_1`)).state;
      return (state["data_plan"] as { files: [string, number][] }).files.map(([path]) => path);
    };
    assertEquals(await planned(["--data-root", `${dir}/data`]), ["FC01/pod5/a.pod5", "FC02/pod5/b.pod5"]);
    assertEquals(await planned(["--data-root", `${dir}/data`, "--subdirs", "FC02/pod5"]), ["FC02/pod5/b.pod5"]);
  });
});

Deno.test("train: config and flag errors name the key and exit 2", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/bad.json`;
    await Deno.writeTextFile(path, JSON.stringify({ train: { batch_sise: 8 } }));
    const unknown = await runTask("train", ["--config", path]);
    assertEquals(unknown.code, 2);
    assertEquals(unknown.stderr, `error: ${path}: train.batch_sise: unknown key; did you mean "train.batch_size"?`);
    const flag = await runTask("train", ["--config", path, "--max-steps", "many"]);
    assertEquals([flag.code, flag.stderr], [2, 'error: Cannot train: --max-steps needs an integer, got "many"']);
    const workers = await runTask("train", ["--config", path, "--workers", "many"]);
    assertEquals([workers.code, workers.stderr], [
      2,
      'error: Cannot train: --workers needs "auto" or an integer, got "many"',
    ]);
    const missing = await runTask("train", ["--config", `${dir}/absent.json`]);
    assertEquals([missing.code, missing.stderr], [2, `error: ${dir}/absent.json: Cannot read config: file not found`]);
  });
});

/** The steps metrics.jsonl records as finished. */
async function loggedSteps(dir: string): Promise<number[]> {
  const text = await Deno.readTextFile(`${dir}/ckpt/metrics.jsonl`).catch(() => "");
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l)["step"] as number)
    .filter((s) => typeof s === "number");
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.test(`train: ${signal} finishes the step, saves exactly the last finished step and exits 130`, async () => {
    await withTempDir(async (dir) => {
      const config = await writeConfig(dir, { max_steps: 100000, save_every: 100000, log_every: 1 });
      const child = await spawnTrain(["--config", config]);
      await waitFor(async () => (await loggedSteps(dir)).includes(2), "step 2");
      child.kill(signal);
      const { code } = await child.status;
      const stdout = new TextDecoder().decode(await new Response(child.stdout).arrayBuffer());
      await child.stderr.cancel();
      assertEquals(code, 130);
      const saved = await listCheckpoints(`${dir}/ckpt`);
      assertEquals(saved.length, 1, "one checkpoint, saved on the signal");
      const last = Math.max(...await loggedSteps(dir));
      assert(last >= 2);
      assertEquals(saved[0]!.step, last, "the checkpoint is the last finished step");
      assertEquals(stateFromCheckpoint(await loadCheckpoint(saved[0]!.path), saved[0]!.path).loop.step, last);
      assertStringIncludes(stdout, `checkpoint: ${saved[0]!.path}`);
    });
  });
}

Deno.test("train: a process that dies at any point of a save leaves only complete checkpoints, and resumes", async () => {
  const backend = await initBackend("wasm");
  await withTempDir(async (dir) => {
    const config = await writeConfig(dir, {
      max_steps: 100000,
      save_every: 1,
      keep_last: 2,
      log_every: 1000,
      val_every: null,
    });
    // Two complete checkpoints first.
    const first = await spawnTrain(["--config", config, "--max-steps", "2"]);
    assertEquals((await first.output()).code, 0);
    for (const point of ["checkpoint:tensors", "checkpoint:state", "checkpoint:renamed"]) {
      const before = (await listCheckpoints(`${dir}/ckpt`)).map((c) => c.step);
      const child = await spawnTrain(["--config", config, "--resume", "auto"], point);
      const { code } = await child.output();
      assertEquals(code, CRASH_EXIT_CODE, `${point}: the crash point stopped the run`);
      const next = before.at(-1)! + 1;
      const names = (await Array.fromAsync(Deno.readDir(`${dir}/ckpt`), (e) => e.name)).filter((n) =>
        n.startsWith("checkpoint_")
      );
      const complete = (await listCheckpoints(`${dir}/ckpt`)).map((c) => c.step);
      // Every checkpoint_N folder is complete; the one being saved exists only once renamed (then unpruned).
      assertEquals(names.sort(), complete.map((n) => `checkpoint_${n}`).sort(), point);
      assertEquals(complete, point === "checkpoint:renamed" ? [...before, next] : before, point);
      const latest = await latestCheckpoint(`${dir}/ckpt`);
      assertEquals(latest, `${dir}/ckpt/checkpoint_${complete.at(-1)}`);
      const state = stateFromCheckpoint(await loadCheckpoint(latest!), latest!);
      assertEquals(state.loop.step, complete.at(-1));
    }
    // The latest resumes for one more step, in process.
    const latest = (await latestCheckpoint(`${dir}/ckpt`))!;
    const state = stateFromCheckpoint(await loadCheckpoint(latest), latest);
    const next = tinyConfig(`${dir}/ckpt`, {
      max_steps: state.loop.step + 1,
      save_every: 1,
      log_every: 1000,
      val_every: null,
    });
    (next["checkpoint"] as Record<string, unknown>)["resume_from"] = latest;
    const result = await trainModel({ config: parseConfig(next), backend });
    assertEquals(result.steps, state.loop.step + 1);
  });
});
