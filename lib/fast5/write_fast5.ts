/**
 * `writeSingleReadFast5()`: one read as a single-read FAST5 file in the
 * layout scrappie (and other R9-era tools) read: `/Raw/Reads/Read_<n>/Signal`
 * with the read's attributes, and `/UniqueGlobalKey/{channel_id,
 * context_tags,tracking_id}` for calibration and the run. Written by the
 * HDF5 library (h5wasm), through a temporary name.
 *
 * @module
 */
import type { File as H5File, Group } from "h5wasm";
import type { ReadMetadata, RunInfo } from "../pod5/types.ts";
import { writeHdf5 } from "./_h5wasm.ts";
import { Fast5Error } from "./errors.ts";

/** The read to write: POD5 read metadata and its signal. */
export interface Fast5ReadToWrite extends ReadMetadata {
  /** The int16 ADC samples. */
  signal(): Int16Array;
}

/** Options of {@linkcode writeSingleReadFast5}. */
export interface WriteFast5Options {
  /** Replace an existing file. Default false. */
  readonly overwrite?: boolean;
}

/** `file_version` written at the root (the single-read layout of MinKNOW 1.x and ont_fast5_api). */
export const SINGLE_READ_FILE_VERSION = "1.0";
/** HDF5 datatypes (h5wasm dtype strings): little-endian u8, u32, u64, f64 and i16. */
const U8 = "<B", U32 = "<I", U64 = "<Q", F64 = "<d", I16 = "<h";

/**
 * Write `read` of `runInfo` as the single-read FAST5 `path`. The calibration
 * becomes `channel_id` `offset`, `digitisation` = the run's ADC range
 * (`adc_max − adc_min + 1`, or 1 when that is not positive) and `range` =
 * scale × digitisation, so `(raw + offset) × range / digitisation` is the
 * read's pA.
 *
 * @example Write one read and read it back
 * ```ts
 * import { readFast5 } from "./read_fast5.ts";
 * import { writeSingleReadFast5 } from "./write_fast5.ts";
 *
 * const source = "tests/fixtures/fast5/r94_ecoli/odw_genlab4209_20161213_FN_MN16303_sequencing_run_sample_id_32395_ch485_read77_strand.fast5";
 * const dir = await Deno.makeTempDir();
 * for await (const read of readFast5(source)) await writeSingleReadFast5(`${dir}/copy.fast5`, read, read.runInfo);
 * for await (const copy of readFast5(`${dir}/copy.fast5`)) {
 *   if (copy.readId !== "c75c8f96-eb4b-4465-9d43-024209a6a35a" || copy.numSamples !== 10_775) throw new Error("changed");
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param path The file to create.
 * @param read The read.
 * @param runInfo Its run (tracking_id, context_tags, ADC range, sample rate).
 * @param options Whether an existing file may be replaced.
 * @throws {Fast5Error} When the file exists (without `overwrite`) or cannot be written.
 * @throws {RangeError} When the signal's length differs from `numSamples`.
 */
export async function writeSingleReadFast5(
  path: string,
  read: Fast5ReadToWrite,
  runInfo: RunInfo,
  options: WriteFast5Options = {},
): Promise<void> {
  const signal = read.signal();
  if (signal.length !== read.numSamples) {
    throw new RangeError(
      `Cannot write FAST5: read ${read.readId} has ${signal.length} samples, numSamples is ${read.numSamples}`,
    );
  }
  if (read.acquisitionId !== runInfo.acquisitionId) {
    throw new Fast5Error(path, `Cannot write FAST5: read ${read.readId} is not of run ${runInfo.acquisitionId}`);
  }
  const adcRange = runInfo.adcMax - runInfo.adcMin + 1;
  const digitisation = adcRange > 0 ? adcRange : 1;
  await writeHdf5(path, (file) => build(file, read, signal, { runInfo, digitisation }), options);
}

function build(
  file: H5File,
  read: Fast5ReadToWrite,
  signal: Int16Array,
  settings: { runInfo: RunInfo; digitisation: number },
): void {
  const { runInfo, digitisation } = settings;
  file.create_attribute("file_version", SINGLE_READ_FILE_VERSION);
  const raw = file.create_group("Raw").create_group("Reads").create_group(`Read_${read.readNumber}`);
  raw.create_attribute("read_id", read.readId);
  raw.create_attribute("read_number", Uint32Array.of(read.readNumber), [], U32);
  raw.create_attribute("start_time", BigUint64Array.of(BigInt(read.startSample)), [], U64);
  raw.create_attribute("duration", Uint32Array.of(read.numSamples), [], U32);
  raw.create_attribute("start_mux", Uint8Array.of(read.well), [], U8);
  raw.create_attribute("median_before", Float64Array.of(read.medianBeforePa), [], F64);
  raw.create_dataset({ name: "Signal", data: signal, shape: [signal.length], dtype: I16 });
  const global = file.create_group("UniqueGlobalKey");
  const channel = global.create_group("channel_id");
  channel.create_attribute("channel_number", String(read.channel));
  channel.create_attribute("digitisation", Float64Array.of(digitisation), [], F64);
  channel.create_attribute("offset", Float64Array.of(read.calibration.offsetAdc), [], F64);
  channel.create_attribute("range", Float64Array.of(read.calibration.scalePaPerAdc * digitisation), [], F64);
  channel.create_attribute("sampling_rate", Float64Array.of(runInfo.sampleRateHz), [], F64);
  writeText(global.create_group("context_tags"), runInfo.contextTags);
  writeText(global.create_group("tracking_id"), { run_id: runInfo.acquisitionId, ...runInfo.trackingId });
}

function writeText(group: Group, values: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(values)) group.create_attribute(name, value);
}
