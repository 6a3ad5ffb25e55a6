/**
 * `real.pod5`: the reads a validation runs on, with all their metadata and
 * runs, cut per trim mode (`full`: every sample; `drop`: whole windows only,
 * reads shorter than one removed; `pad`: up to a multiple of the window by
 * repeating the last sample, as the seed's validation did).
 *
 * @module
 */
import { Pod5Reader } from "../pod5/reader.ts";
import { parseReadIdList } from "../pod5/subset.ts";
import type { RunInfo } from "../pod5/types.ts";
import { Pod5Writer } from "../pod5/writer.ts";
import { InputError } from "../runtime/errors.ts";
import type { TrimMode } from "./validate_config.ts";

/** Options of {@linkcode writeRealPod5}. */
export interface SelectReadsOptions {
  /** Samples per model window (for `drop` and `pad`). */
  readonly windowSamples: number;
  /** The trim mode. */
  readonly trimMode: TrimMode;
  /** The model's sample rate; reads at another are skipped (with a warning). */
  readonly sampleRateHz: number;
  /** Sample-rate tolerance in Hz. */
  readonly toleranceHz: number;
  /** Keep the first N selected reads. */
  readonly reads?: number | null;
  /** A file of read ids to keep. */
  readonly readIdsFile?: string | null;
  /** Receives warnings. */
  readonly onWarning?: (message: string) => void;
}

/** What {@linkcode writeRealPod5} kept. */
export interface SelectedReads {
  /** Reads written. */
  readonly reads: number;
  /** Reads in the inputs that were looked at. */
  readonly readsSeen: number;
  /** Reads dropped by the trim mode (shorter than a window, `drop`). */
  readonly droppedShort: number;
  /** Reads skipped for their sample rate. */
  readonly skippedRate: number;
  /** Samples written. */
  readonly numSamples: number;
}

/**
 * Write the selected, trimmed reads of `inputs` to `output`.
 *
 * @param inputs POD5 files, in order.
 * @param output The `real.pod5` to create (replaced if present).
 * @param options Window, trim mode, selection.
 * @returns Counts.
 * @throws {InputError} When listed read ids are not in the inputs, or nothing is left.
 */
export async function writeRealPod5(
  inputs: readonly string[],
  output: string,
  options: SelectReadsOptions,
): Promise<SelectedReads> {
  const wanted = options.readIdsFile === undefined || options.readIdsFile === null
    ? undefined
    : new Set(parseReadIdList(await Deno.readTextFile(options.readIdsFile), options.readIdsFile));
  const limit = options.reads ?? Infinity;
  const w = options.windowSamples;
  const found = new Set<string>();
  const runs = new Map<string, RunInfo>();
  let reads = 0, readsSeen = 0, droppedShort = 0, skippedRate = 0, numSamples = 0;
  await using writer = await Pod5Writer.create(output, { overwrite: true });
  outer: for (const input of inputs) {
    await using reader = await Pod5Reader.open(input);
    for await (const read of reader.reads()) {
      if (reads >= limit) break outer;
      if (wanted !== undefined && !wanted.has(read.readId)) continue;
      readsSeen++;
      found.add(read.readId);
      if (Math.abs(read.sampleRateHz - options.sampleRateHz) > options.toleranceHz) {
        options.onWarning?.(
          `${input}: read ${read.readId} has a sample rate of ${read.sampleRateHz} Hz, the model's is ` +
            `${options.sampleRateHz} Hz; skipped`,
        );
        skippedRate++;
        continue;
      }
      let adc = read.signal();
      if (options.trimMode === "drop") {
        const keep = Math.floor(adc.length / w) * w;
        if (keep === 0) {
          droppedShort++;
          continue;
        }
        adc = adc.subarray(0, keep);
      } else if (options.trimMode === "pad" && adc.length > 0) {
        const padded = new Int16Array(Math.max(w, Math.ceil(adc.length / w) * w));
        padded.set(adc);
        padded.fill(adc[adc.length - 1]!, adc.length);
        adc = padded;
      }
      if (!runs.has(read.acquisitionId)) {
        runs.set(read.acquisitionId, read.runInfo);
        await writer.addRunInfo(read.runInfo);
      }
      const signal = adc;
      await writer.addRead({ ...read, numSamples: signal.length, signal: () => signal });
      reads++;
      numSamples += signal.length;
    }
  }
  if (wanted !== undefined) {
    const missing = [...wanted].filter((id) => !found.has(id));
    if (missing.length > 0 && reads < limit) {
      throw new InputError(
        `Cannot select reads: ${missing.length} listed read id(s) are in none of the inputs, ` +
          `e.g. ${missing[0]}`,
        { path: options.readIdsFile ?? undefined },
      );
    }
  }
  if (reads === 0) {
    throw new InputError(
      `Cannot validate: no read is left to validate (${readsSeen} looked at, ` +
        `${skippedRate} at another sample rate, ${droppedShort} shorter than a window with trim mode ${options.trimMode})`,
      { path: inputs[0] },
    );
  }
  await writer.close();
  return { reads, readsSeen, droppedShort, skippedRate, numSamples };
}
