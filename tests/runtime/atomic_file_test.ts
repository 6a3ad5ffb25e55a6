import { assertEquals, assertRejects } from "../_assert.ts";
import { AtomicFile, removeIfPresent, tempPathOf, writeFileAtomic } from "../../lib/runtime/atomic_file.ts";
import { withTempDir } from "../_temp_dir.ts";

const names = async (dir: string) => (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();

Deno.test("AtomicFile leaves an existing file untouched until commit(), then replaces it whole", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/out.bin`;
    await Deno.writeTextFile(path, "old");
    {
      await using out = await AtomicFile.create(path);
      await out.write(new TextEncoder().encode("new "));
      await out.write(new TextEncoder().encode("bytes"));
      assertEquals(await Deno.readTextFile(path), "old");
      assertEquals(await names(dir), ["out.bin", `out.bin.tmp-${Deno.pid}`]);
      assertEquals(out.sizeBytes, 9);
      await out.commit();
      await assertRejects(() => out.write(new Uint8Array(1)), TypeError, "the file is committed");
    }
    assertEquals(await Deno.readTextFile(path), "new bytes");
    assertEquals(await names(dir), ["out.bin"]);
  });
});

Deno.test("AtomicFile removes its temporary file when left without commit(), or on abort()", async () => {
  await withTempDir(async (dir) => {
    await assertRejects(
      async () => {
        await using out = await AtomicFile.create(`${dir}/a.bin`);
        await out.write(new Uint8Array(10));
        throw new Error("the work failed");
      },
      Error,
      "the work failed",
    );
    const out = await AtomicFile.create(`${dir}/b.bin`);
    await out.abort();
    await out.abort();
    assertEquals(await names(dir), []);
  });
});

Deno.test("AtomicFile.create() rejecting a folder that does not exist", async () => {
  await withTempDir(async (dir) => {
    await assertRejects(() => AtomicFile.create(`${dir}/missing/a.bin`), Deno.errors.NotFound);
  });
});

Deno.test("writeFileAtomic() writes text and bytes; tempPathOf() and removeIfPresent() name and clear temp paths", async () => {
  await withTempDir(async (dir) => {
    await writeFileAtomic(`${dir}/a.txt`, "é\n");
    await writeFileAtomic(`${dir}/b.bin`, Uint8Array.of(0, 255));
    assertEquals(await Deno.readFile(`${dir}/a.txt`), Uint8Array.of(0xc3, 0xa9, 0x0a));
    assertEquals(await Deno.readFile(`${dir}/b.bin`), Uint8Array.of(0, 255));
    assertEquals(tempPathOf(`${dir}/x`, { hidden: true }), `${dir}/.x.tmp-${Deno.pid}`);
    await removeIfPresent(`${dir}/not-there`);
    await Deno.mkdir(`${dir}/sub/deeper`, { recursive: true });
    await removeIfPresent(`${dir}/sub`, { recursive: true });
    assertEquals(await names(dir), ["a.txt", "b.bin"]);
  });
});
