/**
 * Record batches of the three POD5 tables, built column by column with
 * apache-arrow's `makeData` (typed arrays in, no per-value objects).
 *
 * @module
 */
import {
  type Data,
  DataType,
  type Field,
  type Float,
  type Int,
  makeData,
  RecordBatch,
  type Schema,
  Struct,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import { UUID_BYTES, uuidToBytes } from "./uuid.ts";
import type { RunInfo } from "./types.ts";

/** One signal-table row to write. */
export interface SignalRowToWrite {
  readonly readIdBytes: Uint8Array;
  readonly numSamples: number;
  /** VBZ bytes, or the raw samples for uncompressed files. */
  readonly data: Uint8Array | Int16Array;
}

function fieldType(schema: Schema, index: number): DataType {
  const field: Field | undefined = schema.fields[index];
  if (field === undefined) throw new RangeError(`Cannot build batch: schema has no column ${index}`);
  return field.type;
}

/** The type of column `index`, checked with one of apache-arrow's type guards. */
function typed<T extends DataType>(schema: Schema, index: number, guard: (type: DataType) => type is T): T {
  const type = fieldType(schema, index);
  if (!guard(type)) throw new TypeError(`Cannot build batch: column ${index} has type ${String(type)}`);
  return type;
}

const isInt = (t: DataType): t is Int => DataType.isInt(t);
const isFloat = (t: DataType): t is Float => DataType.isFloat(t);

function recordBatch(schema: Schema, length: number, children: ReturnType<typeof makeData>[]): RecordBatch {
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }));
}

/**
 * A signal-table batch.
 *
 * @param schema The signal table schema (VBZ or uncompressed).
 * @param rows The rows, in row-number order.
 * @returns The batch.
 */
export function signalBatch(schema: Schema, rows: readonly SignalRowToWrite[]): RecordBatch {
  const n = rows.length;
  const ids = new Uint8Array(n * UUID_BYTES);
  const samples = new Uint32Array(n);
  const offsets = new BigInt64Array(n + 1);
  let total = 0;
  rows.forEach((row, i) => {
    ids.set(row.readIdBytes, i * UUID_BYTES);
    samples[i] = row.numSamples;
    total += row.data.length;
    offsets[i + 1] = BigInt(total);
  });
  let signal: Data;
  const signalType = fieldType(schema, 1);
  if (DataType.isLargeBinary(signalType)) {
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const row of rows) {
      if (!(row.data instanceof Uint8Array)) throw new TypeError("Cannot build signal batch: a VBZ row holds samples");
      bytes.set(row.data, at);
      at += row.data.length;
    }
    signal = makeData({ type: signalType, length: n, nullCount: 0, valueOffsets: offsets, data: bytes });
  } else if (DataType.isLargeList(signalType)) {
    const values = new Int16Array(total);
    let at = 0;
    for (const row of rows) {
      if (!(row.data instanceof Int16Array)) throw new TypeError("Cannot build signal batch: a raw row holds bytes");
      values.set(row.data, at);
      at += row.data.length;
    }
    const itemType = signalType.children[0]?.type;
    if (itemType === undefined || !isInt(itemType)) throw new TypeError("Cannot build signal batch: no int16 items");
    const child = makeData({ type: itemType, length: total, nullCount: 0, data: values });
    signal = makeData({ type: signalType, length: n, nullCount: 0, valueOffsets: offsets, child });
  } else {
    throw new TypeError(`Cannot build signal batch: column "signal" has type ${String(signalType)}`);
  }
  return recordBatch(schema, n, [
    makeData({ type: typed(schema, 0, DataType.isFixedSizeBinary), length: n, nullCount: 0, data: ids }),
    signal,
    makeData({ type: typed(schema, 2, isInt), length: n, nullCount: 0, data: samples }),
  ]);
}

/**
 * A run_info batch.
 *
 * @param schema The run_info schema.
 * @param runs The runs.
 * @returns The batch.
 */
export function runInfoBatch(schema: Schema, runs: readonly RunInfo[]): RecordBatch {
  const columns: unknown[][] = [
    runs.map((r) => r.acquisitionId),
    runs.map((r) => r.acquisitionStartTimeMs),
    runs.map((r) => r.adcMax),
    runs.map((r) => r.adcMin),
    runs.map((r) => new Map(Object.entries(r.contextTags))),
    runs.map((r) => r.experimentName),
    runs.map((r) => r.flowCellId),
    runs.map((r) => r.flowCellProductCode),
    runs.map((r) => r.protocolName),
    runs.map((r) => r.protocolRunId),
    runs.map((r) => r.protocolStartTimeMs),
    runs.map((r) => r.sampleId),
    runs.map((r) => r.sampleRateHz),
    runs.map((r) => r.sequencingKit),
    runs.map((r) => r.sequencerPosition),
    runs.map((r) => r.sequencerPositionType),
    runs.map((r) => r.software),
    runs.map((r) => r.systemName),
    runs.map((r) => r.systemType),
    runs.map((r) => new Map(Object.entries(r.trackingId))),
  ];
  const children = columns.map((values, i) => {
    const data = vectorFromArray(values, fieldType(schema, i)).data[0];
    if (data === undefined) throw new RangeError(`Cannot build run_info batch: column ${i} is empty`);
    return data;
  });
  return recordBatch(schema, runs.length, children);
}

