/**
 * FASTQ parsing (plain or gzip, told apart by the gzip magic bytes): read id
 * → sequence. The id is the first whitespace-separated token after `@`;
 * sequences and qualities may span several lines.
 *
 * @module
 */
import { gunzipSync } from "node:zlib";
import { InputError } from "../runtime/errors.ts";

/** gzip's first two bytes. */
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/**
 * Parse FASTQ text.
 *
 * @example
 * ```ts
 * import { parseFastq } from "./read_fastq.ts";
 * const reads = parseFastq("@r1 runid=x\nACGT\n+\n!!!!\n@r2\nAC\nGT\n+\n!!\n!!\n", "calls.fastq");
 * if (reads.get("r1") !== "ACGT" || reads.get("r2") !== "ACGT") throw new Error("unexpected");
 * ```
 *
 * @param text The file's contents.
 * @param path The file (for messages).
 * @returns Read id → sequence, in file order.
 * @throws {InputError} On a malformed record, naming the line.
 */
export function parseFastq(text: string, path: string): Map<string, string> {
  const lines = text.split(/\r?\n/);
  const reads = new Map<string, string>();
  const fail = (line: number, reason: string): never => {
    throw new InputError(
      `Cannot parse FASTQ: line ${line + 1}: ${reason}`,
      { path },
    );
  };
  let i = 0;
  while (i < lines.length) {
    const header = lines[i]!;
    if (header === "") {
      i++;
      continue;
    }
    if (!header.startsWith("@")) fail(i, "expected a record starting with @");
    const id = header.slice(1).split(/\s/)[0] ?? "";
    if (id === "") fail(i, "the record has no read id");
    let sequence = "";
    i++;
    while (i < lines.length && !lines[i]!.startsWith("+")) sequence += lines[i++]!.trim();
    if (i >= lines.length) fail(i - 1, `record ${id} has no + line`);
    i++;
    let quality = 0;
    while (i < lines.length && quality < sequence.length) quality += lines[i++]!.trim().length;
    if (quality !== sequence.length) fail(i - 1, `record ${id}: ${quality} qualities for ${sequence.length} bases`);
    reads.set(id, sequence);
  }
  return reads;
}

/**
 * Read a FASTQ file, plain or gzip-compressed.
 *
 * @param path The file.
 * @returns Read id → sequence.
 * @throws {InputError} When the file is missing, not gzip-valid or malformed.
 */
export async function readFastq(path: string): Promise<Map<string, string>> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    throw new InputError(
      `Cannot read FASTQ: ${error instanceof Error ? error.message : error}`,
      {
        path,
        cause: error,
      },
    );
  }
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new InputError(
        `Cannot read FASTQ: the gzip data is damaged`,
        { path, cause: error },
      );
    }
  }
  return parseFastq(new TextDecoder().decode(bytes), path);
}
