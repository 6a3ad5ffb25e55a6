/** Paths and truth data of the bundled fixtures (tests/fixtures/README.md). */
import { fromFileUrl } from "@std/path";
import { createHash } from "node:crypto";

/** Directory of the bundled POD5 fixtures. */
export const POD5_DIR: string = fromFileUrl(new URL("../fixtures/pod5/", import.meta.url));

/** Path of a bundled POD5 fixture. */
export function fixture(name: string): string {
  return `${POD5_DIR}${name}`;
}

/** The 5 kHz Dorado fixture (synthetic metadata). */
export const DORADO_5KHZ = "dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5";

/** Every readable POD5 fixture. */
export const READABLE_FIXTURES: readonly string[] = ["z1.pod5", "b1.pod5", "can_reads.pod5", DORADO_5KHZ];

/** One read of a truth file (tests/fixtures/truth/*.json). */
export interface TruthRead {
  read_id: string;
  acquisition_id: string;
  len_raw_signal: number;
  digitisation: number;
  offset: number;
  range: number;
  sampling_rate: number;
  calibration_scale_f32: number;
  channel: number;
  start_mux: number;
  read_number: number;
  start_time: number;
  median_before: number | null;
  end_reason: { index: number; label: string };
  other_aux: Record<string, number | null>;
  signal: { sha256_int16le: string; sum: number; min: number; max: number; first8: number[]; last8: number[] };
}

/** A truth file. */
export interface Truth {
  n_reads: number;
  total_samples: number;
  run_infos: Record<string, Record<string, string>>;
  reads: TruthRead[];
}

/** Load `truth/<name>.json`. */
export async function loadTruth(name: string): Promise<Truth> {
  const url = new URL(`../fixtures/truth/${name}.json`, import.meta.url);
  return JSON.parse(await Deno.readTextFile(url)) as Truth;
}

/** SHA-256 hex of the little-endian bytes of `samples`. */
export function sha256Int16(samples: Int16Array): string {
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  return createHash("sha256").update(bytes).digest("hex");
}
