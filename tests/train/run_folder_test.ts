import { assertEquals, assertRejects } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { saveCheckpoint } from "../../lib/checkpoint/checkpoint.ts";
import { CheckpointError } from "../../lib/checkpoint/errors.ts";
import { prepareRunFolder } from "../../lib/train/run_folder.ts";

const NOW = new Date("2026-04-05T12:30:45.678Z");
const EMPTY = new Map();

async function fakeRun(dir: string, steps: readonly number[], runId = "earlier"): Promise<void> {
  for (const step of steps) {
    await saveCheckpoint(dir, {
      step,
      tensors: { generator: EMPTY, discriminator: EMPTY, optimizer: EMPTY, loop: EMPTY },
      state: { step, run_id: runId },
    });
  }
  await Deno.writeTextFile(`${dir}/train.log`, "step 1, total_loss: 1.0000\n");
  await Deno.writeTextFile(`${dir}/metrics.jsonl`, '{"step":1}\n');
}

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir), (e) => e.name)).sort();
}

Deno.test("prepareRunFolder() stops a fresh run in a folder that holds an earlier run, naming both ways on", async () => {
  await withTempDir(async (dir) => {
    await fakeRun(`${dir}/run`, [6000, 7000]);
    const error = await assertRejects(() => prepareRunFolder(`${dir}/run`, { resumeFrom: null }), CheckpointError);
    assertEquals(
      error.message,
      `${dir}/run: Cannot start a new run: the folder holds an earlier run (newest checkpoint_7000); continue it ` +
        "with --resume auto, or train into a new --ckpt-dir (--overwrite moves its files into previous-<time>/)",
    );
    assertEquals(await names(`${dir}/run`), ["checkpoint_6000", "checkpoint_7000", "metrics.jsonl", "train.log"]);
    // Logs alone (a run killed before its first checkpoint) are an earlier run too.
    await Deno.mkdir(`${dir}/logs`);
    await Deno.writeTextFile(`${dir}/logs/train.log`, "start\n");
    await assertRejects(
      () => prepareRunFolder(`${dir}/logs`, { resumeFrom: "auto" }),
      CheckpointError,
      "holds the logs of an earlier run (train.log) but no checkpoint",
    );
    // An empty or missing folder, or one of other files, is free.
    await Deno.mkdir(`${dir}/other`);
    await Deno.writeTextFile(`${dir}/other/notes.txt`, "mine");
    for (const free of [`${dir}/absent`, `${dir}/other`]) {
      assertEquals(await prepareRunFolder(free, { resumeFrom: null }), {
        dir: free,
        resumeFrom: undefined,
        note: undefined,
      });
    }
    assertEquals(
      (await prepareRunFolder(`${dir}/run`, { resumeFrom: "auto" })).resumeFrom,
      `${dir}/run/checkpoint_7000`,
    );
  });
});

Deno.test("prepareRunFolder() with overwrite moves the earlier run into previous-<time>/ and deletes nothing", async () => {
  await withTempDir(async (dir) => {
    await fakeRun(`${dir}/run`, [6000, 7000]);
    await Deno.mkdir(`${dir}/run/.checkpoint_8000.tmp-123`);
    await Deno.writeTextFile(`${dir}/run/notes.txt`, "mine");
    const folder = await prepareRunFolder(`${dir}/run`, { resumeFrom: null, overwrite: true, now: NOW });
    const previous = `${dir}/run/previous-2026-04-05T12-30-45Z`;
    assertEquals(folder, {
      dir: `${dir}/run`,
      resumeFrom: undefined,
      note: `moved the earlier run's files in ${dir}/run into ${previous}`,
    });
    assertEquals(await names(`${dir}/run`), ["notes.txt", "previous-2026-04-05T12-30-45Z"]);
    assertEquals(await names(previous), [
      ".checkpoint_8000.tmp-123",
      "checkpoint_6000",
      "checkpoint_7000",
      "metrics.jsonl",
      "train.log",
    ]);
    // A second overwrite in the same second gets its own folder.
    await fakeRun(`${dir}/run`, [10]);
    await prepareRunFolder(`${dir}/run`, { resumeFrom: null, overwrite: true, now: NOW });
    assertEquals(await names(`${previous}-2`), ["checkpoint_10", "metrics.jsonl", "train.log"]);
  });
});

Deno.test("prepareRunFolder() refuses to resume next to newer checkpoints, or into another run's folder", async () => {
  await withTempDir(async (dir) => {
    await fakeRun(`${dir}/run`, [500, 1000]);
    await assertRejects(
      () => prepareRunFolder(`${dir}/run`, { resumeFrom: `${dir}/run/checkpoint_500` }),
      CheckpointError,
      "Cannot resume checkpoint_500 here: the folder holds newer checkpoints (newest checkpoint_1000)",
    );
    assertEquals(
      (await prepareRunFolder(`${dir}/run`, { resumeFrom: `${dir}/run/checkpoint_1000` })).resumeFrom,
      `${dir}/run/checkpoint_1000`,
    );
    await fakeRun(`${dir}/b`, [20], "b");
    await assertRejects(
      () => prepareRunFolder(`${dir}/b`, { resumeFrom: `${dir}/run/checkpoint_500` }),
      CheckpointError,
      `Cannot resume ${dir}/run/checkpoint_500 into this folder: it holds another run (newest checkpoint_20)`,
    );
    // With overwrite the newer ones move aside, and the resume reads its checkpoint from where it went.
    const folder = await prepareRunFolder(`${dir}/run`, {
      resumeFrom: `${dir}/run/checkpoint_500`,
      overwrite: true,
      now: NOW,
    });
    assertEquals(folder.resumeFrom, `${dir}/run/previous-2026-04-05T12-30-45Z/checkpoint_500`);
  });
});

Deno.test("prepareRunFolder() with numbered runs starts each fresh run in the next folder and resumes the newest", async () => {
  await withTempDir(async (dir) => {
    const base = `${dir}/quickstart`;
    const numbered = (resumeFrom: string | null) => prepareRunFolder(base, { resumeFrom, numbered: true });
    assertEquals(await numbered(null), { dir: base, resumeFrom: undefined, note: undefined });
    await fakeRun(base, [500]);
    assertEquals(await numbered(null), {
      dir: `${base}-2`,
      resumeFrom: undefined,
      note: `${base} holds an earlier run, so this one trains in ${base}-2 (--resume auto continues the newest)`,
    });
    await fakeRun(`${base}-2`, [250]);
    assertEquals((await numbered(null)).dir, `${base}-3`);
    assertEquals((await numbered("auto")).resumeFrom, `${base}-2/checkpoint_250`);
    assertEquals((await numbered(`${base}/checkpoint_500`)).dir, base);
  });
});
