/**
 * The token file's Arrow schema (SPEC §3.5): one row per read with every
 * reads-table field a POD5 file needs to rebuild the read (the ones
 * `subset` keeps), its normalisation stats, its code count and checksum,
 * and its codes; the header lives in the schema metadata as `simvqgan.*`
 * keys (JSON values where structured), so pyarrow needs no help to open it.
 *
 * @module
 */
import {
  Binary,
  Bool,
  type DataType,
  Field,
  Float32,
  Float64,
  List,
  Schema,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
} from "apache-arrow";
import type { CodesEncoding } from "./types.ts";

/** `simvqgan.format` of the files this version writes. */
export const TOKEN_FORMAT = "simvqgan-tokens/1";

/** Schema metadata keys. */
export const META = {
  format: "simvqgan.format",
  version: "simvqgan.version",
  codesEncoding: "simvqgan.codes_encoding",
  checkpoint: "simvqgan.checkpoint",
  model: "simvqgan.model_config",
  windowSamples: "simvqgan.window_samples",
  hopSamples: "simvqgan.hop_samples",
  sampleRateHz: "simvqgan.sample_rate_hz",
  codebookSize: "simvqgan.codebook_size",
  normalisation: "simvqgan.normalization",
  tail: "simvqgan.tail",
  backend: "simvqgan.backend",
  runInfos: "simvqgan.run_infos",
  source: "simvqgan.source",
} as const;

/** The kind of value a column holds, which fixes its Arrow type. */
export type ColumnKind = "utf8" | "uint8" | "uint16" | "uint32" | "uint64" | "float32" | "float64" | "bool";

/** The metadata columns, in file order (the codes column follows). */
export const READ_COLUMNS = [
  ["read_id", "utf8"],
  ["read_number", "uint32"],
  ["start_sample", "uint64"],
  ["median_before", "float32"],
  ["num_minknow_events", "uint64"],
  ["tracked_scaling_scale", "float32"],
  ["tracked_scaling_shift", "float32"],
  ["predicted_scaling_scale", "float32"],
  ["predicted_scaling_shift", "float32"],
  ["num_reads_since_mux_change", "uint32"],
  ["time_since_mux_change", "float32"],
  ["num_samples", "uint64"],
  ["channel", "uint16"],
  ["well", "uint8"],
  ["pore_type", "utf8"],
  ["calibration_offset", "float32"],
  ["calibration_scale", "float32"],
  ["end_reason", "utf8"],
  ["end_reason_forced", "bool"],
  ["acquisition_id", "utf8"],
  ["open_pore_level", "float32"],
  ["norm_shift_pa", "float64"],
  ["norm_scale_pa", "float64"],
  ["num_codes", "uint32"],
  ["codes_crc32", "uint32"],
] as const satisfies readonly (readonly [string, ColumnKind])[];

/** A metadata column's name. */
export type ReadColumn = (typeof READ_COLUMNS)[number][0];

/** The codes column's name. */
export const CODES_COLUMN = "codes";

/**
 * The Arrow type of a column kind.
 *
 * @param kind The kind.
 * @returns A fresh type object.
 */
export function arrowType(kind: ColumnKind): DataType {
  switch (kind) {
    case "utf8":
      return new Utf8();
    case "uint8":
      return new Uint8();
    case "uint16":
      return new Uint16();
    case "uint32":
      return new Uint32();
    case "uint64":
      return new Uint64();
    case "float32":
      return new Float32();
    case "float64":
      return new Float64();
    case "bool":
      return new Bool();
  }
}

/**
 * The codes column's type: `list<uint16>` (plain) or `binary` (packed).
 *
 * @param encoding The codes encoding.
 * @returns The type.
 */
export function codesType(encoding: CodesEncoding): DataType {
  return encoding === "plain" ? new List(new Field("item", new Uint16(), false)) : new Binary();
}

/**
 * The whole schema.
 *
 * @param encoding The codes encoding.
 * @param metadata The header, as schema metadata.
 * @returns The schema.
 */
export function tokenFileSchema(encoding: CodesEncoding, metadata: ReadonlyMap<string, string>): Schema {
  return new Schema(
    [
      ...READ_COLUMNS.map(([name, kind]) => new Field(name, arrowType(kind), false)),
      new Field(CODES_COLUMN, codesType(encoding), false),
    ],
    new Map(metadata),
  );
}
