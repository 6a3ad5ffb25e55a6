import { join } from "@std/path";
import { createHash } from "node:crypto";
import { assertEquals, assertRejects } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { exportCodec } from "../../lib/checkpoint/export_codec.ts";
import { findCodec } from "../../lib/checkpoint/find_codec.ts";
import { CheckpointError } from "../../lib/checkpoint/errors.ts";
import { resolveCheckpointDir } from "../../lib/checkpoint/resolve_checkpoint_dir.ts";
import { makeTinyCheckpoint } from "../codec/_tiny_checkpoint.ts";

async function sha256Of(checkpoint: string): Promise<string> {
  return createHash("sha256").update(await Deno.readFile(join(checkpoint, "generator.safetensors"))).digest("hex");
}

Deno.test("findCodec() searches every checkpoint of a run, its earlier runs moved aside and its exports", async () => {
  await withTempDir(async (dir) => {
    const run = join(dir, "run");
    const old = await makeTinyCheckpoint(run, { step: 1, seed: 1 });
    const middle = await makeTinyCheckpoint(run, { step: 2, seed: 2 });
    await makeTinyCheckpoint(run, { step: 3, seed: 3 });
    const moved = await makeTinyCheckpoint(join(run, "previous-2025-01-01T00-00-00Z"), { step: 9, seed: 9 });
    const { export: kept } = await exportCodec(old, join(run, "exports"));
    await Deno.remove(old, { recursive: true });

    const middleSearch = await findCodec(await sha256Of(middle), [run]);
    assertEquals([middleSearch.found?.path, middleSearch.found?.kind], [middle, "checkpoint"]);
    assertEquals(middleSearch.candidates.map((c) => c.path), [join(run, "checkpoint_3"), middle], "newest first");
    assertEquals((await findCodec(await sha256Of(moved), [run])).found?.path, moved);
    const fromExport = await findCodec(kept.sha256, [run]);
    assertEquals([fromExport.found?.path, fromExport.found?.kind], [kept.path, "export"]);
    assertEquals((await findCodec(kept.sha256, [join(run, "exports")])).found?.path, kept.path);
    assertEquals((await findCodec(kept.sha256, [kept.path])).found?.path, kept.path);

    const none = await findCodec("f".repeat(64), [run, join(dir, "missing")]);
    assertEquals(none.found, undefined);
    assertEquals(none.candidates.map((c) => c.kind), ["checkpoint", "checkpoint", "checkpoint", "export"]);
  });
});

Deno.test("findCodec() never matches a damaged generator", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await makeTinyCheckpoint(dir, { step: 1 });
    const sha = await sha256Of(ckpt);
    const generator = join(ckpt, "generator.safetensors");
    const bytes = await Deno.readFile(generator);
    bytes[bytes.length - 1]! ^= 1;
    await Deno.writeFile(generator, bytes);
    assertEquals((await findCodec(sha, [dir])).found, undefined);
  });
});

Deno.test("resolveCheckpointDir() taking exports, and naming what the folder of a missing checkpoint holds", async () => {
  await withTempDir(async (dir) => {
    const run = join(dir, "run");
    const first = await makeTinyCheckpoint(run, { step: 5, seed: 1 });
    await makeTinyCheckpoint(run, { step: 6, seed: 2 });
    const { export: a } = await exportCodec(first, join(run, "exports"));
    assertEquals(await resolveCheckpointDir(a.path), a.path);
    assertEquals(await resolveCheckpointDir(join(run, "exports")), a.path, "an exports folder of one export");
    await assertRejects(
      () => resolveCheckpointDir(join(run, "checkpoint_500")),
      CheckpointError,
      `${run}/checkpoint_500: Cannot load checkpoint: no such directory (${run} holds checkpoint_5, checkpoint_6, ` +
        `exports/${a.path.split("/").at(-1)})`,
    );
    await assertRejects(
      () => resolveCheckpointDir(join(dir, "nothing", "checkpoint_1")),
      CheckpointError,
      `no such directory (its folder ${dir}/nothing does not exist either)`,
    );
    await Deno.mkdir(join(dir, "empty"));
    await assertRejects(() => resolveCheckpointDir(join(dir, "empty", "x")), CheckpointError, "holds no checkpoint)");
    const { export: b } = await exportCodec(join(run, "checkpoint_6"), join(run, "exports"));
    await assertRejects(
      () => resolveCheckpointDir(join(run, "exports")),
      CheckpointError,
      `the folder holds 2 codec exports (`,
    );
    assertEquals(await resolveCheckpointDir(b.path), b.path);
  });
});
