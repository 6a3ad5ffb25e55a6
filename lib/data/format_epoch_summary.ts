/**
 * The one line that reports an {@linkcode EpochSummary} (printed by the train
 * task and written to `train.log`).
 *
 * @module
 */
import type { EpochSummary } from "./types.ts";

/**
 * Format an epoch's summary: windows delivered and reads skipped.
 *
 * @example
 * ```ts
 * import { formatEpochSummary } from "./format_epoch_summary.ts";
 * const line = formatEpochSummary(
 *   { epoch: 0, complete: true, windows: 205, madZeroReads: 1, failedReads: 0 },
 *   { step: 51 },
 * );
 * if (line !== "epoch 0 done at step 51: 205 windows; reads skipped: 1 with MAD 0, 0 unreadable") throw new Error(line);
 * ```
 *
 * @param summary The summary (`DatasetBatch.epochEnd`).
 * @param options The optimizer step the epoch ended at.
 * @returns The line, without a newline.
 */
export function formatEpochSummary(summary: EpochSummary, options: { readonly step: number }): string {
  const part = summary.complete ? "" : " (the part after the resume)";
  return `epoch ${summary.epoch} done at step ${options.step}: ${summary.windows} windows${part}; reads skipped: ` +
    `${summary.madZeroReads} with MAD 0, ${summary.failedReads} unreadable`;
}
