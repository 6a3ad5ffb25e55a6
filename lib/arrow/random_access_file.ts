/**
 * Positioned reads on an open file, and a view of one embedded table shaped
 * like a Node `FileHandle` so that apache-arrow's random-access file reader
 * can load record batches one at a time.
 *
 * @module
 */
import { type AsyncRecordBatchFileReader, RecordBatchReader } from "apache-arrow";
import { type FileHandle, open } from "node:fs/promises";

/** An open file with positioned, exact-length reads. */
export class RandomAccessFile {
  readonly path: string;
  readonly sizeBytes: number;
  readonly #handle: FileHandle;

  private constructor(path: string, handle: FileHandle, sizeBytes: number) {
    this.path = path;
    this.#handle = handle;
    this.sizeBytes = sizeBytes;
  }

  /** Open `path` for reading. */
  static async open(path: string): Promise<RandomAccessFile> {
    const handle = await open(path, "r");
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new Deno.errors.IsADirectory(`${path}: Cannot open: not a regular file`);
      return new RandomAccessFile(path, handle, stat.size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Read exactly `length` bytes at `position` into a fresh (8-aligned) buffer.
   * Throws `RangeError` when the range is outside the file or the read is short.
   */
  async readAt(position: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    await this.readInto(out, 0, length, position);
    return out;
  }

  /** Fill `target[offset, offset+length)` from file `position`, exactly. */
  async readInto(target: Uint8Array, offset: number, length: number, position: number): Promise<void> {
    if (position < 0 || length < 0 || position + length > this.sizeBytes) {
      throw new RangeError(`Cannot read ${length} bytes at ${position}: file has ${this.sizeBytes} bytes`);
    }
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.#handle.read(target, offset + done, length - done, position + done);
      if (bytesRead === 0) {
        throw new RangeError(`Cannot read ${length} bytes at ${position}: file ended after ${done} bytes`);
      }
      done += bytesRead;
    }
  }

  /** Close the file. */
  async close(): Promise<void> {
    await this.#handle.close();
  }
}

/** The subset of Node's `FileHandle` that apache-arrow's reader uses. */
export interface ArrowFileHandleLike {
  readonly fd: number;
  stat(): Promise<{ size: number }>;
  read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number; buffer: Uint8Array }>;
  close(): Promise<void>;
}

/**
 * A read-only window `[start, start+length)` of `file`, presented as a file
 * handle. Reads past the window throw instead of returning 0 bytes, which
 * apache-arrow would otherwise retry forever.
 */
export function embeddedFileHandle(file: RandomAccessFile, start: number, length: number): ArrowFileHandleLike {
  return {
    fd: -1,
    stat: () => Promise.resolve({ size: length }),
    async read(buffer, offset, count, position) {
      const n = Math.min(count, length - position);
      if (n <= 0 || position < 0) {
        throw new RangeError(`Cannot read ${count} bytes at ${position} of an embedded table of ${length} bytes`);
      }
      await file.readInto(buffer, offset, n, start + position);
      return { bytesRead: n, buffer };
    },
    close: () => Promise.resolve(),
  };
}

/**
 * Open apache-arrow's random-access reader on an embedded table.
 *
 * apache-arrow recognises a Node `FileHandle` by duck typing (`fd` is a number
 * and `stat` a function, util/compat.ts `isFileHandle`) and then calls only
 * `stat`, `read` and `close`, which {@linkcode embeddedFileHandle} provides for
 * a window of the POD5 file. Its typings ask for a whole `FileHandle`, so the
 * one type assertion bridging the two lives here.
 *
 * @param handle The embedded table.
 * @returns The opened file reader (schema and dictionaries read, batches not).
 */
export async function openArrowFileReader(handle: ArrowFileHandleLike): Promise<AsyncRecordBatchFileReader> {
  const reader = await RecordBatchReader.from(handle as unknown as FileHandle);
  if (!reader.isFile() || !reader.isAsync()) {
    throw new TypeError("embedded table is not an Arrow IPC file");
  }
  await reader.open();
  return reader;
}
