/**
 * Structural checks of an Arrow IPC file (format/File.fbs, Message.fbs,
 * Schema.fbs) before apache-arrow reads it.
 *
 * apache-arrow trusts these bytes: its file reader re-reads a record-batch
 * block forever when the block's message is not a record batch, and it loops
 * over whatever vector lengths a damaged FlatBuffer states. A damaged POD5
 * table must give a clean error instead, so every offset, length and message
 * type that apache-arrow will follow is checked here first.
 *
 * @module
 */
import { FlatBufferBoundsError, FlatBufferVerifier } from "./flatbuffer_verifier.ts";
import { equalBytes } from "../runtime/equal_bytes.ts";

/** `ARROW1`: the first 6 bytes (then 2 zero bytes) and the last 6 of an IPC file. */
const ARROW_MAGIC = Uint8Array.of(0x41, 0x52, 0x52, 0x4f, 0x57, 0x31);
/** Magic plus padding before the first message. */
const HEAD_BYTES = 8;
/** int32 footer length + magic at the end. */
const TAIL_BYTES = 4 + ARROW_MAGIC.length;
/** Bytes of a File.fbs `Block` struct: offset int64, metaDataLength int32 (+4 pad), bodyLength int64. */
const BLOCK_BYTES = 24;
/** Bytes of Message.fbs `FieldNode` and `Buffer` structs (two int64 each). */
const PAIR_STRUCT_BYTES = 16;
/** MessageHeader union values (Message.fbs). */
const HEADER_DICTIONARY_BATCH = 2;
const HEADER_RECORD_BATCH = 3;
/** Type union values (Schema.fbs) whose tables hold fields that are checked. */
const TYPE_INT = 2;
const TYPE_TIMESTAMP = 10;
const TYPE_FIXED_SIZE_BINARY = 15;
/** Deepest field nesting accepted (POD5 uses 3: map → struct → key/value). */
const MAX_FIELD_DEPTH = 16;

/** The IPC file is malformed. */
export class ArrowIpcError extends RangeError {
  /**
   * Create a ArrowIpcError.
   *
   * @param message What is wrong.
   * @param options The `cause`, if any.
   */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "ArrowIpcError";
  }
}

/** Where the bytes of an IPC file come from. */
export interface IpcSource {
  /** Total bytes. */
  readonly sizeBytes: number;
  /** Exactly `length` bytes at `position`. */
  read(position: number, length: number): Promise<Uint8Array>;
}

/** What {@linkcode checkArrowIpcFile} learnt on the way. */
export interface ArrowIpcSummary {
  /** Rows of each record batch, in footer order. */
  readonly recordBatchRows: readonly number[];
}

/**
 * Check an Arrow IPC file's framing: magic, footer, schema, and every block's
 * message (type, lengths, body buffers) — without reading message bodies.
 *
 * @param source The file's bytes.
 * @returns The row count of each record batch.
 * @throws {ArrowIpcError} With what is wrong.
 */
export async function checkArrowIpcFile(source: IpcSource): Promise<ArrowIpcSummary> {
  const size = source.sizeBytes;
  if (size < HEAD_BYTES + TAIL_BYTES) throw new ArrowIpcError(`Arrow file of ${size} bytes is too short`);
  const head = await source.read(0, ARROW_MAGIC.length);
  const tail = await source.read(size - TAIL_BYTES, TAIL_BYTES);
  if (!equalBytes(head, ARROW_MAGIC) || !equalBytes(tail.subarray(4), ARROW_MAGIC)) {
    throw new ArrowIpcError("Arrow file magic ARROW1 is missing");
  }
  const footerLength = new DataView(tail.buffer, tail.byteOffset).getInt32(0, true);
  const footerStart = size - TAIL_BYTES - footerLength;
  if (footerLength <= 0 || footerStart < HEAD_BYTES) {
    throw new ArrowIpcError(`Arrow footer length ${footerLength} does not fit in ${size} bytes`);
  }
  const footer = await source.read(footerStart, footerLength);
  const blocks = guard("Arrow footer", () => checkFooter(footer));
  const recordBatchRows: number[] = [];
  for (const [kind, list] of [["dictionary", blocks.dictionaries], ["record batch", blocks.recordBatches]] as const) {
    for (const [i, block] of list.entries()) {
      const what = `Arrow ${kind} block ${i}`;
      if (block.offset < HEAD_BYTES || block.metaDataLength <= 0 || block.bodyLength < 0) {
        throw new ArrowIpcError(`${what} has a bad offset or length`);
      }
      if (block.offset + block.metaDataLength + block.bodyLength > footerStart) {
        throw new ArrowIpcError(`${what} extends past the footer`);
      }
      const metadata = await source.read(block.offset, block.metaDataLength);
      const expected = kind === "dictionary" ? HEADER_DICTIONARY_BATCH : HEADER_RECORD_BATCH;
      const rows = guard(what, () => checkMessage(metadata, expected, block.bodyLength));
      if (kind === "record batch") recordBatchRows.push(rows);
    }
  }
  return { recordBatchRows };
}

