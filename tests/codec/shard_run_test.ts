import { dirname, join, relative } from "@std/path";
import {
  checkShardManifests,
  decodeTokens,
  encodePod5,
  loadCodec,
  type LoadedCodec,
  TokenFileReader,
} from "../../lib/codec/mod.ts";
import { InputError } from "../../lib/runtime/errors.ts";
import { findFiles } from "../../lib/runtime/find_files.ts";
import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { makeTinyCheckpoint } from "./_tiny_checkpoint.ts";

const FIXTURES = new URL("../fixtures/pod5/", import.meta.url).pathname;
const Z1 = join(FIXTURES, "z1.pod5");
const DORADO_5KHZ = join(FIXTURES, "dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5");

/** A small run folder: five 5 kHz POD5 files of two sizes, in a tree. */
const RUN = {
  "a/z1.pod5": Z1,
  "a/d1.pod5": DORADO_5KHZ,
  "b/d2.pod5": DORADO_5KHZ,
  "b/c/d3.pod5": DORADO_5KHZ,
  "d4.pod5": DORADO_5KHZ,
};

async function withRun(fn: (codec: LoadedCodec, dir: string, input: string) => Promise<void>): Promise<void> {
  await withTempDir(async (dir) => {
    const input = join(dir, "run");
    for (const [name, source] of Object.entries(RUN)) {
      await Deno.mkdir(dirname(join(input, name)), { recursive: true });
      await Deno.copyFile(source, join(input, name));
    }
    const codec = await loadCodec(await makeTinyCheckpoint(join(dir, "ckpt")), { backend: "wasm" });
    try {
      await fn(codec, dir, input);
    } finally {
      codec.dispose();
    }
  });
}

async function treeOf(dir: string, extension: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const path of await findFiles(dir, extension)) out.set(relative(dir, path), await Deno.readFile(path));
  return out;
}

Deno.test("encodePod5() with shards 0..2 of 3 writes, between them, exactly the unsharded run's token files", async () => {
  await withRun(async (codec, dir, input) => {
    const whole = await encodePod5(input, join(dir, "whole"), { codec });
    assertEquals(whole.shardManifest, null);
    const expected = await treeOf(join(dir, "whole"), ".tokens");
    assertEquals(expected.size, 5);
    const sharded = join(dir, "sharded");
    const seen = new Set<string>();
    for (let index = 0; index < 3; index++) {
      const before = new Set((await treeOf(sharded, ".tokens").catch(() => new Map())).keys());
      const summary = await encodePod5(input, sharded, { codec, shard: { index, count: 3 } });
      assertEquals(summary.shardManifest, join(sharded, `shard-${index}-of-3.json`));
      // This job wrote exactly the files its summary lists, and none another shard wrote.
      const after = await treeOf(sharded, ".tokens");
      const mine = [...after.keys()].filter((name) => !before.has(name)).sort();
      assertEquals(mine, summary.files.map((f) => relative(sharded, f.output)).sort(), `shard ${index}`);
      for (const name of mine) {
        assert(!seen.has(name), `${name} written twice`);
        seen.add(name);
      }
    }
    const got = await treeOf(sharded, ".tokens");
    assertEquals([...got.keys()].sort(), [...expected.keys()].sort());
    for (const [name, bytes] of expected) assertEquals(got.get(name), bytes, name);
    // z1 (1.9 MB) outweighs the four small files together, so it has a shard of its own.
    const done = await checkShardManifests(sharded, 3);
    const z1Shard = done.manifests.find((m) => m.files.some((f) => f.input === "a/z1.pod5"))!;
    assertEquals(z1Shard.files.length, 1);
    assertEquals([done.files, done.reads, done.numSamples], [5, whole.reads, whole.numSamples]);
  });
});

