import { createHash } from "node:crypto";
import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import {
  type CheckpointData,
  latestCheckpoint,
  listCheckpoints,
  loadCheckpoint,
  pruneCheckpoints,
  saveCheckpoint,
} from "../../lib/checkpoint/checkpoint.ts";
import { CheckpointError } from "../../lib/checkpoint/errors.ts";

function data(step: number): CheckpointData {
  const tensor = (value: number) => new Map([["w", { shape: [2], data: Float32Array.of(value, -value) }]]);
  return {
    step,
    tensors: { generator: tensor(step), discriminator: tensor(step + 0.5), optimizer: tensor(1), loop: new Map() },
    state: { step, epoch: 0, note: "test" },
  };
}

Deno.test("saveCheckpoint() writes a directory that loadCheckpoint() reads back", async () => {
  await withTempDir(async (dir) => {
    const path = await saveCheckpoint(`${dir}/run`, data(12));
    assertEquals(path, `${dir}/run/checkpoint_12`);
    const names = (await Array.fromAsync(Deno.readDir(path))).map((e) => e.name).sort();
    assertEquals(names, [
      "discriminator.safetensors",
      "generator.safetensors",
      "loop.safetensors",
      "optimizer.safetensors",
      "state.json",
    ]);
    const back = await loadCheckpoint(path);
    assertEquals(back.step, 12);
    assertEquals(back.state, { step: 12, epoch: 0, note: "test" });
    assertEquals(back.tensors.discriminator.get("w")?.data, Float32Array.of(12.5, -12.5));
    assertEquals(await Array.fromAsync(Deno.readDir(`${dir}/run`), (e) => e.name), ["checkpoint_12"]);
  });
});

Deno.test("saveCheckpoint() prunes to keep_last only after the new checkpoint is complete", async () => {
  await withTempDir(async (dir) => {
    for (const step of [1, 2, 3, 4]) await saveCheckpoint(dir, data(step), { keepLast: 2 });
    assertEquals((await listCheckpoints(dir)).map((e) => e.step), [3, 4]);
    assertEquals(await latestCheckpoint(dir), `${dir}/checkpoint_4`);
    // A save that fails mid-write (the generator and discriminator files are on disk, the optimizer's
    // tensors fail) must not prune, must say so with a CheckpointError and must leave no temporary folder.
    let onDisk: string[] = [];
    class FailingTensors extends Map<string, { shape: number[]; data: Float32Array }> {
      override entries(): MapIterator<[string, { shape: number[]; data: Float32Array }]> {
        const temp = [...Deno.readDirSync(dir)].find((e) => e.name.startsWith(".checkpoint_5.tmp-"));
        assert(temp !== undefined, "the save is writing into a temporary folder");
        onDisk = [...Deno.readDirSync(`${dir}/${temp.name}`)].map((e) => e.name).sort();
        throw new Error("disk full");
      }
      override [Symbol.iterator](): MapIterator<[string, { shape: number[]; data: Float32Array }]> {
        return this.entries();
      }
    }
    const failing = { ...data(5), tensors: { ...data(5).tensors, optimizer: new FailingTensors() } };
    const error = await assertRejects(() => saveCheckpoint(dir, failing, { keepLast: 1 }), CheckpointError);
    assert(error.message.includes("disk full"), error.message);
    assertEquals(onDisk, ["discriminator.safetensors", "generator.safetensors"]);
    assertEquals((await listCheckpoints(dir)).map((e) => e.step), [3, 4]);
    assertEquals((await Array.fromAsync(Deno.readDir(dir), (e) => e.name)).sort(), ["checkpoint_3", "checkpoint_4"]);
    // A state whose step disagrees is refused before anything is written.
    await assertRejects(() => saveCheckpoint(dir, { ...data(5), state: { step: 6 } }, { keepLast: 1 }), RangeError);
    assertEquals((await listCheckpoints(dir)).map((e) => e.step), [3, 4]);
  });
});