/**
 * {@linkcode checkArrowIpcFile} for a file already in memory.
 *
 * @param bytes The whole IPC file.
 */
export function checkArrowIpcBytes(bytes: Uint8Array): Promise<ArrowIpcSummary> {
  return checkArrowIpcFile({
    sizeBytes: bytes.length,
    read: (position, length) => Promise.resolve(bytes.subarray(position, position + length)),
  });
}

interface Block {
  readonly offset: number;
  readonly metaDataLength: number;
  readonly bodyLength: number;
}

function checkFooter(bytes: Uint8Array): { dictionaries: Block[]; recordBatches: Block[] } {
  const v = new FlatBufferVerifier(bytes);
  const root = v.root("footer");
  // Footer: 0 version (short), 1 schema, 2 dictionaries [Block], 3 recordBatches [Block], 4 custom_metadata.
  v.scalar(root, 0, 2);
  const schema = v.subTable(root, 1, "schema");
  if (schema === undefined) throw new ArrowIpcError("Arrow footer has no schema");
  checkSchema(v, schema);
  checkKeyValues(v, root, 4, "footer custom_metadata");
  const blocks = (slot: number, name: string): Block[] => {
    const { start, count } = v.structVector(root, slot, BLOCK_BYTES, name);
    return Array.from({ length: count }, (_, i) => {
      const at = start + i * BLOCK_BYTES;
      return { offset: v.readInt64(at), metaDataLength: v.readInt32(at + 8), bodyLength: v.readInt64(at + 16) };
    });
  };
  return { dictionaries: blocks(2, "dictionaries"), recordBatches: blocks(3, "recordBatches") };
}

function checkSchema(v: FlatBufferVerifier, schema: number): void {
  // Schema: 0 endianness, 1 fields [Field], 2 custom_metadata, 3 features.
  v.scalar(schema, 0, 2);
  for (const field of v.tableVector(schema, 1, "fields")) checkField(v, field, 0);
  checkKeyValues(v, schema, 2, "schema custom_metadata");
}

function checkField(v: FlatBufferVerifier, field: number, depth: number): void {
  if (depth > MAX_FIELD_DEPTH) throw new ArrowIpcError("Arrow schema nests fields too deeply");
  // Field: 0 name, 1 nullable, 2 type_type, 3 type, 4 dictionary, 5 children, 6 custom_metadata.
  v.string(field, 0, "field name");
  v.scalar(field, 1, 1);
  const typeType = v.uint8(field, 2, 0);
  const type = v.subTable(field, 3, "field type");
  if (type !== undefined) {
    // Slot 0 of Int / FixedSizeBinary is an int32, of FloatingPoint / Timestamp a short;
    // Timestamp keeps its timezone string in slot 1.
    v.scalar(type, 0, typeType === TYPE_INT || typeType === TYPE_FIXED_SIZE_BINARY ? 4 : 2);
    if (typeType === TYPE_TIMESTAMP) v.string(type, 1, "timestamp timezone");
  }
  const dictionary = v.subTable(field, 4, "dictionary encoding");
  if (dictionary !== undefined) {
    v.scalar(dictionary, 0, 8);
    const indexType = v.subTable(dictionary, 1, "dictionary index type");
    if (indexType !== undefined) v.scalar(indexType, 0, 4);
  }
  for (const child of v.tableVector(field, 5, "children")) checkField(v, child, depth + 1);
  checkKeyValues(v, field, 6, "field custom_metadata");
}

function checkKeyValues(v: FlatBufferVerifier, table: number, slot: number, name: string): void {
  for (const kv of v.tableVector(table, slot, name)) {
    v.string(kv, 0, `${name} key`);
    v.string(kv, 1, `${name} value`);
  }
}

