/**
 * A human summary of a POD5 file: reads, samples, duration, rates, runs,
 * compression and version. Built from metadata only (no signal decoding).
 *
 * @module
 */
import type { Pod5Reader } from "./reader.ts";
import type { SignalCompression } from "./types.ts";

/** One run (acquisition) as the summary shows it. */
export interface RunSummary {
  /** The run id. */
  readonly acquisitionId: string;
  /** Experiment name. */
  readonly experimentName: string;
  /** Flow cell id. */
  readonly flowCellId: string;
  /** Flow cell product code. */
  readonly flowCellProductCode: string;
  /** Sequencing kit. */
  readonly sequencingKit: string;
  /** Samples per second. */
  readonly sampleRateHz: number;
  /** Reads of this run in the file. */
  readonly readCount: number;
  /** Samples of those reads. */
  readonly numSamples: number;
}

/** What {@linkcode summarisePod5} reports. */
export interface Pod5Summary {
  /** The file. */
  readonly path: string;
  /** File size. */
  readonly sizeBytes: number;
  /** Footer version "X.Y.Z". */
  readonly pod5Version: string;
  /** Writing software. */
  readonly software: string;
  /** File UUID. */
  readonly fileIdentifier: string;
  /** How the signal is stored. */
  readonly signalCompression: SignalCompression;
  /** Reads in the file. */
  readonly readCount: number;
  /** Samples over all reads. */
  readonly numSamples: number;
  /** Σ numSamples / sampleRateHz over reads. */
  readonly durationSec: number;
  /** Distinct sample rates of the runs, ascending. */
  readonly sampleRatesHz: readonly number[];
  /** Samples of the shortest read (0 without reads). */
  readonly shortestReadSamples: number;
  /** Samples of the longest read. */
  readonly longestReadSamples: number;
  /** Signal table bytes × 8 / samples. */
  readonly signalBitsPerSample: number;
  /** The runs, in run_info order. */
  readonly runs: readonly RunSummary[];
}

/**
 * Summarise an open file from its metadata.
 *
 * @param reader An open reader.
 * @returns The summary.
 *
 * @example
 * ```ts
 * import { Pod5Reader } from "./reader.ts";
 * import { formatPod5Summary, summarisePod5 } from "./pod5_summary.ts";
 *
 * await using pod5 = await Pod5Reader.open("tests/fixtures/pod5/z1.pod5");
 * const summary = summarisePod5(pod5);
 * if (summary.numSamples !== 2_319_616 || summary.sampleRatesHz.join() !== "5000") throw new Error("wrong");
 * if (!formatPod5Summary(summary).includes("463.9 s")) throw new Error("wrong duration");
 * ```
 */
export function summarisePod5(reader: Pod5Reader): Pod5Summary {
  const runs = new Map(reader.runInfos.map((run) => [run.acquisitionId, { run, readCount: 0, numSamples: 0 }]));
  let numSamples = 0, durationSec = 0, shortest = Infinity, longest = 0;
  for (const read of reader.readMetadata()) {
    numSamples += read.numSamples;
    shortest = Math.min(shortest, read.numSamples);
    longest = Math.max(longest, read.numSamples);
    const entry = runs.get(read.acquisitionId);
    if (entry !== undefined) {
      entry.readCount++;
      entry.numSamples += read.numSamples;
      durationSec += read.numSamples / entry.run.sampleRateHz;
    }
  }
  const info = reader.info;
  return {
    path: reader.path,
    sizeBytes: info.sizeBytes,
    pod5Version: info.pod5Version,
    software: info.software,
    fileIdentifier: info.fileIdentifier,
    signalCompression: info.signalCompression,
    readCount: reader.readCount,
    numSamples,
    durationSec,
    sampleRatesHz: [...new Set(reader.runInfos.map((run) => run.sampleRateHz))].sort((a, b) => a - b),
    shortestReadSamples: reader.readCount === 0 ? 0 : shortest,
    longestReadSamples: longest,
    signalBitsPerSample: numSamples === 0 ? 0 : (8 * info.signalTableBytes) / numSamples,
    runs: [...runs.values()].map(({ run, readCount, numSamples }) => ({
      acquisitionId: run.acquisitionId,
      experimentName: run.experimentName,
      flowCellId: run.flowCellId,
      flowCellProductCode: run.flowCellProductCode,
      sequencingKit: run.sequencingKit,
      sampleRateHz: run.sampleRateHz,
      readCount,
      numSamples,
    })),
  };
}

/**
 * Format a summary as aligned `key: value` lines.
 *
 * @param summary From {@linkcode summarisePod5}.
 * @returns Text without a trailing newline.
 */
export function formatPod5Summary(summary: Pod5Summary): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const lines: [string, string][] = [
    ["file", summary.path],
    ["size", `${n(summary.sizeBytes)} bytes`],
    ["version", `POD5 ${summary.pod5Version} (written by ${summary.software || "unknown software"})`],
    ["identifier", summary.fileIdentifier],
    ["reads", n(summary.readCount)],
    [
      "samples",
      `${n(summary.numSamples)} (reads of ${n(summary.shortestReadSamples)} to ${n(summary.longestReadSamples)})`,
    ],
    ["duration", `${summary.durationSec.toFixed(1)} s of signal`],
    ["sample rates", summary.sampleRatesHz.map((hz) => `${n(hz)} Hz`).join(", ") || "none"],
    ["compression", `${summary.signalCompression} (${summary.signalBitsPerSample.toFixed(2)} bits/sample)`],
  ];
  summary.runs.forEach((run, i) => {
    lines.push([
      `run ${i + 1}`,
      `${run.acquisitionId}: ${run.experimentName || "-"}, flow cell ${run.flowCellId || "-"} ` +
      `(${run.flowCellProductCode || "-"}), kit ${run.sequencingKit || "-"}, ${n(run.sampleRateHz)} Hz, ` +
      `${n(run.readCount)} reads`,
    ]);
  });
  const width = Math.max(...lines.map(([key]) => key.length));
  return lines.map(([key, value]) => `${`${key}:`.padEnd(width + 2)}${value}`).join("\n");
}
