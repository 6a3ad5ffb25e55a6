/**
 * The Arrow schemas of the three POD5 tables as the current official writer
 * makes them (notes/pod5_format.md §2): column order, types, nullability,
 * extension metadata and schema metadata.
 *
 * @module
 */
import {
  Bool,
  type DataType,
  Dictionary,
  Field,
  FixedSizeBinary,
  Float32,
  Int16,
  LargeBinary,
  LargeList,
  List,
  Map_,
  Schema,
  Struct,
  TimestampMillisecond,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
} from "apache-arrow";
import type { SignalCompression } from "./types.ts";

/** The POD5 version this writer claims: ≥ 0.3.30, so readers expect all 22 reads columns (notes §2.8). */
export const WRITER_POD5_VERSION = "0.3.39";

/** What every table's schema metadata records. */
export interface TableMetadata {
  readonly fileIdentifier: string;
  readonly software: string;
  readonly pod5Version: string;
}

/** Dictionary ids of the reads table, in official order. */
export const DICTIONARY_IDS = { poreType: 0, endReason: 1, runInfo: 2 } as const;

const extension = (name: string) => new Map([["ARROW:extension:metadata", ""], ["ARROW:extension:name", name]]);
const column = (name: string, type: DataType, metadata?: Map<string, string>) =>
  new Field(name, type, true, metadata ?? null);
const utf8Dictionary = (id: number) => new Dictionary(new Utf8(), new Int16(), id, false);
const stringMap = () =>
  new Map_<Utf8, Utf8>(
    new Field(
      "entries",
      new Struct<{ key: Utf8; value: Utf8 }>([
        new Field("key", new Utf8(), false),
        new Field("value", new Utf8(), true),
      ]),
      false,
    ),
    false,
  );

function schemaMetadata(meta: TableMetadata): Map<string, string> {
  return new Map([
    ["MINKNOW:file_identifier", meta.fileIdentifier],
    ["MINKNOW:software", meta.software],
    ["MINKNOW:pod5_version", meta.pod5Version],
  ]);
}

/**
 * The signal table: read_id, signal (VBZ bytes or raw int16 list), samples.
 *
 * @param compression How the signal is stored.
 * @param meta Schema metadata.
 * @returns The schema.
 */
export function signalTableSchema(compression: SignalCompression, meta: TableMetadata): Schema {
  const signal = compression === "vbz"
    ? column("signal", new LargeBinary(), extension("minknow.vbz"))
    : column("signal", new LargeList(new Field("item", new Int16(), true)));
  return new Schema([
    column("read_id", new FixedSizeBinary(16), extension("minknow.uuid")),
    signal,
    column("samples", new Uint32()),
  ], schemaMetadata(meta));
}

/**
 * The run_info table, one row per acquisition.
 *
 * @param meta Schema metadata.
 * @returns The schema.
 */
export function runInfoTableSchema(meta: TableMetadata): Schema {
  const ms = () => new TimestampMillisecond("UTC");
  return new Schema([
    column("acquisition_id", new Utf8()),
    column("acquisition_start_time", ms()),
    column("adc_max", new Int16()),
    column("adc_min", new Int16()),
    column("context_tags", stringMap()),
    column("experiment_name", new Utf8()),
    column("flow_cell_id", new Utf8()),
    column("flow_cell_product_code", new Utf8()),
    column("protocol_name", new Utf8()),
    column("protocol_run_id", new Utf8()),
    column("protocol_start_time", ms()),
    column("sample_id", new Utf8()),
    column("sample_rate", new Uint16()),
    column("sequencing_kit", new Utf8()),
    column("sequencer_position", new Utf8()),
    column("sequencer_position_type", new Utf8()),
    column("software", new Utf8()),
    column("system_name", new Utf8()),
    column("system_type", new Utf8()),
    column("tracking_id", stringMap()),
  ], schemaMetadata(meta));
}

/**
 * The reads table, v4 layout (22 columns).
 *
 * @param meta Schema metadata.
 * @returns The schema.
 */
export function readsTableSchema(meta: TableMetadata): Schema {
  return new Schema([
    column("read_id", new FixedSizeBinary(16), extension("minknow.uuid")),
    column("signal", new List(new Field("item", new Uint64(), true))),
    column("read_number", new Uint32()),
    column("start", new Uint64()),
    column("median_before", new Float32()),
    column("num_minknow_events", new Uint64()),
    column("tracked_scaling_scale", new Float32()),
    column("tracked_scaling_shift", new Float32()),
    column("predicted_scaling_scale", new Float32()),
    column("predicted_scaling_shift", new Float32()),
    column("num_reads_since_mux_change", new Uint32()),
    column("time_since_mux_change", new Float32()),
    column("num_samples", new Uint64()),
    column("channel", new Uint16()),
    column("well", new Uint8()),
    column("pore_type", utf8Dictionary(DICTIONARY_IDS.poreType)),
    column("calibration_offset", new Float32()),
    column("calibration_scale", new Float32()),
    column("end_reason", utf8Dictionary(DICTIONARY_IDS.endReason)),
    column("end_reason_forced", new Bool()),
    column("run_info", utf8Dictionary(DICTIONARY_IDS.runInfo)),
    column("open_pore_level", new Float32()),
  ], schemaMetadata(meta));
}
