/**
 * Token-file rows ↔ Arrow record batches, column by column with
 * apache-arrow's `makeData` (typed arrays in and out, no per-value objects
 * on the way in).
 *
 * @module
 */
import { type Data, DataType, makeData, RecordBatch, type Schema, Struct, Utf8, vectorFromArray } from "apache-arrow";
import { END_REASON_NAMES, type EndReasonName, type ReadMetadata } from "../pod5/types.ts";
import type { NormalisationStats } from "../signal/types.ts";
import { CODES_COLUMN, type ColumnKind, READ_COLUMNS, type ReadColumn } from "./_token_schema.ts";
import type { CodesEncoding } from "./types.ts";

/** One row as stored: metadata, stats, code count, checksum and the stored codes. */
export interface StoredRow {
  readonly metadata: ReadMetadata;
  readonly normalisation: Pick<NormalisationStats, "shiftPa" | "scalePa">;
  readonly numCodes: number;
  readonly crc32: number;
  /** `plain`: the codes; `packed`: the range-coded bytes. */
  readonly stored: Uint16Array | Uint8Array;
}

type Value = number | bigint | string | boolean;

/** Each metadata column's value for a row. */
const VALUE_OF: { readonly [K in ReadColumn]: (row: StoredRow) => Value } = {
  read_id: (r) => r.metadata.readId,
  read_number: (r) => r.metadata.readNumber,
  start_sample: (r) => BigInt(r.metadata.startSample),
  median_before: (r) => r.metadata.medianBeforePa,
  num_minknow_events: (r) => BigInt(r.metadata.numMinknowEvents),
  tracked_scaling_scale: (r) => r.metadata.trackedScaling.scale,
  tracked_scaling_shift: (r) => r.metadata.trackedScaling.shift,
  predicted_scaling_scale: (r) => r.metadata.predictedScaling.scale,
  predicted_scaling_shift: (r) => r.metadata.predictedScaling.shift,
  num_reads_since_mux_change: (r) => r.metadata.numReadsSinceMuxChange,
  time_since_mux_change: (r) => r.metadata.timeSinceMuxChangeSec,
  num_samples: (r) => BigInt(r.metadata.numSamples),
  channel: (r) => r.metadata.channel,
  well: (r) => r.metadata.well,
  pore_type: (r) => r.metadata.poreType,
  calibration_offset: (r) => r.metadata.calibration.offsetAdc,
  calibration_scale: (r) => r.metadata.calibration.scalePaPerAdc,
  end_reason: (r) => r.metadata.endReason.name,
  end_reason_forced: (r) => r.metadata.endReason.forced,
  acquisition_id: (r) => r.metadata.acquisitionId,
  open_pore_level: (r) => r.metadata.openPoreLevelPa,
  norm_shift_pa: (r) => r.normalisation.shiftPa,
  norm_scale_pa: (r) => r.normalisation.scalePa,
  num_codes: (r) => r.numCodes,
  codes_crc32: (r) => r.crc32,
};

const TYPED_ARRAY = {
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

function column(kind: ColumnKind, type: DataType, values: Value[]): Data {
  const length = values.length;
  if (kind === "utf8") return vectorFromArray(values as string[], new Utf8()).data[0]!;
  if (kind === "bool") {
    const bits = new Uint8Array(Math.ceil(length / 8));
    values.forEach((v, i) => {
      if (v === true) bits[i >> 3]! |= 1 << (i & 7);
    });
    return makeData({ type, length, nullCount: 0, data: bits } as Parameters<typeof makeData>[0]);
  }
  const data = kind === "uint64"
    ? BigUint64Array.from(values as bigint[])
    : (TYPED_ARRAY[kind] as Float64ArrayConstructor).from(values as number[]);
  return makeData({ type, length, nullCount: 0, data } as Parameters<typeof makeData>[0]);
}

/**
 * A record batch of rows.
 *
 * @param schema The token file schema.
 * @param encoding The codes encoding (the type of the codes column).
 * @param rows The rows.
 * @returns The batch.
 */
export function tokenBatch(schema: Schema, encoding: CodesEncoding, rows: readonly StoredRow[]): RecordBatch {
  const children: Data[] = READ_COLUMNS.map(([name, kind], i) =>
    column(kind, schema.fields[i]!.type, rows.map(VALUE_OF[name]))
  );
  const codesField = schema.fields[READ_COLUMNS.length]!;
  const offsets = new Int32Array(rows.length + 1);
  let total = 0;
  rows.forEach((row, i) => {
    total += row.stored.length;
    if (total > 0x7fffffff) throw new RangeError("Cannot build token batch: codes exceed 2 GiB");
    offsets[i + 1] = total;
  });
  if (encoding === "plain") {
    const values = new Uint16Array(total);
    rows.forEach((row, i) => values.set(row.stored, offsets[i]));
    const itemType = codesField.type.children[0]!.type;
    const child = makeData({ type: itemType, length: total, nullCount: 0, data: values });
    children.push(
      makeData({ type: codesField.type, length: rows.length, nullCount: 0, valueOffsets: offsets, child }),
    );
  } else {
    const bytes = new Uint8Array(total);
    rows.forEach((row, i) => bytes.set(row.stored, offsets[i]));
    children.push(
      makeData({ type: codesField.type, length: rows.length, nullCount: 0, valueOffsets: offsets, data: bytes }),
    );
  }
  return new RecordBatch(
    schema,
    makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }),
  );
}

