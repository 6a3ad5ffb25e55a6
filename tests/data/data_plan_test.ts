import { assert, assertEquals, assertNotEquals } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { dataPlan, describeDataPlanChange, discoverPod5Files } from "../../lib/data/mod.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { fixture } from "../pod5/_fixtures.ts";

async function planOf(root: string, data: Record<string, unknown> = {}) {
  const config = parseConfig({ data: { root, ...data } });
  const files = await discoverPod5Files({ root, subdirs: config.data.subdirs, files: config.data.files });
  return await dataPlan({ files, windowSamples: 10_000 }, config);
}

Deno.test("dataPlan() names files relative to data.root, so the same folder elsewhere is the same plan", async () => {
  await withTempDir(async (dir) => {
    for (const root of [`${dir}/a`, `${dir}/mounted/b`]) {
      await Deno.mkdir(`${root}/FC01/pod5`, { recursive: true });
      await Deno.copyFile(fixture("z1.pod5"), `${root}/FC01/pod5/z1.pod5`);
      await Deno.copyFile(fixture("b1.pod5"), `${root}/b1.pod5`);
    }
    const a = await planOf(`${dir}/a`);
    const b = await planOf(`${dir}/mounted/b`);
    const z1 = (await Deno.stat(fixture("z1.pod5"))).size;
    const b1 = (await Deno.stat(fixture("b1.pod5"))).size;
    assertEquals(a.files, [["FC01/pod5/z1.pod5", z1], ["b1.pod5", b1]]);
    assertEquals(b.fingerprint, a.fingerprint);
    assertEquals(describeDataPlanChange(a, b), undefined);
    // Files outside the root keep their absolute paths.
    const listed = await planOf(`${dir}/elsewhere`, { files: [fixture("z1.pod5")] });
    assertEquals(listed.files, [[fixture("z1.pod5"), z1]]);
  });
});

Deno.test("describeDataPlanChange() names added, removed, resized and reordered files and changed keys", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/d`);
    for (const name of ["a", "b", "c"]) await Deno.copyFile(fixture("z1.pod5"), `${dir}/d/${name}.pod5`);
    const before = await planOf(`${dir}/d`);
    await Deno.remove(`${dir}/d/b.pod5`);
    await Deno.copyFile(fixture("b1.pod5"), `${dir}/d/e.pod5`);
    await Deno.copyFile(fixture("b1.pod5"), `${dir}/d/c.pod5`);
    const after = await planOf(`${dir}/d`, { clip: 4 });
    assertNotEquals(after.fingerprint, before.fingerprint);
    const z1 = (await Deno.stat(fixture("z1.pod5"))).size;
    const b1 = (await Deno.stat(fixture("b1.pod5"))).size;
    assertEquals(
      describeDataPlanChange(before, after),
      `1 file added (e.pod5), 1 removed (b.pod5), 1 file resized (c.pod5: ${z1} → ${b1} bytes); data.clip null → 4`,
    );
    const reordered = { ...before, fingerprint: "other", files: [...before.files].reverse() };
    assertEquals(describeDataPlanChange(before, reordered), "the file order changed");
    const many = await planOf(`${dir}/d`, { interleave_files: 2, shuffle_buffer: 64 });
    const change = describeDataPlanChange(await planOf(`${dir}/d`), many);
    assertEquals(change, "data.shuffle_buffer 0 → 64; data.interleave_files 8 → 2");
    assert(describeDataPlanChange(many, many) === undefined);
  });
});
