import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { loadTruth } from "../pod5/_fixtures.ts";
import { runTask } from "./_run_task.ts";

async function inspectIds(path: string): Promise<{ read_id: string; signal_sha256: string }[]> {
  const { code, stdout } = await runTask("inspect", [path, "--jsonl", "--signal-sha256"]);
  assertEquals(code, 0);
  return stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
}

Deno.test("subset --first 2 copies exactly the first two reads of z1", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.pod5`;
    const result = await runTask("subset", ["tests/fixtures/pod5/z1.pod5", out, "--first", "2"]);
    assertEquals(result.code, 0, result.stderr);
    assertStringIncludes(result.stderr, "2 reads");
    const truth = await loadTruth("z1");
    const expected = truth.reads.slice(0, 2).map((r) => ({
      read_id: r.read_id,
      signal_sha256: r.signal.sha256_int16le,
    }));
    const got = (await inspectIds(out)).map(({ read_id, signal_sha256 }) => ({ read_id, signal_sha256 }));
    assertEquals(got, expected);
  });
});

Deno.test("subset --read-ids copies the listed reads and refuses to overwrite without --force", async () => {
  await withTempDir(async (dir) => {
    const ids = `${dir}/ids.txt`;
    await Deno.writeTextFile(
      ids,
      "# wanted\n49113CC9-B239-4099-BCA3-6C6FF92173A8\n07e9c086-2b8e-4bea-8b91-1e3a783c77bb\n",
    );
    const out = `${dir}/out.pod5`;
    assertEquals((await runTask("subset", ["tests/fixtures/pod5/z1.pod5", out, "--read-ids", ids])).code, 0);
    assertEquals((await inspectIds(out)).map((r) => r.read_id), [
      "07e9c086-2b8e-4bea-8b91-1e3a783c77bb",
      "49113cc9-b239-4099-bca3-6c6ff92173a8",
    ]);
    const again = await runTask("subset", ["tests/fixtures/pod5/z1.pod5", out, "--first", "1"]);
    assertEquals(again.code, 2);
    assertEquals(again.stderr, `error: ${out}: Cannot create POD5: the file exists (remove it or allow overwriting)`);
    assertEquals((await inspectIds(out)).length, 2, "the existing file is untouched");
    assertEquals((await runTask("subset", ["tests/fixtures/pod5/z1.pod5", out, "--first", "1", "--force"])).code, 0);
    assertEquals((await inspectIds(out)).length, 1);
  });
});

Deno.test("subset rejecting unknown ids, bad input and bad id lists without writing anything", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/out.pod5`;
    const ids = `${dir}/ids.txt`;
    await Deno.writeTextFile(ids, "00000000-0000-0000-0000-000000000000\n");
    const unknown = await runTask("subset", ["tests/fixtures/pod5/z1.pod5", out, "--read-ids", ids]);
    assertEquals(unknown.code, 2);
    assertStringIncludes(unknown.stderr, "no read with id 00000000-0000-0000-0000-000000000000");
    const skipped = await runTask("subset", ["tests/fixtures/pod5/z1.pod5", out, "--read-ids", ids, "--missing-ok"]);
    assertEquals(skipped.code, 0);
    await Deno.remove(out);
    await Deno.writeTextFile(ids, "not-an-id\n");
    const bad = await runTask("subset", ["tests/fixtures/pod5/z1.pod5", out, "--read-ids", ids]);
    assertEquals([bad.code, bad.stderr], [
      2,
      `error: ${ids}: Cannot read id list: line 1 "not-an-id" is not a read id`,
    ]);
    const notPod5 = await runTask("subset", ["tests/fixtures/pod5/not_a_pod5.pod5", out]);
    assertEquals(notPod5.code, 2);
    assert(notPod5.stderr.startsWith("error: tests/fixtures/pod5/not_a_pod5.pod5: "), notPod5.stderr);
    assertEquals((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name), ["ids.txt"]);
  });
});
