/**
 * Planning one file from its metadata alone (no signal decoded): which reads
 * give training windows and how many. A loader describes the file
 * ({@linkcode describeFile}, where the reader is open anyway); the dataset
 * plans from the description ({@linkcode planFile}): the read filter, the
 * sample-rate gate, the calibration check and the short-read rule live here.
 *
 * @module
 */
import { Pod5Error } from "../pod5/errors.ts";
import type { Pod5Reader } from "../pod5/reader.ts";
import type { RunInfo } from "../pod5/types.ts";
import { countTrainingWindows } from "../signal/windows.ts";
import type { ReaderCache } from "./_reader_cache.ts";
import type { DatasetWarning, ReadFilter, TailSplit } from "./types.ts";

/** What planning needs to know about a read. */
export interface ReadSummary {
  readonly readId: string;
  readonly numSamples: number;
  /** The sample rate of the read's run (NaN when the run is missing). */
  readonly sampleRateHz: number;
  /** Whether the calibration is finite with a non-zero scale. */
  readonly calibrationUsable: boolean;
}

/** A file's reads in file order, or why it cannot be read. Structured-cloneable. */
export type FileSummary =
  | { readonly path: string; readonly ok: true; readonly reads: readonly ReadSummary[] }
  | { readonly path: string; readonly ok: false; readonly reason: string };

/** A read that gives at least one window. */
export interface ReadPlan {
  /** Index of the read in its file. */
  readonly readIndex: number;
  /** The read's id. */
  readonly readId: string;
  /** First training window used (0 unless a tail split holds the start out). */
  readonly firstWindow: number;
  /** Training windows used from `firstWindow` on (≥ 1); at most `floor(numSamples / windowSamples)`. */
  readonly numWindows: number;
}

/** The eligible reads of one file, in file order. */
export interface FilePlan {
  /** Index into the dataset's file list. */
  readonly fileIndex: number;
  /** The file. */
  readonly path: string;
  /** The eligible reads. */
  readonly reads: readonly ReadPlan[];
}

/** What {@linkcode planFile} needs to decide. */
export interface PlanOptions {
  /** Samples per window. */
  readonly windowSamples: number;
  /** The configured sample rate; reads off by more than {@linkcode sampleRateToleranceHz} are skipped. */
  readonly sampleRateHz: number;
  /** Keeps only the reads it accepts. */
  readonly readFilter: ReadFilter | undefined;
  /** Keeps only the head or the tail of each read's windows. */
  readonly tailSplit?: TailSplit | undefined;
  /** Receives the file's warnings. */
  readonly warn: (warning: DatasetWarning) => void;
}

/**
 * The seed's sample-rate tolerance: max(1 Hz, 0.1 % of the configured rate).
 *
 * @param sampleRateHz The configured rate.
 * @returns The largest accepted difference, in Hz.
 */
export function sampleRateToleranceHz(sampleRateHz: number): number {
  return Math.max(1, sampleRateHz * 0.001);
}

/**
 * Describe a file from its reads table; never throws (an unreadable file
 * gives `ok: false` and the reason).
 *
 * @param path The POD5 file.
 * @param readers Open readers to reuse.
 * @returns The summary.
 */
export async function describeFile(path: string, readers: ReaderCache): Promise<FileSummary> {
  try {
    return await readers.use(path, (reader) => Promise.resolve(summarise(path, reader)));
  } catch (error) {
    return { path, ok: false, reason: reasonOf(error, path) };
  }
}

function summarise(path: string, reader: Pod5Reader): FileSummary {
  const runs = new Map<string, RunInfo>(reader.runInfos.map((run) => [run.acquisitionId, run]));
  const reads = reader.readMetadata().map((read): ReadSummary => {
    const { offsetAdc, scalePaPerAdc } = read.calibration;
    return {
      readId: read.readId,
      numSamples: read.numSamples,
      sampleRateHz: runs.get(read.acquisitionId)?.sampleRateHz ?? NaN,
      calibrationUsable: Number.isFinite(scalePaPerAdc) && scalePaPerAdc !== 0 && Number.isFinite(offsetAdc),
    };
  });
  return { path, ok: true, reads };
}

/**
 * Plan a file from its description. An unreadable file is warned about and
 * gives `undefined`; skipped reads give one warning per reason.
 *
 * @param summary The file's description.
 * @param fileIndex Its index in the dataset's file list.
 * @param options Window, rate, filter and warning sink.
 * @returns The plan, or undefined when the file is unreadable.
 */
export function planFile(summary: FileSummary, fileIndex: number, options: PlanOptions): FilePlan | undefined {
  const path = summary.path;
  if (!summary.ok) {
    options.warn({ path, message: `skipped file: ${summary.reason}` });
    return undefined;
  }
  const tolerance = sampleRateToleranceHz(options.sampleRateHz);
  const wrongRates = new Set<number>();
  let wrongRateReads = 0;
  let badCalibrationReads = 0;
  const readCount = summary.reads.length;
  const reads: ReadPlan[] = [];
  for (let readIndex = 0; readIndex < readCount; readIndex++) {
    const read = summary.reads[readIndex]!;
    const info = { readId: read.readId, fileIndex, path, readIndex, numSamples: read.numSamples };
    if (options.readFilter !== undefined && !options.readFilter(info)) continue;
    if (!(Math.abs(read.sampleRateHz - options.sampleRateHz) <= tolerance)) {
      wrongRates.add(read.sampleRateHz);
      wrongRateReads++;
      continue;
    }
    if (!read.calibrationUsable) {
      badCalibrationReads++;
      continue;
    }
    const range = windowRange(countTrainingWindows(read.numSamples, options.windowSamples), options.tailSplit);
    if (range.numWindows > 0) reads.push({ readIndex, readId: read.readId, ...range });
  }
  if (wrongRateReads > 0) {
    const rates = [...wrongRates].map((rate) => `${rate} Hz`).join(", ");
    const what = wrongRateReads === readCount ? "file" : `${wrongRateReads} of ${readCount} reads`;
    options.warn({
      path,
      message: `skipped ${what}: sample rate ${rates} differs from the configured ${options.sampleRateHz} Hz ` +
        `(tolerance ${tolerance} Hz)`,
    });
  }
  if (badCalibrationReads > 0) {
    options.warn({
      path,
      message: `skipped ${badCalibrationReads} of ${readCount} reads: calibration scale missing, zero or not finite`,
    });
  }
  return { fileIndex, path, reads };
}

/**
 * The windows of a read of `total` training windows that a tail split keeps.
 *
 * @param total The read's training windows.
 * @param split The split, if any.
 * @returns The first window and the count.
 */
export function windowRange(
  total: number,
  split: TailSplit | undefined,
): { readonly firstWindow: number; readonly numWindows: number } {
  if (split === undefined) return { firstWindow: 0, numWindows: total };
  const held = total < 2 ? 0 : Math.max(1, Math.ceil(split.fraction * total - 1e-9));
  return split.part === "train"
    ? { firstWindow: 0, numWindows: total - held }
    : { firstWindow: total - held, numWindows: held };
}

/**
 * The message of an error without the `PATH: ` prefix that POD5 errors carry
 * (the warning names the file already).
 *
 * @param error Anything thrown.
 * @param path The file.
 * @returns The reason.
 */
export function reasonOf(error: unknown, path: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const prefix = `${path}: `;
  return error instanceof Pod5Error && message.startsWith(prefix) ? message.slice(prefix.length) : message;
}