/** The values of one reads-table row, dictionary columns as indices. */
export interface ReadRow {
  readonly readId: string;
  readonly firstSignalRow: number;
  readonly signalRowCount: number;
  readonly readNumber: number;
  readonly startSample: number;
  readonly medianBeforePa: number;
  readonly numMinknowEvents: number;
  readonly trackedScalingScale: number;
  readonly trackedScalingShift: number;
  readonly predictedScalingScale: number;
  readonly predictedScalingShift: number;
  readonly numReadsSinceMuxChange: number;
  readonly timeSinceMuxChangeSec: number;
  readonly numSamples: number;
  readonly channel: number;
  readonly well: number;
  readonly poreTypeIndex: number;
  readonly calibrationOffsetAdc: number;
  readonly calibrationScalePaPerAdc: number;
  readonly endReasonIndex: number;
  readonly endReasonForced: boolean;
  readonly runInfoIndex: number;
  readonly openPoreLevelPa: number;
}

/** The dictionaries of the reads table, shared by all its batches. */
export interface ReadsDictionaries {
  readonly poreType: Vector;
  readonly endReason: Vector;
  readonly runInfo: Vector;
}

/**
 * A reads-table batch.
 *
 * @param schema The reads schema.
 * @param rows The rows.
 * @param dictionaries The dictionary vectors (the same objects for every batch, so they are written once).
 * @returns The batch.
 */
export function readsBatch(schema: Schema, rows: readonly ReadRow[], dictionaries: ReadsDictionaries): RecordBatch {
  const n = rows.length;
  const int = (i: number, data: Uint8Array | Uint16Array | Uint32Array | BigUint64Array) =>
    makeData({ type: typed(schema, i, isInt), length: n, nullCount: 0, data });
  const f32 = (i: number, get: (row: ReadRow) => number) =>
    makeData({ type: typed(schema, i, isFloat), length: n, nullCount: 0, data: Float32Array.from(rows, get) });
  const u64 = (i: number, get: (row: ReadRow) => number) =>
    int(i, BigUint64Array.from(rows, (row) => BigInt(get(row))));
  const ids = new Uint8Array(n * UUID_BYTES);
  const listOffsets = new Int32Array(n + 1);
  let totalRows = 0;
  rows.forEach((row, i) => {
    ids.set(uuidToBytes(row.readId), i * UUID_BYTES);
    totalRows += row.signalRowCount;
    listOffsets[i + 1] = totalRows;
  });
  const signalRows = new BigUint64Array(totalRows);
  let at = 0;
  for (const row of rows) {
    for (let k = 0; k < row.signalRowCount; k++) signalRows[at++] = BigInt(row.firstSignalRow + k);
  }
  const listType = typed(schema, 1, DataType.isList);
  const itemType = listType.children[0]?.type;
  if (itemType === undefined || !isInt(itemType)) throw new TypeError("Cannot build reads batch: no uint64 items");
  const forced = new Uint8Array(Math.ceil(n / 8));
  rows.forEach((row, i) => {
    if (row.endReasonForced) forced[i >>> 3] = forced[i >>> 3]! | (1 << (i & 7));
  });
  const dictionary = (i: number, get: (row: ReadRow) => number, values: Vector) =>
    makeData({
      type: typed(schema, i, DataType.isDictionary),
      length: n,
      nullCount: 0,
      data: Int16Array.from(rows, get),
      dictionary: values,
    });
  return recordBatch(schema, n, [
    makeData({ type: typed(schema, 0, DataType.isFixedSizeBinary), length: n, nullCount: 0, data: ids }),
    makeData({
      type: listType,
      length: n,
      nullCount: 0,
      valueOffsets: listOffsets,
      child: makeData({ type: itemType, length: totalRows, nullCount: 0, data: signalRows }),
    }),
    int(2, Uint32Array.from(rows, (r) => r.readNumber)),
    u64(3, (r) => r.startSample),
    f32(4, (r) => r.medianBeforePa),
    u64(5, (r) => r.numMinknowEvents),
    f32(6, (r) => r.trackedScalingScale),
    f32(7, (r) => r.trackedScalingShift),
    f32(8, (r) => r.predictedScalingScale),
    f32(9, (r) => r.predictedScalingShift),
    int(10, Uint32Array.from(rows, (r) => r.numReadsSinceMuxChange)),
    f32(11, (r) => r.timeSinceMuxChangeSec),
    u64(12, (r) => r.numSamples),
    int(13, Uint16Array.from(rows, (r) => r.channel)),
    int(14, Uint8Array.from(rows, (r) => r.well)),
    dictionary(15, (r) => r.poreTypeIndex, dictionaries.poreType),
    f32(16, (r) => r.calibrationOffsetAdc),
    f32(17, (r) => r.calibrationScalePaPerAdc),
    dictionary(18, (r) => r.endReasonIndex, dictionaries.endReason),
    makeData({ type: typed(schema, 19, DataType.isBool), length: n, nullCount: 0, data: forced }),
    dictionary(20, (r) => r.runInfoIndex, dictionaries.runInfo),
    f32(21, (r) => r.openPoreLevelPa),
  ]);
}
