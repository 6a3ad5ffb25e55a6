import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { latestCheckpoint, listCheckpoints, loadCheckpoint } from "../../lib/train/checkpoint.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { trainModel } from "../../lib/train/loop.ts";
import { stateFromCheckpoint } from "../../lib/train/train_state.ts";
import { tinyConfig } from "../train/_tiny_config.ts";
import { ROOT, runTask, taskArgs } from "./_run_task.ts";

async function writeConfig(dir: string, train: Record<string, unknown> = {}): Promise<string> {
  const path = `${dir}/tiny.json`;
  await Deno.writeTextFile(path, JSON.stringify(tinyConfig(`${dir}/ckpt`, train)));
  return path;
}

/** Start the train task's own command (its permissions) in the background. */
async function spawnTrain(args: string[]): Promise<Deno.ChildProcess> {
  return new Deno.Command(Deno.execPath(), {
    args: [...await taskArgs("train"), ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
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
    assertStringIncludes(out.stdout, "held-out:   SNR");
    assertStringIncludes(out.stderr, "backend wasm");
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

Deno.test("train: SIGINT finishes the step, saves a checkpoint and exits 130", async () => {
  await withTempDir(async (dir) => {
    const config = await writeConfig(dir, { max_steps: 100000, save_every: 100000 });
    const child = await spawnTrain(["--config", config]);
    await waitFor(
      async () => (await Deno.readTextFile(`${dir}/ckpt/metrics.jsonl`).catch(() => "")).includes('"step":2,'),
      "step 2",
    );
    child.kill("SIGINT");
    const { code } = await child.status;
    const stdout = new TextDecoder().decode(await new Response(child.stdout).arrayBuffer());
    await child.stderr.cancel();
    assertEquals(code, 130);
    const [saved] = await listCheckpoints(`${dir}/ckpt`);
    assert(saved !== undefined && saved.step >= 2, `checkpoint ${saved?.step}`);
    assertStringIncludes(stdout, `checkpoint: ${saved.path}`);
  });
});

Deno.test("train: a process killed while saving leaves the previous checkpoint as latest and resumable", async () => {
  const backend = await initBackend("wasm");
  await withTempDir(async (dir) => {
    const config = await writeConfig(dir, {
      max_steps: 100000,
      save_every: 1,
      keep_last: 2,
      log_every: 1000,
      val_every: null,
    });
    for (const delayMs of [0, 37, 90]) {
      const child = await spawnTrain(["--config", config, "--resume", "auto"]);
      const before = (await listCheckpoints(`${dir}/ckpt`)).at(-1)?.step ?? 0;
      await waitFor(
        async () => ((await listCheckpoints(`${dir}/ckpt`)).at(-1)?.step ?? 0) >= before + 3,
        "3 checkpoints",
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      child.kill("SIGKILL");
      await child.status;
      await child.stdout.cancel();
      await child.stderr.cancel();
      const latest = await latestCheckpoint(`${dir}/ckpt`);
      assert(latest !== undefined);
      const state = stateFromCheckpoint(await loadCheckpoint(latest), latest);
      // Resume it for one more step, in process.
      const next = tinyConfig(`${dir}/ckpt`, {
        max_steps: state.loop.step + 1,
        save_every: 1,
        log_every: 1000,
        val_every: null,
      });
      (next["checkpoint"] as Record<string, unknown>)["resume_from"] = latest;
      const result = await trainModel({ config: parseConfig(next), backend });
      assertEquals(result.steps, state.loop.step + 1);
    }
  });
});