Deno.test("encodePod5() shard manifests record each file's reads, samples and bits/sample as the token files hold them", async () => {
  await withRun(async (codec, dir, input) => {
    const out = join(dir, "tokens");
    for (let index = 0; index < 2; index++) await encodePod5(input, out, { codec, shard: { index, count: 2 } });
    const done = await checkShardManifests(out, 2);
    for (const manifest of done.manifests) {
      assertEquals(manifest.task, "encode");
      assertEquals(manifest.totalFiles, 5);
      let bytes = 0, samples = 0, reads = 0;
      for (const file of manifest.files) {
        await using reader = await TokenFileReader.open(join(out, file.output));
        let n = 0, r = 0;
        for await (const read of reader.reads()) (n += read.numSamples, r++);
        const size = (await Deno.stat(join(out, file.output))).size;
        assertEquals([file.reads, file.numSamples], [r, n], file.output);
        assert(Math.abs(file.bitsPerSample - (8 * size) / n) < 1e-9, file.output);
        assert(file.output === file.input.replace(/\.pod5$/, ".tokens"), file.output);
        (bytes += size, samples += n, reads += r);
      }
      assertEquals([manifest.reads, manifest.numSamples], [reads, samples]);
      assert(Math.abs(manifest.bitsPerSample - (8 * bytes) / samples) < 1e-9);
      assert(manifest.seconds > 0);
    }
  });
});

Deno.test("encodePod5() with more shards than files writes an empty manifest, and refuses to replace one", async () => {
  await withRun(async (codec, dir) => {
    const out = join(dir, "tokens");
    await Deno.mkdir(out); // a single input into an existing folder: the manifest goes beside its output
    const summaries = [];
    for (let index = 0; index < 2; index++) {
      summaries.push(await encodePod5(DORADO_5KHZ, out, { codec, shard: { index, count: 2 } }));
    }
    assertEquals(summaries.map((s) => s.files.length).sort(), [0, 1]);
    assert(await Deno.stat(join(out, "dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.tokens")));
    assertEquals((await checkShardManifests(out, 2)).files, 1);
    await assertRejects(
      () => encodePod5(DORADO_5KHZ, out, { codec, shard: { index: 1, count: 2 } }),
      InputError,
      "shard-1-of-2.json: Cannot write the shard manifest: the file exists",
    );
  });
});

Deno.test("checkShardManifests() naming a missing shard and a file claimed by two shards", async () => {
  await withRun(async (codec, dir, input) => {
    const out = join(dir, "tokens");
    await encodePod5(input, out, { codec, shard: { index: 0, count: 3 } });
    await encodePod5(input, out, { codec, shard: { index: 2, count: 3 } });
    await assertRejects(() => checkShardManifests(out, 3), InputError, "no manifest from shard(s) 1 of 3");
    // A manifest copied under another shard's name claims the same files twice.
    const zero = JSON.parse(await Deno.readTextFile(join(out, "shard-0-of-3.json")));
    await Deno.writeTextFile(
      join(out, "shard-1-of-3.json"),
      JSON.stringify({ ...zero, shard: { index: 1, count: 3 } }),
    );
    await assertRejects(() => checkShardManifests(out, 3), InputError, "is in shards 0 and 1");
    await Deno.writeTextFile(join(out, "shard-1-of-3.json"), JSON.stringify({ ...zero, files: [] }));
    await assertRejects(() => checkShardManifests(out, 3), InputError, "it records shard 0/3");
  });
});

Deno.test("decodeTokens() with shards of 2 restores, between them, every POD5 file once", async () => {
  await withRun(async (codec, dir, input) => {
    await encodePod5(input, join(dir, "tokens"), { codec });
    const whole = await decodeTokens(join(dir, "tokens"), join(dir, "whole"), { codec });
    const restored = join(dir, "restored");
    for (let index = 0; index < 2; index++) {
      await decodeTokens(join(dir, "tokens"), restored, { codec, shard: { index, count: 2 } });
    }
    const done = await checkShardManifests(restored, 2);
    assertEquals([done.files, done.reads, done.numSamples], [5, whole.reads, whole.numSamples]);
    assertEquals(done.manifests[0]!.task, "decode");
    const expected = await treeOf(join(dir, "whole"), ".pod5"), got = await treeOf(restored, ".pod5");
    assertEquals([...got.keys()].sort(), Object.keys(RUN).sort());
    for (const [name, bytes] of expected) assertEquals(got.get(name), bytes, name);
  });
});
