/**
 * What `deno task train` prints: a line per event while training runs, and
 * the result when it ends (the library formats; the task prints).
 *
 * @module
 */
import { basename } from "@std/path";
import { formatEpochSummary } from "../data/format_epoch_summary.ts";
import type { Config } from "../runtime/config.ts";
import { formatDuration } from "../runtime/progress.ts";
import type { TrainEvent, TrainResult } from "./types.ts";
import { formatLogLine } from "./metrics_log.ts";

/**
 * The stdout lines of a finished run: checkpoint, logs, speed, and the
 * held-out SNR against its baseline.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatTrainResult } from "./format_train_result.ts";
 * const result = {
 *   steps: 12, stepsThisRun: 2, epoch: 0, checkpoint: "run/checkpoint_12", stopped: false, heldOut: undefined,
 *   logs: { trainLog: "run/train.log", metrics: "run/metrics.jsonl" }, seconds: 4, windowsPerSecond: 8,
 * };
 * assertEquals(formatTrainResult(result, { holdout_by: "read" }), [
 *   "checkpoint: run/checkpoint_12",
 *   "logs:       run/train.log, run/metrics.jsonl",
 *   "trained:    2 steps (to step 12) in 4s, 8.00 windows/s",
 * ]);
 * ```
 *
 * @param result What `trainModel` returned.
 * @param data The run's `data.holdout_by` (it says what the held-out windows are).
 * @returns The lines.
 */
export function formatTrainResult(result: TrainResult, data: Pick<Config["data"], "holdout_by">): string[] {
  const lines = [
    `checkpoint: ${result.checkpoint ?? "(none)"}`,
    `logs:       ${result.logs.trainLog}, ${result.logs.metrics}`,
    `trained:    ${result.stepsThisRun} steps (to step ${result.steps}) in ${formatDuration(result.seconds)}, ` +
    `${result.windowsPerSecond.toFixed(2)} windows/s`,
  ];
  if (result.heldOut !== undefined) {
    const { snrDb, baselineSnrDb, windows } = result.heldOut;
    // read_tail scores the tails of reads whose heads were trained on: say so (deno task validate scores unseen reads).
    const what = data.holdout_by === "read_tail"
      ? "windows, held-out tails of trained reads"
      : "windows of reads never trained on";
    lines.push(
      `held-out:   SNR ${snrDb.toFixed(2)} dB on ${windows} ${what}; per-read median ` +
        `baseline ${baselineSnrDb.toFixed(2)} dB (${(snrDb - baselineSnrDb).toFixed(2)} dB better)`,
    );
  }
  return lines;
}

/**
 * The stderr line of a training event; `undefined` for a step (a terminal
 * shows those as a progress bar).
 *
 * @param event The event.
 * @returns The line, without a newline.
 */
export function formatTrainEvent(event: TrainEvent): string | undefined {
  switch (event.kind) {
    case "start":
      return (event.runFolderNote === undefined ? "" : `${event.runFolderNote}\n`) +
        `data: ${event.windowsPerEpoch} training windows per epoch (${event.stepsPerEpoch} steps), ` +
        `${event.heldOutWindows} held out; training to step ${event.totalSteps} on ${event.workers} ` +
        `worker${event.workers === 1 ? "" : "s"}` +
        (event.resumedFrom === undefined ? "" : `, resumed from ${event.resumedFrom} at step ${event.startStep}`);
    case "warning":
      return `[warn] ${event.message}`;
    case "step":
      return undefined;
    case "log":
      return formatLogLine(event.record);
    case "checkpoint":
      return `saved ${event.path}`;
    case "pruned":
      return formatPruned(event);
    case "epoch":
      return formatEpochSummary(event.summary, { step: event.step });
  }
}

/**
 * The line about checkpoints that pruning removed: which, and where the
 * codecs of those with token files stay.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatPruned } from "./format_train_result.ts";
 * const removed = [
 *   { path: "run/checkpoint_250", step: 250, exportPath: null },
 *   { path: "run/checkpoint_450", step: 450, exportPath: "run/exports/codec_0123456789abcdef" },
 * ];
 * assertEquals(
 *   formatPruned({ kind: "pruned", step: 750, keepLast: 2, removed }),
 *   "pruned checkpoint_250, checkpoint_450 (keep_last 2); the codec of checkpoint_450 stays in " +
 *     "run/exports/codec_0123456789abcdef, for the token files made with it",
 * );
 * ```
 *
 * @param event The event.
 * @returns The line.
 */
export function formatPruned(event: Extract<TrainEvent, { kind: "pruned" }>): string {
  const names = event.removed.map((entry) => basename(entry.path));
  const kept = event.removed.filter((entry) => entry.exportPath !== null).map((entry) =>
    `; the codec of ${basename(entry.path)} stays in ${entry.exportPath}, for the token files made with it`
  );
  return `pruned ${names.join(", ")} (keep_last ${event.keepLast})${kept.join("")}`;
}
