/**
 * Checks of the values apache-arrow reads out of a record batch, once
 * `checkArrowIpcFile` has checked the framing: every offset of a string,
 * binary, list or map column lies within the values it indexes, and every
 * child and values buffer holds the rows its parent says. apache-arrow
 * trusts these numbers: a map whose end offset says 536,870,912 over no
 * entries makes it build half a billion entries (20 s) before it fails with
 * "Invalid array length". Checking is linear in the rows.
 *
 * @module
 */
import { type Data, DataType, type RecordBatch, type Table } from "apache-arrow";
import { ArrowIpcError } from "./check_arrow_ipc_file.ts";

function fail(column: string, reason: string): never {
  throw new ArrowIpcError(`column ${column}: ${reason}`);
}

/** Offsets `[offset, offset + length]` nondecreasing, from ≥ 0 to ≤ `limit`. */
function checkOffsets(column: string, data: Data, limit: number, what: string): void {
  const offsets = data.valueOffsets as ArrayLike<number | bigint> | undefined;
  const first = data.offset, last = data.offset + data.length;
  if (offsets === undefined || offsets.length < last + 1) {
    fail(column, `${offsets?.length ?? 0} offsets for ${data.length} rows`);
  }
  let previous = Number(offsets[first]);
  if (!(previous >= 0)) fail(column, `row 0 starts at offset ${previous}`);
  for (let i = first + 1; i <= last; i++) {
    const end = Number(offsets[i]);
    if (!(end >= previous)) fail(column, `row ${i - 1 - first} ends at offset ${end}, before its start ${previous}`);
    if (end > limit) fail(column, `row ${i - 1 - first} ends at offset ${end}, past its ${limit} ${what}`);
    previous = end;
  }
}

/**
 * Check one column's data (and its children) against its own lengths.
 *
 * @param data The column's data.
 * @param column Its name, for messages (children get `name.child`).
 * @throws {ArrowIpcError} Naming the column and the first bad row.
 */
export function checkArrowData(data: Data, column: string): void {
  const { type } = data;
  if (!(data.length >= 0 && data.offset >= 0)) fail(column, `length ${data.length} at offset ${data.offset}`);
  if (data.length === 0) return; // no rows: nothing is indexed
  const rows = data.offset + data.length;
  const bitmap = data.nullBitmap;
  if (data.nullCount > 0 && (bitmap === undefined || bitmap.length * 8 < rows)) {
    fail(column, `a validity bitmap of ${bitmap?.length ?? 0} bytes for ${rows} rows`);
  }
  if (DataType.isUtf8(type) || DataType.isBinary(type)) {
    checkOffsets(column, data, data.values?.length ?? 0, "bytes");
  } else if (DataType.isList(type) || DataType.isMap(type)) {
    const child = data.children[0];
    if (child === undefined) fail(column, "its entries are missing");
    checkOffsets(column, data, child.length, "entries");
    checkArrowData(child, `${column}.${type.children[0]?.name ?? "item"}`);
  } else if (DataType.isFixedSizeList(type)) {
    const child = data.children[0];
    if (child === undefined || child.length < rows * type.listSize) {
      fail(column, `${child?.length ?? 0} entries for ${rows} lists of ${type.listSize}`);
    }
    checkArrowData(child, `${column}.${type.children[0]?.name ?? "item"}`);
  } else if (DataType.isStruct(type)) {
    for (const [i, field] of type.children.entries()) {
      const child = data.children[i];
      if (child === undefined || child.offset + child.length < rows) {
        fail(column, `field ${field.name} has ${child?.length ?? 0} rows, not ${rows}`);
      }
      checkArrowData(child, `${column}.${field.name}`);
    }
  } else if (DataType.isDictionary(type)) {
    const dictionary = data.dictionary;
    const indices = data.values as ArrayLike<number | bigint> | undefined;
    if (dictionary === undefined || indices === undefined || indices.length < rows) {
      fail(column, "its dictionary or indices are missing");
    }
    for (let i = data.offset; i < rows; i++) {
      const index = Number(indices[i]);
      if (!(index >= 0 && index < dictionary.length)) {
        fail(column, `row ${i - data.offset} refers to entry ${index} of a dictionary of ${dictionary.length}`);
      }
    }
    for (const part of dictionary.data) checkArrowData(part, `${column} (dictionary)`);
  } else if (DataType.isBool(type)) {
    if ((data.values?.length ?? 0) * 8 < rows) fail(column, `${data.values?.length ?? 0} bytes for ${rows} flags`);
  } else if (!DataType.isNull(type) && data.values !== undefined) {
    const needed = rows * data.stride;
    if (data.values.length < needed) fail(column, `${data.values.length} values for ${rows} rows`);
  }
}

/**
 * Check every column of a record batch or table.
 *
 * @example
 * ```ts
 * import { Table, Utf8, vectorFromArray } from "apache-arrow";
 * import { checkArrowColumns } from "./check_arrow_data.ts";
 *
 * const table = new Table({ n: vectorFromArray(Int32Array.of(1, 2)), s: vectorFromArray(["a", "bc"], new Utf8()) });
 * checkArrowColumns(table); // fine
 * (table.getChild("s")!.data[0]!.valueOffsets as Int32Array)[2] = 1000; // damage: past the 3 bytes
 * try {
 *   checkArrowColumns(table);
 *   throw new Error("not caught");
 * } catch (error) {
 *   if (!(error instanceof RangeError) || !error.message.includes("row 1 ends at offset 1000")) throw error;
 * }
 * ```
 *
 * @param batch The batch or table.
 * @throws {ArrowIpcError} Naming the column and the first bad row.
 */
export function checkArrowColumns(batch: RecordBatch | Table): void {
  for (const field of batch.schema.fields) {
    const vector = batch.getChild(field.name);
    if (vector === null) continue;
    for (const data of vector.data) checkArrowData(data, field.name);
  }
}