/** Check one block's message; returns its record batch's row count. */
function checkMessage(metadata: Uint8Array, expectedHeader: number, blockBodyLength: number): number {
  const view = new DataView(metadata.buffer, metadata.byteOffset, metadata.byteLength);
  if (metadata.length < 8) throw new ArrowIpcError("message metadata is too short");
  // Since Arrow 0.15 a message starts with 0xFFFFFFFF then the int32 length; before, with the length.
  const continued = view.getInt32(0, true) === -1;
  const prefix = continued ? 8 : 4;
  const length = view.getInt32(continued ? 4 : 0, true);
  if (length <= 0 || prefix + length > metadata.length) {
    throw new ArrowIpcError(`message length ${length} does not fit in its block`);
  }
  const v = new FlatBufferVerifier(metadata.subarray(prefix, prefix + length));
  const root = v.root("message");
  // Message: 0 version, 1 header_type, 2 header, 3 bodyLength, 4 custom_metadata.
  v.scalar(root, 0, 2);
  const headerType = v.uint8(root, 1, 0);
  if (headerType !== expectedHeader) {
    throw new ArrowIpcError(`message has header type ${headerType}, expected ${expectedHeader}`);
  }
  const header = v.subTable(root, 2, "message header");
  if (header === undefined) throw new ArrowIpcError("message has no header");
  const bodyLength = v.int64(root, 3, 0);
  if (bodyLength < 0 || bodyLength > blockBodyLength) {
    throw new ArrowIpcError(`message body length ${bodyLength} exceeds its block (${blockBodyLength})`);
  }
  checkKeyValues(v, root, 4, "message custom_metadata");
  if (headerType === HEADER_DICTIONARY_BATCH) {
    // DictionaryBatch: 0 id, 1 data (RecordBatch), 2 isDelta.
    v.scalar(header, 0, 8);
    v.scalar(header, 2, 1);
    const data = v.subTable(header, 1, "dictionary data");
    if (data === undefined) throw new ArrowIpcError("dictionary batch has no data");
    return checkRecordBatch(v, data, bodyLength);
  }
  return checkRecordBatch(v, header, bodyLength);
}

function checkRecordBatch(v: FlatBufferVerifier, batch: number, bodyLength: number): number {
  // RecordBatch: 0 length, 1 nodes [FieldNode], 2 buffers [Buffer], 3 compression, 4 variadicBufferCounts.
  const rows = v.int64(batch, 0, 0);
  // Every POD5 column stores at least one bit per row, so more rows than body bits is corruption
  // (and would make row loops run for as long as the damaged length says).
  if (rows < 0 || rows > bodyLength * 8) throw new ArrowIpcError(`record batch length ${rows} is impossible`);
  if (v.fieldOffset(batch, 3) !== 0) throw new ArrowIpcError("compressed Arrow bodies are not used by POD5");
  const nodes = v.structVector(batch, 1, PAIR_STRUCT_BYTES, "nodes");
  for (let i = 0; i < nodes.count; i++) {
    const at = nodes.start + i * PAIR_STRUCT_BYTES;
    const length = v.readInt64(at);
    const nulls = v.readInt64(at + 8);
    if (length < 0 || length > bodyLength * 8 || nulls < 0 || nulls > length) {
      throw new ArrowIpcError(`field node ${i} has length ${length} and null count ${nulls}`);
    }
  }
  const buffers = v.structVector(batch, 2, PAIR_STRUCT_BYTES, "buffers");
  for (let i = 0; i < buffers.count; i++) {
    const at = buffers.start + i * PAIR_STRUCT_BYTES;
    const offset = v.readInt64(at);
    const length = v.readInt64(at + 8);
    if (offset < 0 || length < 0 || offset + length > bodyLength) {
      throw new ArrowIpcError(`buffer ${i} [${offset}, ${offset + length}) lies outside the body (${bodyLength})`);
    }
  }
  return rows;
}

function guard<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof FlatBufferBoundsError) {
      throw new ArrowIpcError(`${what} is damaged: ${error.message}`, { cause: error });
    }
    if (error instanceof ArrowIpcError) throw new ArrowIpcError(`${what}: ${error.message}`, { cause: error });
    throw error;
  }
}
