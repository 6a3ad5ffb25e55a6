/**
 * `convertFast5ToPod5()`: FAST5 files (single- or multi-read, plain or gzip
 * signal) into one POD5 file, as ONT's `pod5 convert fast5` does.
 *
 * @module
 */
import { resolve } from "@std/path";
import type { RunInfo } from "../pod5/types.ts";
import { Pod5Writer, type Pod5WriterOptions } from "../pod5/writer.ts";
import { InputError } from "../runtime/errors.ts";
import { findFiles } from "../runtime/find_files.ts";
import { Fast5Error } from "./errors.ts";
import { readFast5 } from "./read_fast5.ts";

/** Options of {@linkcode convertFast5ToPod5}. */
export interface ConvertFast5Options {
  /** Replace an existing output file. Default false. */
  readonly overwrite?: boolean;
  /** Other writer options (`signalCompression`, ...); default VBZ signal. */
  readonly writer?: Omit<Pod5WriterOptions, "overwrite">;
  /** Called after each FAST5 file, with its path and the reads it held. */
  readonly onFile?: (path: string, reads: number) => void;
}

/** What {@linkcode convertFast5ToPod5} wrote. */
export interface ConvertFast5Result {
  /** FAST5 files read, in the order read. */
  readonly files: readonly string[];
  /** Reads written. */
  readonly readCount: number;
  /** Runs (run_info rows) written. */
  readonly runCount: number;
  /** Samples written, over all reads. */
  readonly numSamples: number;
}

/**
 * Convert FAST5 files into the POD5 file `output`. Each input is a FAST5 file
 * or a folder, searched recursively for `*.fast5` (in code-point order).
 * Reads keep their order; a run's info comes from the first read of it that
 * is met. `output` appears only when every read is written.
 *
 * @example Four single-read files into one POD5
 * ```ts
 * import { convertFast5ToPod5 } from "./convert_fast5.ts";
 * import { Pod5Reader } from "../pod5/reader.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const result = await convertFast5ToPod5(["tests/fixtures/fast5/r94_ecoli"], `${dir}/reads.pod5`);
 * await using reader = await Pod5Reader.open(`${dir}/reads.pod5`);
 * if (result.readCount !== 4 || reader.readCount !== 4 || reader.runInfos.length !== 1) throw new Error("not 4 reads");
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param inputs FAST5 files and folders.
 * @param output The POD5 file to create.
 * @param options Overwrite, writer options, progress.
 * @returns What was written.
 * @throws {InputError} When no FAST5 file is found, or `output` is one of the inputs.
 * @throws {Fast5Error} When a FAST5 file cannot be read (the output is not created).
 * @throws {Pod5Error} When `output` exists (without `overwrite`) or cannot be written.
 */
export async function convertFast5ToPod5(
  inputs: readonly string[],
  output: string,
  options: ConvertFast5Options = {},
): Promise<ConvertFast5Result> {
  const files = await fast5Files(inputs);
  if (files.some((file) => resolve(file) === resolve(output))) {
    throw new InputError("Cannot convert: the output is one of the inputs", { path: output });
  }
  await using writer = await Pod5Writer.create(output, { ...options.writer, overwrite: options.overwrite ?? false });
  const runs = new Map<string, RunInfo>();
  let numSamples = 0;
  for (const file of files) {
    let reads = 0;
    for await (const read of readFast5(file)) {
      const known = runs.get(read.acquisitionId);
      if (known === undefined) {
        await writer.addRunInfo(read.runInfo);
        runs.set(read.acquisitionId, read.runInfo);
      } else if (known.sampleRateHz !== read.runInfo.sampleRateHz || known.adcMin !== read.runInfo.adcMin) {
        throw new Fast5Error(
          file,
          `Cannot convert: ${read.group} is of run ${read.acquisitionId}, met before at another sample rate or ADC range`,
        );
      }
      try {
        await writer.addRead(read);
      } catch (error) {
        if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
        throw new Fast5Error(file, `Cannot convert ${read.group}: ${error.message}`, { cause: error });
      }
      reads++;
      numSamples += read.numSamples;
    }
    options.onFile?.(file, reads);
  }
  await writer.close();
  return { files, readCount: writer.readCount, runCount: runs.size, numSamples };
}

/** The FAST5 files named by `inputs`: files as given, folders searched. */
async function fast5Files(inputs: readonly string[]): Promise<string[]> {
  if (inputs.length === 0) throw new InputError("Cannot convert: no FAST5 file or folder given");
  const files: string[] = [];
  for (const input of inputs) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(input);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) throw new Fast5Error(input, "Cannot convert: no such file or folder");
      throw error;
    }
    if (!info.isDirectory) {
      files.push(input);
      continue;
    }
    const found = await findFiles(input, ".fast5");
    if (found.length === 0) {
      throw new InputError("Cannot convert: no .fast5 files in this folder", { path: input });
    }
    files.push(...found);
  }
  return files;
}
