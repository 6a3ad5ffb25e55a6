/**
 * FAST5 fixtures and their independent reader: h5py (Debian's python3-h5py),
 * run on `_h5py_truth.py`.
 */
import { fromFileUrl, join } from "@std/path";
import { assert } from "../_assert.ts";
import { findFiles } from "../../lib/runtime/find_files.ts";

/** Folder of the bundled FAST5 fixtures. */
export const FAST5_DIR: string = fromFileUrl(new URL("../fixtures/fast5/", import.meta.url));
/** The four bundled single-read R9.4 E. coli FAST5 files (gzip signal). */
export const R94_DIR: string = join(FAST5_DIR, "r94_ecoli");
/** The bundled multi-read FAST5 file (gzip signal, 10 R9.4.1 reads). */
export const MULTI_READ: string = join(FAST5_DIR, "multi_fast5_zip.fast5");
/** The E. coli K-12 genome, bases 500,001–750,000 (where the bundled reads map). */
export const ECOLI_SLICE: string = fromFileUrl(
  new URL("../fixtures/reference/ecoli_k12_mg1655_500001-750000.fna.gz", import.meta.url),
);

/** The 80 single-read R9.4 E. coli FAST5 files of the project's shared fixtures, copied unmodified. */
export const R94_ALL_DIR: string = fromFileUrl(new URL("../fixtures/r94_ecoli/fast5/", import.meta.url));

/** Every shared FAST5 file (bundled): the 80 single-read R9.4 files, then the multi-read one. */
export async function sharedFast5Files(): Promise<string[]> {
  const files = [...await findFiles(R94_ALL_DIR, ".fast5"), MULTI_READ];
  assert(files.length === 81, `expected 80 single-read FAST5 files and the multi-read one, found ${files.length}`);
  return files;
}

/** The bundled single-read FAST5 files, sorted. */
export async function r94Files(): Promise<string[]> {
  return await findFiles(R94_DIR, ".fast5");
}

/** What h5py reads for one read (the conversion's expected values; names as `inspect --jsonl`). */
export interface H5pyRead {
  read_id: string;
  num_samples: number;
  sample_rate: number;
  calibration_offset: number;
  calibration_scale: number;
  channel: number;
  well: number;
  read_number: number;
  start_sample: number;
  median_before: number | null;
  end_reason: string;
  acquisition_id: string;
  signal_sha256: string;
  /** range / digitisation in float64. */
  scale_f64: number;
  /** median_before in float64 (null when absent). */
  median_before_f64: number | null;
  pore_type: string;
}

/** What h5py reads for one run (the expected run_info). */
export interface H5pyRun {
  acquisition_id: string;
  acquisition_start_time_ms: number;
  adc_min: number;
  adc_max: number;
  context_tags: Record<string, string>;
  experiment_name: string;
  flow_cell_id: string;
  flow_cell_product_code: string;
  protocol_name: string;
  protocol_run_id: string;
  protocol_start_time_ms: number;
  sample_id: string;
  sample_rate: number;
  sequencing_kit: string;
  sequencer_position: string;
  sequencer_position_type: string;
  system_name: string;
  system_type: string;
  tracking_id: Record<string, string>;
}

/** h5py's reading of a set of FAST5 files. */
export interface H5pyTruth {
  reads: H5pyRead[];
  runs: Record<string, H5pyRun>;
}

const SCRIPT = fromFileUrl(new URL("./_h5py_truth.py", import.meta.url));

/** A python3 that imports h5py: the first on PATH, else Debian's. */
async function pythonWithH5py(): Promise<string> {
  for (const python of ["python3", "/usr/bin/python3"]) {
    try {
      const out = await new Deno.Command(python, { args: ["-c", "import h5py"], stderr: "null" }).output();
      if (out.success) return python;
    } catch {
      // Not installed there: try the next.
    }
  }
  throw new Error("python3 with h5py is needed to check FAST5 conversion (apt-get install python3-h5py)");
}

/** Run python3 (one that has h5py) with `args`; returns its stdout. */
export async function runPython(args: readonly string[]): Promise<string> {
  const out = await new Deno.Command(await pythonWithH5py(), { args: [...args], stderr: "piped" }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

/** Run `python3 _h5py_truth.py FILES...` and parse its JSON. */
export async function h5pyTruth(files: readonly string[]): Promise<H5pyTruth> {
  return JSON.parse(await runPython([SCRIPT, ...files]));
}
