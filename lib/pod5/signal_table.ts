/**
 * The signal table (notes/pod5_format.md §2.2, §2.6), read one record batch
 * at a time through apache-arrow's random-access file reader, so that a file's
 * signal is never all in memory.
 *
 * @module
 */
import { type AsyncRecordBatchFileReader, type Data, DataType, type RecordBatch } from "apache-arrow";
import { COLUMN_TYPES, findColumn } from "./_arrow_columns.ts";
import { checkArrowColumns } from "../arrow/check_arrow_data.ts";
import { type ArrowFileHandleLike, openArrowFileReader } from "../arrow/random_access_file.ts";
import type { SignalCompression } from "./types.ts";
import { UUID_BYTES } from "./uuid.ts";

/** One signal-table row: a chunk of one read's samples. */
export interface SignalRow {
  /** The 16 read-id bytes stored with the chunk. */
  readonly readIdBytes: Uint8Array;
  /** Samples in this chunk. */
  readonly numSamples: number;
  /** VBZ bytes (`vbz`) or the samples themselves (`uncompressed`). */
  readonly data: Uint8Array | Int16Array;
}

/** How many decoded record batches stay cached (a read may span two). */
const CACHED_BATCHES = 2;

/** A decoded record batch, reduced to the arrays rows are cut from. */
interface BatchArrays {
  readonly numRows: number;
  readonly readIds: Uint8Array;
  readonly samples: Uint32Array;
  readonly offsets: BigInt64Array;
  readonly values: Uint8Array | Int16Array;
}

/** Random access to signal rows by global row number. */
export class SignalTable {
  /** How the signal is stored. */
  readonly compression: SignalCompression;
  /** Rows per record batch (B = rows of batch 0; all but the last batch have B rows). */
  readonly rowsPerBatch: number;
  /** Number of record batches. */
  readonly numBatches: number;
  readonly #reader: AsyncRecordBatchFileReader;
  readonly #cache = new Map<number, BatchArrays>();
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(reader: AsyncRecordBatchFileReader, compression: SignalCompression, first?: BatchArrays) {
    this.#reader = reader;
    this.compression = compression;
    this.numBatches = reader.numRecordBatches;
    this.rowsPerBatch = first?.numRows ?? 0;
    if (first !== undefined) this.#cache.set(0, first);
  }

  /**
   * Open the signal table and read its first record batch.
   *
   * @param handle The embedded table as a file handle.
   * @returns The table.
   * @throws {TypeError} When a column is missing or has the wrong type.
   */
  static async open(handle: ArrowFileHandleLike): Promise<SignalTable> {
    const reader = await openArrowFileReader(handle);
    const schema = reader.schema;
    if (findColumn(schema, "read_id", COLUMN_TYPES.uuid) === undefined) {
      throw new TypeError('the signal table has no column "read_id"');
    }
    if (findColumn(schema, "samples", COLUMN_TYPES.uint32) === undefined) {
      throw new TypeError('the signal table has no column "samples"');
    }
    const signal = schema.fields.find((f) => f.name === "signal");
    if (signal === undefined) throw new TypeError('the signal table has no column "signal"');
    let compression: SignalCompression;
    if (COLUMN_TYPES.vbzSignal.matches(signal.type)) compression = "vbz";
    else if (COLUMN_TYPES.int16LargeList.matches(signal.type)) compression = "uncompressed";
    else {
      throw new TypeError(
        `column "signal" has type ${String(signal.type)}, expected ${COLUMN_TYPES.vbzSignal.expected} or ` +
          COLUMN_TYPES.int16LargeList.expected,
      );
    }
    const first = reader.numRecordBatches === 0 ? undefined : await loadBatch(reader, 0);
    return new SignalTable(reader, compression, first);
  }

  /**
   * The rows at the given global row numbers, in the given order.
   *
   * @param rowNumbers Global 0-based row numbers.
   * @returns One view per row (views share the cached batch buffers).
   * @throws {RangeError} When a row number does not exist.
   */
  rows(rowNumbers: readonly number[]): Promise<SignalRow[]> {
    const task = this.#queue.then(() => this.#rows(rowNumbers));
    this.#queue = task.catch(() => undefined);
    return task;
  }

