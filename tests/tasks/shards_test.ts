import { join } from "@std/path";
import { makeTinyCheckpoint } from "../codec/_tiny_checkpoint.ts";
import { assertEquals, assertStringIncludes } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { ROOT, runTask } from "./_run_task.ts";

const DORADO_5KHZ = `${ROOT}tests/fixtures/pod5/dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5`;

Deno.test("encode --shard I/2 run as two jobs, then shards --count 2 confirms the run or names the missing shard", async () => {
  await withTempDir(async (dir) => {
    for (const name of ["a/x.pod5", "b/y.pod5", "z.pod5"]) {
      await Deno.mkdir(join(dir, "run", name, ".."), { recursive: true });
      await Deno.copyFile(DORADO_5KHZ, join(dir, "run", name));
    }
    await makeTinyCheckpoint(join(dir, "ckpt"));
    const out = join(dir, "tokens");
    const written: string[] = [];
    for (const index of [0, 1]) {
      const job = await runTask("encode", [
        join(dir, "run"),
        "-o",
        out,
        "--ckpt",
        join(dir, "ckpt"),
        "--workers",
        "0",
        "--shard",
        `${index}/2`,
        "--json",
      ]);
      assertEquals(job.code, 0, job.stderr);
      assertStringIncludes(job.stderr, `shard manifest ${join(out, `shard-${index}-of-2.json`)}`);
      written.push(...JSON.parse(job.stdout).files.map((f: { output: string }) => f.output));
    }
    // Three equal files over two shards: two and one, each once.
    assertEquals(written.sort(), ["a/x.tokens", "b/y.tokens", "z.tokens"].map((n) => join(out, n)));
    const check = await runTask("shards", [out, "--count", "2", "--json"]);
    assertEquals(check.code, 0, check.stderr);
    assertEquals(JSON.parse(check.stdout).files, 3);
    assertStringIncludes(check.stderr, "complete: 2 shards of encode, 3 files, 3 reads, 6,144 samples");

    const wrongCount = await runTask("shards", [out, "--count", "3"]);
    assertEquals(wrongCount.code, 2);
    assertStringIncludes(wrongCount.stderr, "no manifest from shard(s) 0, 1, 2 of 3");
    await Deno.remove(join(out, "shard-1-of-2.json"));
    const missing = await runTask("shards", [out, "--count", "2"]);
    assertEquals(missing.code, 2);
    assertStringIncludes(missing.stderr, `${out}: Cannot confirm the run: no manifest from shard(s) 1 of 2`);
  });
});