/**
 * The rows of a record batch, with the codes as stored (range-coded or plain).
 *
 * @param batch A batch read from a token file.
 * @param encoding The file's codes encoding.
 * @returns The rows.
 * @throws {RangeError} When a column is missing, has nulls or holds an impossible value.
 */
export function rowsOfBatch(batch: RecordBatch, encoding: CodesEncoding): StoredRow[] {
  const columns = new Map<string, Data>();
  for (const [name] of READ_COLUMNS) columns.set(name, singleChunk(batch, name));
  const codes = singleChunk(batch, CODES_COLUMN);
  const get = (name: ReadColumn, i: number): Value => {
    const data = columns.get(name)!;
    const value: unknown = batch.getChild(name)!.get(i);
    if (data.nullCount > 0 || value === null || value === undefined) throw new RangeError(`column ${name} has nulls`);
    return value as Value;
  };
  const num = (name: ReadColumn, i: number): number => {
    const value = get(name, i);
    const n = typeof value === "bigint" ? Number(value) : value;
    if (typeof n !== "number") throw new RangeError(`column ${name} row ${i} is not a number`);
    if (typeof value === "bigint" && !Number.isSafeInteger(n)) {
      throw new RangeError(`column ${name} row ${i} is too large`);
    }
    return n;
  };
  const str = (name: ReadColumn, i: number): string => {
    const value = get(name, i);
    if (typeof value !== "string") throw new RangeError(`column ${name} row ${i} is not text`);
    return value;
  };
  const offsets = codes.valueOffsets;
  if (!(offsets instanceof Int32Array) || codes.nullCount > 0) throw new RangeError("column codes has bad offsets");
  let storedValues: Uint16Array | Uint8Array;
  if (encoding === "plain") {
    const child = codes.children[0];
    const values: unknown = child?.values;
    if (child === undefined || !(values instanceof Uint16Array) || !DataType.isList(codes.type)) {
      throw new RangeError("column codes is not list<uint16>");
    }
    storedValues = values.subarray(child.offset);
  } else {
    if (!(codes.values instanceof Uint8Array) || !DataType.isBinary(codes.type)) {
      throw new RangeError("column codes is not binary");
    }
    storedValues = codes.values;
  }
  const rows: StoredRow[] = [];
  for (let i = 0; i < batch.numRows; i++) {
    const start = offsets[codes.offset + i]!;
    const end = offsets[codes.offset + i + 1]!;
    if (start < 0 || end < start || end > storedValues.length) throw new RangeError(`row ${i} has bad codes offsets`);
    const endReason = str("end_reason", i);
    if (!(END_REASON_NAMES as readonly string[]).includes(endReason)) {
      throw new RangeError(`row ${i} has unknown end reason "${endReason}"`);
    }
    rows.push({
      metadata: {
        readId: str("read_id", i),
        readNumber: num("read_number", i),
        startSample: num("start_sample", i),
        medianBeforePa: num("median_before", i),
        numMinknowEvents: num("num_minknow_events", i),
        trackedScaling: { scale: num("tracked_scaling_scale", i), shift: num("tracked_scaling_shift", i) },
        predictedScaling: { scale: num("predicted_scaling_scale", i), shift: num("predicted_scaling_shift", i) },
        numReadsSinceMuxChange: num("num_reads_since_mux_change", i),
        timeSinceMuxChangeSec: num("time_since_mux_change", i),
        numSamples: num("num_samples", i),
        channel: num("channel", i),
        well: num("well", i),
        poreType: str("pore_type", i),
        calibration: { offsetAdc: num("calibration_offset", i), scalePaPerAdc: num("calibration_scale", i) },
        endReason: { name: endReason as EndReasonName, forced: get("end_reason_forced", i) === true },
        acquisitionId: str("acquisition_id", i),
        openPoreLevelPa: num("open_pore_level", i),
      },
      normalisation: { shiftPa: num("norm_shift_pa", i), scalePa: num("norm_scale_pa", i) },
      numCodes: num("num_codes", i),
      crc32: num("codes_crc32", i),
      stored: storedValues.subarray(start, end),
    });
  }
  return rows;
}

function singleChunk(batch: RecordBatch, name: string): Data {
  const vector = batch.getChild(name);
  const data = vector?.data[0];
  if (vector === null || data === undefined || vector.data.length !== 1) {
    throw new RangeError(`column "${name}" is missing`);
  }
  return data;
}