Deno.test("saveCheckpoint() prunes only checkpoints of the new one's lineage", async () => {
  await withTempDir(async (dir) => {
    const save = (step: number, runId?: string) =>
      saveCheckpoint(dir, { ...data(step), state: { step, ...(runId === undefined ? {} : { run_id: runId }) } }, {
        keepLast: 2,
      });
    // An earlier run's checkpoints at higher steps, and one by a version that recorded no lineage.
    await save(6000, "earlier");
    await save(7000, "earlier");
    await save(500);
    assertEquals(await save(1000, "new"), `${dir}/checkpoint_1000`);
    assertEquals((await listCheckpoints(dir)).map((e) => e.step), [500, 1000, 6000, 7000]);
    await save(2000, "new");
    await save(3000, "new");
    assertEquals((await listCheckpoints(dir)).map((e) => [e.step, e.runId]), [
      [500, null],
      [2000, "new"],
      [3000, "new"],
      [6000, "earlier"],
      [7000, "earlier"],
    ]);
  });
});

Deno.test("latestCheckpoint() never picks a half-written checkpoint", async () => {
  await withTempDir(async (dir) => {
    await saveCheckpoint(dir, data(100));
    // A save interrupted before the rename: a temporary directory with everything but state.json.
    await Deno.mkdir(`${dir}/.checkpoint_200.tmp-999`);
    await Deno.writeFile(`${dir}/.checkpoint_200.tmp-999/generator.safetensors`, new Uint8Array(10));
    // A directory with the right name but no state.json (copied by hand, or damaged).
    await Deno.mkdir(`${dir}/checkpoint_300`);
    await Deno.writeFile(`${dir}/checkpoint_300/generator.safetensors`, new Uint8Array(10));
    // A state.json that records another step.
    await saveCheckpoint(dir, data(400));
    await Deno.writeTextFile(`${dir}/checkpoint_400/state.json`, JSON.stringify({ step: 401 }));
    assertEquals(await latestCheckpoint(dir), `${dir}/checkpoint_100`);
    assertEquals(await latestCheckpoint(`${dir}/absent`), undefined);
  });
});

Deno.test("saveCheckpoint() replaces a checkpoint of the same step", async () => {
  await withTempDir(async (dir) => {
    await saveCheckpoint(dir, data(5));
    await saveCheckpoint(dir, { ...data(5), state: { step: 5, note: "second" } });
    assertEquals((await loadCheckpoint(`${dir}/checkpoint_5`)).state["note"], "second");
    assertEquals(await Array.fromAsync(Deno.readDir(dir), (e) => e.name), ["checkpoint_5"]);
  });
});

Deno.test("loadCheckpoint() rejecting missing and damaged files", async () => {
  await withTempDir(async (dir) => {
    const path = await saveCheckpoint(dir, data(7));
    await Deno.writeFile(`${path}/optimizer.safetensors`, new Uint8Array([1, 2, 3]));
    const damaged = await assertRejects(
      () => loadCheckpoint(path),
      CheckpointError,
      "optimizer.safetensors is damaged",
    );
    assert(damaged.message.startsWith(path));
    await Deno.remove(`${path}/generator.safetensors`);
    await assertRejects(() => loadCheckpoint(path), CheckpointError, "generator.safetensors is missing");
    await assertRejects(() => loadCheckpoint(`${dir}/nope`), CheckpointError, "state.json is missing");
  });
});

Deno.test("saveCheckpoint() tells onPruned which checkpoints it removed, with their generators' sha256", async () => {
  await withTempDir(async (dir) => {
    const reports: string[][] = [];
    const shas = new Map<number, string>();
    for (const step of [1, 2, 3]) {
      const path = await saveCheckpoint(dir, data(step), {
        keepLast: 2,
        onPruned: (removed) => reports.push(removed.map((r) => `${r.step} ${r.generatorSha256}`)),
      });
      const bytes = await Deno.readFile(`${path}/generator.safetensors`);
      shas.set(step, createHash("sha256").update(bytes).digest("hex"));
    }
    assertEquals(reports, [[`1 ${shas.get(1)}`]]);
    assertEquals((await pruneCheckpoints(dir, 1, { runId: null })).map((r) => [r.path, r.generatorSha256]), [
      [`${dir}/checkpoint_2`, shas.get(2)!],
    ]);
  });
});
