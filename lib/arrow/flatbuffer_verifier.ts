/**
 * Bounds checks for FlatBuffers before generated or library code follows
 * their offsets (neither the `flatbuffers` npm runtime nor apache-arrow checks
 * them). Covers the shapes the POD5 footer and Arrow IPC metadata use:
 * tables, scalars, strings, vectors of tables and vectors of structs.
 *
 * @module
 */

/** An offset in a FlatBuffer points outside it, or a table is malformed. */
export class FlatBufferBoundsError extends RangeError {
  /** Offset within the buffer where the problem was found. */
  readonly bufferOffset: number;

  /**
   * Create a FlatBufferBoundsError.
   *
   * @param message What is wrong.
   * @param bufferOffset Where in the buffer.
   */
  constructor(message: string, bufferOffset: number) {
    super(message);
    this.name = "FlatBufferBoundsError";
    this.bufferOffset = bufferOffset;
  }
}

/** Verifies and reads a FlatBuffer held in a byte array. */
export class FlatBufferVerifier {
  readonly #view: DataView;
  readonly #length: number;

  /** @param bytes The FlatBuffer. */
  constructor(bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#length = bytes.byteLength;
  }

  /** Verify the root table; returns its position. */
  root(what = "root table"): number {
    this.#need(0, 4, "root offset");
    return this.table(this.#view.getUint32(0, true), what);
  }

  /** Verify the table at `pos` (vtable and object within bounds); returns `pos`. */
  table(pos: number, what: string): number {
    this.#need(pos, 4, what);
    const vtable = pos - this.#view.getInt32(pos, true);
    this.#need(vtable, 4, `${what} vtable`);
    const vtableBytes = this.#view.getUint16(vtable, true);
    const objectBytes = this.#view.getUint16(vtable + 2, true);
    if (vtableBytes < 4 || vtableBytes % 2 !== 0) {
      throw new FlatBufferBoundsError(`${what} vtable has bad size ${vtableBytes}`, vtable);
    }
    this.#need(vtable, vtableBytes, `${what} vtable`);
    this.#need(pos, Math.max(objectBytes, 4), what);
    return pos;
  }

  /** Offset of field `slot` inside the table, or 0 when absent. */
  fieldOffset(table: number, slot: number): number {
    const vtable = table - this.#view.getInt32(table, true);
    const vtableBytes = this.#view.getUint16(vtable, true);
    const at = 4 + 2 * slot;
    return at + 2 <= vtableBytes ? this.#view.getUint16(vtable + at, true) : 0;
  }

  /** Check that scalar field `slot` of `size` bytes lies inside its table. */
  scalar(table: number, slot: number, size: number): void {
    const offset = this.fieldOffset(table, slot);
    if (offset === 0) return;
    const objectBytes = this.#view.getUint16(table - this.#view.getInt32(table, true) + 2, true);
    if (offset + size > objectBytes) {
      throw new FlatBufferBoundsError(`field ${slot} lies outside its table`, table + offset);
    }
  }

  /** Read an unsigned byte field (verified), or `fallback` when absent. */
  uint8(table: number, slot: number, fallback: number): number {
    this.scalar(table, slot, 1);
    const offset = this.fieldOffset(table, slot);
    return offset === 0 ? fallback : this.#view.getUint8(table + offset);
  }

  /** Read an int64 field (verified) as a number, or `fallback` when absent. */
  int64(table: number, slot: number, fallback: number): number {
    this.scalar(table, slot, 8);
    const offset = this.fieldOffset(table, slot);
    return offset === 0 ? fallback : Number(this.#view.getBigInt64(table + offset, true));
  }

  /** Verify a string field; returns its byte length, or -1 when absent. */
  string(table: number, slot: number, name: string): number {
    const offset = this.fieldOffset(table, slot);
    if (offset === 0) return -1;
    const at = this.#indirect(table + offset, name);
    this.#need(at, 4, name);
    const length = this.#view.getUint32(at, true);
    this.#need(at + 4, length + 1, name);
    return length;
  }

  /** Verify a sub-table field; returns its position, or undefined when absent. */
  subTable(table: number, slot: number, name: string): number | undefined {
    const offset = this.fieldOffset(table, slot);
    if (offset === 0) return undefined;
    return this.table(this.#indirect(table + offset, name), name);
  }

  /** Verify a vector of tables; returns the positions of its tables. */
  tableVector(table: number, slot: number, name: string): number[] {
    const offset = this.fieldOffset(table, slot);
    if (offset === 0) return [];
    const at = this.#indirect(table + offset, name);
    this.#need(at, 4, name);
    const count = this.#view.getUint32(at, true);
    this.#need(at + 4, count * 4, name);
    const tables: number[] = [];
    for (let i = 0; i < count; i++) {
      const slotAt = at + 4 + 4 * i;
      tables.push(this.table(slotAt + this.#view.getUint32(slotAt, true), `${name}[${i}]`));
    }
    return tables;
  }

  /** Verify a vector of structs of `structBytes`; returns the first element's position and the count. */
  structVector(table: number, slot: number, structBytes: number, name: string): { start: number; count: number } {
    const offset = this.fieldOffset(table, slot);
    if (offset === 0) return { start: 0, count: 0 };
    const at = this.#indirect(table + offset, name);
    this.#need(at, 4, name);
    const count = this.#view.getUint32(at, true);
    this.#need(at + 4, count * structBytes, name);
    return { start: at + 4, count };
  }

  /** Read an int32 at a verified position. */
  readInt32(pos: number): number {
    this.#need(pos, 4, "int32");
    return this.#view.getInt32(pos, true);
  }

  /** Read an int64 at a verified position, as a number. */
  readInt64(pos: number): number {
    this.#need(pos, 8, "int64");
    return Number(this.#view.getBigInt64(pos, true));
  }

  #indirect(pos: number, what: string): number {
    this.#need(pos, 4, what);
    return pos + this.#view.getUint32(pos, true);
  }

  #need(pos: number, size: number, what: string): void {
    if (pos < 0 || size < 0 || pos + size > this.#length) {
      throw new FlatBufferBoundsError(`${what} points outside the buffer (${pos}+${size} > ${this.#length})`, pos);
    }
  }
}
