/**
 * The run_info table (notes/pod5_format.md §2.4): one row per acquisition,
 * possibly spread over many record batches.
 *
 * @module
 */
import type { Table, Vector } from "apache-arrow";
import { COLUMN_TYPES, type ColumnType, findColumn } from "./_arrow_columns.ts";
import type { RunInfo } from "./types.ts";

/** Run-info columns in official order, with their types. */
const RUN_INFO_COLUMNS = [
  ["acquisition_id", COLUMN_TYPES.utf8],
  ["acquisition_start_time", COLUMN_TYPES.timestampMs],
  ["adc_max", COLUMN_TYPES.int16],
  ["adc_min", COLUMN_TYPES.int16],
  ["context_tags", COLUMN_TYPES.stringMap],
  ["experiment_name", COLUMN_TYPES.utf8],
  ["flow_cell_id", COLUMN_TYPES.utf8],
  ["flow_cell_product_code", COLUMN_TYPES.utf8],
  ["protocol_name", COLUMN_TYPES.utf8],
  ["protocol_run_id", COLUMN_TYPES.utf8],
  ["protocol_start_time", COLUMN_TYPES.timestampMs],
  ["sample_id", COLUMN_TYPES.utf8],
  ["sample_rate", COLUMN_TYPES.uint16],
  ["sequencing_kit", COLUMN_TYPES.utf8],
  ["sequencer_position", COLUMN_TYPES.utf8],
  ["sequencer_position_type", COLUMN_TYPES.utf8],
  ["software", COLUMN_TYPES.utf8],
  ["system_name", COLUMN_TYPES.utf8],
  ["system_type", COLUMN_TYPES.utf8],
  ["tracking_id", COLUMN_TYPES.stringMap],
] as const satisfies readonly (readonly [string, ColumnType])[];

/** The run_info column names in official order (the writer uses them too). */
export const RUN_INFO_COLUMN_NAMES: readonly string[] = RUN_INFO_COLUMNS.map(([name]) => name);

/**
 * Read every run-info row.
 *
 * @param table The decoded run_info table.
 * @returns The runs, in table order.
 * @throws {TypeError} When a column has the wrong type or a required value is missing.
 */
export function parseRunInfoTable(table: Table): RunInfo[] {
  const columns = new Map<string, Vector>();
  for (const [name, type] of RUN_INFO_COLUMNS) {
    if (findColumn(table.schema, name, type) === undefined) {
      throw new TypeError(`the run_info table has no column "${name}"`);
    }
    const vector = table.getChild(name);
    if (vector !== null) columns.set(name, vector);
  }
  const text = (name: string, row: number): string => {
    const value: unknown = columns.get(name)?.get(row);
    return typeof value === "string" ? value : "";
  };
  const num = (name: string, row: number): number => {
    const value: unknown = columns.get(name)?.get(row);
    return typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : Number.NaN;
  };
  const map = (name: string, row: number): Record<string, string> => {
    // apache-arrow returns a MapRow, a Proxy whose `has` trap hides its methods
    // (so `"toJSON" in row` is false); Reflect.get reaches them.
    const value: unknown = columns.get(name)?.get(row);
    const out: Record<string, string> = {};
    const toJSON: unknown = value !== null && typeof value === "object" ? Reflect.get(value, "toJSON") : undefined;
    if (typeof toJSON === "function") {
      const json: unknown = toJSON.call(value);
      if (json !== null && typeof json === "object") {
        for (const [key, entry] of Object.entries(json)) out[key] = typeof entry === "string" ? entry : "";
      }
    }
    return out;
  };
  const runs: RunInfo[] = [];
  for (let row = 0; row < table.numRows; row++) {
    const acquisitionId = text("acquisition_id", row);
    if (acquisitionId === "") throw new TypeError(`run_info row ${row} has no acquisition_id`);
    const sampleRateHz = num("sample_rate", row);
    if (!(sampleRateHz > 0)) throw new TypeError(`run_info row ${row} (${acquisitionId}) has no sample_rate`);
    runs.push({
      acquisitionId,
      acquisitionStartTimeMs: num("acquisition_start_time", row),
      adcMax: num("adc_max", row),
      adcMin: num("adc_min", row),
      contextTags: map("context_tags", row),
      experimentName: text("experiment_name", row),
      flowCellId: text("flow_cell_id", row),
      flowCellProductCode: text("flow_cell_product_code", row),
      protocolName: text("protocol_name", row),
      protocolRunId: text("protocol_run_id", row),
      protocolStartTimeMs: num("protocol_start_time", row),
      sampleId: text("sample_id", row),
      sampleRateHz,
      sequencingKit: text("sequencing_kit", row),
      sequencerPosition: text("sequencer_position", row),
      sequencerPositionType: text("sequencer_position_type", row),
      software: text("software", row),
      systemName: text("system_name", row),
      systemType: text("system_type", row),
      trackingId: map("tracking_id", row),
    });
  }
  return runs;
}
