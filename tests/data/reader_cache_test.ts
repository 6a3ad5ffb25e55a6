import { assertEquals, assertRejects } from "../_assert.ts";
import { ReaderCache } from "../../lib/data/_reader_cache.ts";
import { Pod5FormatError } from "../../lib/pod5/mod.ts";
import { DORADO_5KHZ, fixture } from "../pod5/_fixtures.ts";

Deno.test("ReaderCache.use() never closes a reader in use while others come and go", async () => {
  const cache = new ReaderCache();
  let release = () => {};
  const held = new Promise<void>((resolve) => release = resolve);
  const pinned = cache.use(fixture("z1.pod5"), async (reader) => {
    await held;
    // Still open after three other files were opened and evicted meanwhile.
    return (await reader.read(reader.readIds()[0]!)).signal().length;
  });
  for (const name of ["b1.pod5", "can_reads.pod5", DORADO_5KHZ, "b1.pod5"]) {
    await cache.use(fixture(name), (reader) => Promise.resolve(reader.readCount));
  }
  release();
  assertEquals(await pinned, 21_734);
  await cache.close();
  await assertRejects(() => cache.use(fixture("z1.pod5"), () => Promise.resolve(0)), Error, "cache is closed");
});

Deno.test("ReaderCache.use() does not cache a file that failed to open", async () => {
  const cache = new ReaderCache();
  const dir = await Deno.makeTempDir({ prefix: "simvqgan_cache_" });
  const path = `${dir}/later.pod5`;
  try {
    await Deno.writeTextFile(path, "not yet");
    await assertRejects(() => cache.use(path, () => Promise.resolve(0)), Pod5FormatError);
    await Deno.copyFile(fixture("z1.pod5"), path);
    assertEquals(await cache.use(path, (reader) => Promise.resolve(reader.readCount)), 3);
  } finally {
    await cache.close();
    await Deno.remove(dir, { recursive: true });
  }
});