  async #rows(rowNumbers: readonly number[]): Promise<SignalRow[]> {
    const out: SignalRow[] = [];
    for (const row of rowNumbers) {
      const batchIndex = this.rowsPerBatch === 0 ? -1 : Math.floor(row / this.rowsPerBatch);
      if (batchIndex < 0 || batchIndex >= this.numBatches) {
        throw new RangeError(`signal row ${row} does not exist (${this.numBatches} batches of ${this.rowsPerBatch})`);
      }
      let batch = this.#cache.get(batchIndex);
      if (batch === undefined) {
        batch = await loadBatch(this.#reader, batchIndex);
        this.#cache.set(batchIndex, batch);
        while (this.#cache.size > CACHED_BATCHES) {
          const oldest = this.#cache.keys().next().value;
          if (oldest === undefined) break;
          this.#cache.delete(oldest);
        }
      }
      const at = row - batchIndex * this.rowsPerBatch;
      if (at >= batch.numRows) {
        throw new RangeError(
          `signal row ${row} does not exist: batch ${batchIndex} has ${batch.numRows} rows, not ${this.rowsPerBatch}`,
        );
      }
      const start = Number(batch.offsets[at]!);
      const end = Number(batch.offsets[at + 1]!);
      if (start < 0 || end < start || end > batch.values.length) {
        throw new RangeError(`signal row ${row} has bad offsets [${start}, ${end})`);
      }
      out.push({
        readIdBytes: batch.readIds.subarray(at * UUID_BYTES, (at + 1) * UUID_BYTES),
        numSamples: batch.samples[at]!,
        data: batch.values.subarray(start, end),
      });
    }
    return out;
  }
}

/** Read record batch `batchIndex` and keep only the arrays rows are cut from. */
async function loadBatch(reader: AsyncRecordBatchFileReader, batchIndex: number): Promise<BatchArrays> {
  const batch: RecordBatch | null = await reader.readRecordBatch(batchIndex);
  if (batch === null) throw new RangeError(`signal batch ${batchIndex} cannot be read`);
  checkArrowColumns(batch);
  const readIds = singleChunk(batch, "read_id");
  const samples = singleChunk(batch, "samples");
  const signal = singleChunk(batch, "signal");
  if (readIds.nullCount > 0 || samples.nullCount > 0 || signal.nullCount > 0) {
    throw new RangeError(`signal batch ${batchIndex} has null values`);
  }
  const idBytes = readIds.values;
  const sampleCounts = samples.values;
  const offsets = signal.valueOffsets;
  if (
    !(idBytes instanceof Uint8Array) || !(sampleCounts instanceof Uint32Array) || !(offsets instanceof BigInt64Array)
  ) {
    throw new RangeError(`signal batch ${batchIndex} has unexpected buffers`);
  }
  let values: Uint8Array | Int16Array;
  if (DataType.isLargeBinary(signal.type)) {
    if (!(signal.values instanceof Uint8Array)) throw new RangeError(`signal batch ${batchIndex} has no bytes`);
    values = signal.values;
  } else {
    const child = signal.children[0];
    const childValues: unknown = child?.values;
    if (child === undefined || !(childValues instanceof Int16Array)) {
      throw new RangeError(`signal batch ${batchIndex} has no samples`);
    }
    values = childValues.subarray(child.offset);
  }
  return {
    numRows: batch.numRows,
    readIds: idBytes.subarray(readIds.offset * UUID_BYTES),
    samples: sampleCounts.subarray(samples.offset),
    offsets: offsets.subarray(signal.offset),
    values,
  };
}

function singleChunk(batch: RecordBatch, name: string): Data {
  const vector = batch.getChild(name);
  const data = vector?.data[0];
  if (vector === null || data === undefined || vector.data.length !== 1) {
    throw new RangeError(`signal batch column "${name}" is missing`);
  }
  return data;
}
