import { join } from "@std/path";
import { fileResponse } from "../../lib/serve/file_response.ts";
import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";

/** A file of `sizeBytes` seeded bytes, and a cleanup that records it ran. */
async function fixture(dir: string, sizeBytes: number) {
  const path = join(dir, "out.bin");
  const bytes = Uint8Array.from({ length: sizeBytes }, (_, i) => (i * 2654435761) >>> 24);
  await Deno.writeFile(path, bytes);
  const state = { done: 0 };
  return { path, bytes, state, onDone: () => Promise.resolve(void state.done++) };
}

Deno.test("fileResponse() streams the file and cleans up before its last byte goes out", async () => {
  await withTempDir(async (dir) => {
    const { path, bytes, state, onDone } = await fixture(dir, 200_000); // several chunks
    const response = await fileResponse(path, { headers: { "content-type": "x/y" }, onDone });
    assertEquals(response.headers.get("content-length"), "200000");
    assertEquals(response.headers.get("content-type"), "x/y");
    // Read exactly Content-Length bytes, as an HTTP client does, without waiting for the end of the stream.
    const reader = response.body!.getReader();
    const got = new Uint8Array(bytes.byteLength);
    let offset = 0;
    while (offset < bytes.byteLength) {
      const { value } = await reader.read();
      assert(value !== undefined, "the stream ended early");
      got.set(value, offset);
      offset += value.byteLength;
    }
    assertEquals(got, bytes);
    assertEquals(state.done, 1);
    assertEquals((await reader.read()).done, true);
    assertEquals(state.done, 1);
  });
});

Deno.test("fileResponse() cleans up once when the client cancels, and for an empty file", async () => {
  await withTempDir(async (dir) => {
    const { path, state, onDone } = await fixture(dir, 200_000);
    const reader = (await fileResponse(path, { onDone })).body!.getReader();
    await reader.read();
    assertEquals(state.done, 0);
    await reader.cancel();
    assertEquals(state.done, 1);
    const empty = await fixture(join(dir), 0);
    const response = await fileResponse(empty.path, { onDone: empty.onDone });
    assertEquals(response.headers.get("content-length"), "0");
    assertEquals((await response.bytes()).byteLength, 0);
    assertEquals(empty.state.done, 1);
  });
});

Deno.test("fileResponse() cleans up when the file cannot be opened", async () => {
  await withTempDir(async (dir) => {
    let done = 0;
    await assertRejects(
      () => fileResponse(join(dir, "missing"), { onDone: () => Promise.resolve(void done++) }),
      Deno.errors.NotFound,
    );
    assertEquals(done, 1);
  });
});
