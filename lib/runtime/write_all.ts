/**
 * Writing a whole buffer to a file (`FsFile.write` may write fewer bytes).
 *
 * @module
 */

/**
 * Write all of `bytes` to `file` at its current position.
 *
 * @param file An open file.
 * @param bytes The bytes to write.
 *
 * @example
 * ```ts
 * import { writeAll } from "./write_all.ts";
 * const path = await Deno.makeTempFile();
 * using file = await Deno.open(path, { write: true });
 * await writeAll(file, new Uint8Array(100_000).fill(7));
 * if ((await Deno.stat(path)).size !== 100_000) throw new Error("short write");
 * await Deno.remove(path);
 * ```
 */
export async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += await file.write(bytes.subarray(done));
}
