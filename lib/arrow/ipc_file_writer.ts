/**
 * apache-arrow's IPC file writer, adjusted to the layout of official POD5
 * tables (which the token file shares). This is the one place that works
 * around the library:
 *
 * 1. apache-arrow's `RecordBatchFileWriter` writes the magic and then goes
 *    straight to the batches: the schema lives only in the file footer.
 *    Official tables (Arrow C++) start with a Schema message after the magic
 *    (notes/pod5_format.md §2.1, §5), which stream readers such as
 *    `pod5 recover` rely on. `_writeSchema` adds it.
 * 2. Its output goes to an internal async queue. `_write` collects the bytes
 *    instead, so the POD5 and token writers can move them to disk after each batch and
 *    memory stays bounded by one batch.
 *
 * @module
 */
import { Message, RecordBatchFileWriter, type Schema } from "apache-arrow";

/** An Arrow IPC file writer whose bytes are taken with {@linkcode takeOutput}. */
export class ArrowIpcFileWriter extends RecordBatchFileWriter {
  #output: Uint8Array[] = [];
  #bytesWritten = 0;

  /**
   * Start a file for `schema`: magic, padding and the schema message are
   * ready in {@linkcode takeOutput} at once.
   *
   * @param schema The table schema.
   * @returns The writer.
   */
  static start(schema: Schema): ArrowIpcFileWriter {
    const writer = new ArrowIpcFileWriter();
    writer.reset(undefined, schema);
    return writer;
  }

  /**
   * Bytes written so far (the embedded file's length once finished). Kept
   * here because `finish()` resets apache-arrow's own `_position` to 0.
   */
  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  /** The bytes produced since the last call, in order. */
  takeOutput(): Uint8Array[] {
    const output = this.#output;
    this.#output = [];
    return output;
  }

  protected override _writeSchema(schema: Schema): this {
    this._writeMagic()._writePadding(2);
    return this._writeMessage(Message.from(schema));
  }

  protected override _write(chunk: unknown): this {
    if (!this._started) return this;
    if (!ArrayBuffer.isView(chunk)) throw new TypeError("Cannot write Arrow output: expected bytes");
    if (chunk.byteLength > 0) {
      // Copy: apache-arrow may reuse or hand over views of buffers owned by the batch.
      this.#output.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength).slice());
      this._position += chunk.byteLength;
      this.#bytesWritten += chunk.byteLength;
    }
    return this;
  }
}
