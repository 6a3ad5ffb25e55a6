/**
 * The reads table (notes/pod5_format.md §2.3): one row per read with its
 * metadata and the signal-table rows holding its samples.
 *
 * @module
 */
import type { Table, Vector } from "apache-arrow";
import { COLUMN_TYPES, type ColumnType, findColumn } from "./_arrow_columns.ts";
import { END_REASON_NAMES, type EndReasonName, type ReadMetadata } from "./types.ts";
import { uuidFromBytes } from "./uuid.ts";

/** Reads columns in official order (v4, 22 columns); `open_pore_level` is absent before v4. */
export const READS_COLUMNS = [
  ["read_id", COLUMN_TYPES.uuid],
  ["signal", COLUMN_TYPES.uint64List],
  ["read_number", COLUMN_TYPES.uint32],
  ["start", COLUMN_TYPES.uint64],
  ["median_before", COLUMN_TYPES.float32],
  ["num_minknow_events", COLUMN_TYPES.uint64],
  ["tracked_scaling_scale", COLUMN_TYPES.float32],
  ["tracked_scaling_shift", COLUMN_TYPES.float32],
  ["predicted_scaling_scale", COLUMN_TYPES.float32],
  ["predicted_scaling_shift", COLUMN_TYPES.float32],
  ["num_reads_since_mux_change", COLUMN_TYPES.uint32],
  ["time_since_mux_change", COLUMN_TYPES.float32],
  ["num_samples", COLUMN_TYPES.uint64],
  ["channel", COLUMN_TYPES.uint16],
  ["well", COLUMN_TYPES.uint8],
  ["pore_type", COLUMN_TYPES.dictionaryUtf8],
  ["calibration_offset", COLUMN_TYPES.float32],
  ["calibration_scale", COLUMN_TYPES.float32],
  ["end_reason", COLUMN_TYPES.dictionaryUtf8],
  ["end_reason_forced", COLUMN_TYPES.bool],
  ["run_info", COLUMN_TYPES.dictionaryUtf8],
  ["open_pore_level", COLUMN_TYPES.float32],
] as const satisfies readonly (readonly [string, ColumnType])[];

/** Columns added by reads-table v4 (pod5 ≥ 0.3.30); older files lack them. */
const OPTIONAL_COLUMNS: ReadonlySet<string> = new Set(["open_pore_level"]);

type ReadsColumnName = (typeof READS_COLUMNS)[number][0];

/** The reads table, kept columnar; rows are materialised on demand. */
export class ReadsTable {
  /** Number of reads. */
  readonly count: number;
  readonly #columns: ReadonlyMap<ReadsColumnName, Vector>;
  #index: Map<string, number> | undefined;

  private constructor(count: number, columns: Map<ReadsColumnName, Vector>) {
    this.count = count;
    this.#columns = columns;
  }

  /**
   * Check the columns of a decoded reads table.
   *
   * @param table The reads table.
   * @returns The wrapper.
   * @throws {TypeError} When a column is missing or has the wrong type.
   */
  static fromTable(table: Table): ReadsTable {
    const columns = new Map<ReadsColumnName, Vector>();
    for (const [name, type] of READS_COLUMNS) {
      const field = findColumn(table.schema, name, type);
      if (field === undefined) {
        if (OPTIONAL_COLUMNS.has(name)) continue;
        throw new TypeError(`the reads table has no column "${name}"`);
      }
      const vector = table.getChild(name);
      if (vector !== null) columns.set(name, vector);
    }
    return new ReadsTable(table.numRows, columns);
  }

  /** The read id at `index` (0-based, file order). */
  readIdAt(index: number): string {
    const bytes: unknown = this.#get("read_id", index);
    if (!(bytes instanceof Uint8Array)) throw new TypeError(`read ${index} has no read_id`);
    return uuidFromBytes(bytes);
  }

  /** Position of `readId` in the file, or undefined. Builds the index on first use. */
  indexOf(readId: string): number | undefined {
    if (this.#index === undefined) {
      const index = new Map<string, number>();
      for (let i = 0; i < this.count; i++) {
        const id = this.readIdAt(i);
        if (!index.has(id)) index.set(id, i);
      }
      this.#index = index;
    }
    return this.#index.get(readId.toLowerCase());
  }

  /** The global signal-table row numbers of read `index`, in sample order. */
  signalRows(index: number): number[] {
    const list: unknown = this.#get("signal", index);
    if (list === null || typeof list !== "object" || !("toArray" in list) || typeof list.toArray !== "function") {
      throw new TypeError(`read ${this.readIdAt(index)} has no signal list`);
    }
    const rows: unknown = list.toArray();
    if (!(rows instanceof BigUint64Array)) throw new TypeError(`read ${this.readIdAt(index)} has a bad signal list`);
    return Array.from(rows, (row) => toSafeInteger(row, "signal row"));
  }

  /** Everything the table holds about read `index`, except its signal rows. */
  metadata(index: number): ReadMetadata {
    const readId = this.readIdAt(index);
    const float = (name: ReadsColumnName): number => {
      const value: unknown = this.#get(name, index);
      return typeof value === "number" ? value : Number.NaN;
    };
    const integer = (name: ReadsColumnName): number => {
      const value: unknown = this.#get(name, index);
      if (typeof value === "bigint") return toSafeInteger(value, name);
      return typeof value === "number" ? value : 0;
    };
    const text = (name: ReadsColumnName): string | undefined => {
      const value: unknown = this.#get(name, index);
      return typeof value === "string" ? value : undefined;
    };
    const numSamples = this.#get("num_samples", index);
    const offset = float("calibration_offset");
    const scale = float("calibration_scale");
    const acquisitionId = text("run_info");
    if (numSamples === null) throw new TypeError(`read ${readId} has no num_samples`);
    if (Number.isNaN(offset) || Number.isNaN(scale)) throw new TypeError(`read ${readId} has no calibration`);
    if (acquisitionId === undefined) throw new TypeError(`read ${readId} has no run_info`);
    const label = text("end_reason") ?? "unknown";
    return {
      readId,
      readNumber: integer("read_number"),
      startSample: integer("start"),
      medianBeforePa: float("median_before"),
      numMinknowEvents: integer("num_minknow_events"),
      trackedScaling: { scale: float("tracked_scaling_scale"), shift: float("tracked_scaling_shift") },
      predictedScaling: { scale: float("predicted_scaling_scale"), shift: float("predicted_scaling_shift") },
      numReadsSinceMuxChange: integer("num_reads_since_mux_change"),
      timeSinceMuxChangeSec: float("time_since_mux_change"),
      numSamples: integer("num_samples"),
      channel: integer("channel"),
      well: integer("well"),
      poreType: text("pore_type") ?? "",
      calibration: { offsetAdc: offset, scalePaPerAdc: scale },
      endReason: {
        name: isEndReasonName(label) ? label : "unknown",
        forced: this.#get("end_reason_forced", index) === true,
      },
      acquisitionId,
      openPoreLevelPa: float("open_pore_level"),
    };
  }

  #get(name: ReadsColumnName, index: number): unknown {
    const vector = this.#columns.get(name);
    return vector === undefined ? null : vector.get(index);
  }
}

function isEndReasonName(label: string): label is EndReasonName {
  return (END_REASON_NAMES as readonly string[]).includes(label);
}

function toSafeInteger(value: bigint, name: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new TypeError(`${name} ${value} is too large`);
  return Number(value);
}
