import { join } from "@std/path";
import { createHash } from "node:crypto";
import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { listCodecExports, readCodecExport } from "../../lib/checkpoint/codec_export.ts";
import { exportCodec, formatKeptExport, keepCodecExport } from "../../lib/checkpoint/export_codec.ts";
import { CheckpointError } from "../../lib/checkpoint/errors.ts";
import { loadCodec } from "../../lib/codec/load_codec.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { makeTinyCheckpoint } from "../codec/_tiny_checkpoint.ts";

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

Deno.test("exportCodec() copies the generator's bytes and the state's config into codec_<sha>/, once", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await makeTinyCheckpoint(join(dir, "run"), { step: 7 });
    const generator = await Deno.readFile(join(ckpt, "generator.safetensors"));
    const state = JSON.parse(await Deno.readTextFile(join(ckpt, "state.json")));
    const first = await exportCodec(join(dir, "run"), join(dir, "models"));
    const path = join(dir, "models", `codec_${sha256(generator).slice(0, 16)}`);
    assertEquals([first.created, first.export.path, first.export.sha256], [true, path, sha256(generator)]);
    assertEquals(await Deno.readFile(join(path, "generator.safetensors")), generator);
    const record = JSON.parse(await Deno.readTextFile(join(path, "codec.json")));
    assertEquals(
      [record.format, record.generator_sha256, record.step, record.source, record.config],
      ["simvqgan-codec/1", sha256(generator), 7, ckpt, state.config],
    );
    assertEquals(await Array.fromAsync(Deno.readDir(join(dir, "models")), (e) => e.name), [
      `codec_${sha256(generator).slice(0, 16)}`,
    ]);
    const before = (await Deno.stat(join(path, "codec.json"))).mtime;
    const again = await exportCodec(ckpt, join(dir, "models"));
    assertEquals([again.created, (await Deno.stat(join(path, "codec.json"))).mtime], [false, before]);
    assertEquals((await listCodecExports(join(dir, "models"))).map((e) => e.path), [path]);
  });
});

Deno.test("exportCodec() replacing a damaged export, and refusing a generator that is not the one loaded", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await makeTinyCheckpoint(join(dir, "run"));
    const { export: made } = await exportCodec(ckpt, join(dir, "models"));
    await Deno.writeFile(join(made.path, "generator.safetensors"), new Uint8Array([1, 2, 3]));
    const repaired = await exportCodec(ckpt, join(dir, "models"));
    assertEquals(repaired.created, true);
    assertEquals(sha256(await Deno.readFile(join(made.path, "generator.safetensors"))), made.sha256);
    assertEquals((await Array.fromAsync(Deno.readDir(join(dir, "models")))).length, 1, "no temporary folder left");
    await assertRejects(
      () => exportCodec(ckpt, join(dir, "other"), { sha256: "0".repeat(64) }),
      CheckpointError,
      `has sha256 ${made.sha256}, not ${"0".repeat(64)} (replaced since it was loaded)`,
    );
    await Deno.writeTextFile(join(made.path, "codec.json"), "{}");
    await assertRejects(() => readCodecExport(made.path), CheckpointError, "is not a simvqgan-codec/1 record");
  });
});

Deno.test("loadCodec() of an export encodes and decodes as its checkpoint does, under the same identity", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await makeTinyCheckpoint(join(dir, "run"), { step: 3 });
    const { export: made } = await exportCodec(ckpt, join(dir, "models"));
    const [fromCheckpoint, fromExport] = [
      await loadCodec(ckpt, { backend: "wasm" }),
      await loadCodec(made.path, { backend: "wasm" }),
    ];
    try {
      assertEquals(fromExport.checkpoint, { sha256: fromCheckpoint.checkpoint.sha256, step: 3, path: made.path });
      assertEquals(
        [fromExport.windowSamples, fromExport.hopSamples, fromExport.sampleRateHz],
        [fromCheckpoint.windowSamples, fromCheckpoint.hopSamples, fromCheckpoint.sampleRateHz],
      );
      const rng = Rng.fromSeed(5);
      const windows = Float32Array.from({ length: 2 * fromCheckpoint.windowSamples }, () => rng.nextNormal());
      const codes = await fromCheckpoint.encodeWindows(windows, fromCheckpoint.windowSamples);
      assertEquals(await fromExport.encodeWindows(windows, fromExport.windowSamples), codes);
      const perRow = fromCheckpoint.codesPerWindow;
      assertEquals(await fromExport.decodeCodes(codes, perRow), await fromCheckpoint.decodeCodes(codes, perRow));
    } finally {
      fromCheckpoint.dispose();
      fromExport.dispose();
    }
  });
});

Deno.test("keepCodecExport() keeps a copy in the run's exports/ for a checkpoint_<step> only, and reports a failure", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await makeTinyCheckpoint(join(dir, "run"), { step: 4 });
    const kept = await keepCodecExport(ckpt);
    assert(kept.kind === "kept" && kept.created, JSON.stringify(kept));
    assertEquals(kept.export.path.startsWith(join(dir, "run", "exports", "codec_")), true);
    assertEquals(
      formatKeptExport(kept, ckpt),
      `kept a copy of this codec in ${kept.export.path}: pruning never removes it, so its token files stay decodable`,
    );
    const again = await keepCodecExport(ckpt);
    assert(again.kind === "kept" && !again.created);
    assertEquals((await keepCodecExport(kept.export.path)).kind, "not_needed");
    assertEquals(formatKeptExport(await keepCodecExport(kept.export.path), kept.export.path), undefined);
    // A run folder where exports/ cannot be made (here a file is in the way; read-only folders fail alike).
    const other = await makeTinyCheckpoint(join(dir, "blocked"), { step: 1 });
    await Deno.writeTextFile(join(dir, "blocked", "exports"), "not a folder");
    const failed = await keepCodecExport(other);
    assertEquals(failed.kind, "failed");
    assert(
      formatKeptExport(failed, other)!.startsWith(
        `[warn] cannot keep a copy of this codec in ${dir}/blocked/exports (`,
      ),
    );
  });
});
