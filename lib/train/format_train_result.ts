/**
 * What `deno task train` prints: a line per event while training runs, and
 * the result when it ends (the library formats; the task prints).
 *
 * @module
 */
import { basename, dirname } from "@std/path";
import { formatEpochSummary } from "../data/format_epoch_summary.ts";
import type { Config } from "../runtime/config.ts";
import { formatDuration } from "../runtime/progress.ts";
import type { TrainEvent, TrainResult } from "./types.ts";
import type { MetricsRecord } from "./metrics_log.ts";

/** Options of {@linkcode formatTrainResult}. */
export interface FormatTrainResultOptions {
  /** Paths under this folder are shown relative to it (the encode command's `--ckpt`). Default: absolute. */
  readonly cwd?: string;
}

/**
 * The stdout lines of a finished run: checkpoint, logs, speed, the
 * held-out SNR against its baseline, and how to encode with the run.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatTrainResult } from "./format_train_result.ts";
 * const result = {
 *   steps: 12, stepsThisRun: 2, epoch: 0, checkpoint: "/w/run/checkpoint_12", stopped: false,
 *   heldOut: undefined, logs: { trainLog: "/w/run/train.log", metrics: "/w/run/metrics.jsonl" }, seconds: 4,
 *   windowsPerSecond: 8,
 * };
 * assertEquals(formatTrainResult(result, { holdout_by: "read" }, { cwd: "/w" }), [
 *   "checkpoint: /w/run/checkpoint_12",
 *   "logs:       /w/run/train.log, /w/run/metrics.jsonl",
 *   "trained:    2 steps (to step 12) in 4s, 8.00 windows/s",
 *   "encode:     deno task encode IN.pod5 -o OUT.tokens --ckpt run",
 * ]);
 * ```
 *
 * @param result What `trainModel` returned.
 * @param data The run's `data.holdout_by` (it says what the held-out windows are).
 * @param options The folder the encode command runs in.
 * @returns The lines.
 */
export function formatTrainResult(
  result: TrainResult,
  data: Pick<Config["data"], "holdout_by">,
  options: FormatTrainResultOptions = {},
): string[] {
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
        `baseline ${baselineSnrDb.toFixed(2)} dB (${formatGainDb(snrDb - baselineSnrDb)})`,
    );
  }
  if (result.checkpoint !== undefined) {
    const run = dirname(result.checkpoint);
    const cwd = options.cwd;
    const shown = cwd !== undefined && run.startsWith(`${cwd}/`) ? run.slice(cwd.length + 1) : run;
    lines.push(`encode:     deno task encode IN.pod5 -o OUT.tokens --ckpt ${shown}`);
  }
  return lines;
}

/**
 * A gain in dB in words: "4.42 dB better", "0.01 dB worse".
 *
 * @example
 * ```ts
 * import { formatGainDb } from "./format_train_result.ts";
 * if (formatGainDb(-0.0149) !== "0.01 dB worse" || formatGainDb(4.42) !== "4.42 dB better") throw new Error();
 * ```
 *
 * @param gainDb The gain (negative: worse).
 * @returns The words.
 */
export function formatGainDb(gainDb: number): string {
  const text = Math.abs(gainDb).toFixed(2);
  return gainDb < 0 && text !== "0.00" ? `${text} dB worse` : `${text} dB better`;
}

/**
 * The console line of a logged step: `step N/TOTAL`, the ETA, the main
 * losses and code usage, the speed, and the held-out SNR at validation
 * steps (every value is in `metrics.jsonl`; `train.log` keeps the seed's
 * full lines).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatStepLine } from "./format_train_result.ts";
 * const record = {
 *   step: 100, epoch: 3, total_loss: 0.81234, reconstruct_loss: 0.7, commit_loss: 0.11234, disc_mask: 0,
 *   codebook_perplexity: 812.4, codebook_util: 0.4312, windows_per_s: 5.06, val_snr_db: 3.914,
 *   val_baseline_snr_db: -0.1, lr: 0.002,
 * };
 * assertEquals(
 *   formatStepLine(record, { totalSteps: 450, etaSeconds: 412 }),
 *   "step 100/450, ETA 6m52s: loss 0.8123 (reconstruct 0.7000, commit 0.1123), codes perplexity 812, 43% used, " +
 *     "5.06 windows/s; held-out SNR 3.91 dB (4.01 dB better than the baseline)",
 * );
 * ```
 *
 * @param record The logged record.
 * @param progress The last step and the ETA (null: not known yet).
 * @returns The line.
 */
export function formatStepLine(
  record: MetricsRecord,
  progress: { readonly totalSteps: number; readonly etaSeconds: number | null },
): string {
  const num = (key: string) => typeof record[key] === "number" ? record[key] as number : undefined;
  const fixed = (key: string) => num(key)?.toFixed(4) ?? "—";
  const eta = progress.etaSeconds === null ? "" : `, ETA ${formatDuration(progress.etaSeconds)}`;
  const parts = [`reconstruct ${fixed("reconstruct_loss")}`, `commit ${fixed("commit_loss")}`];
  if ((num("disc_mask") ?? 0) > 0) parts.push(`gan ${fixed("gan_loss")}`, `disc ${fixed("disc_loss")}`);
  let line = `step ${record["step"]}/${progress.totalSteps}${eta}: loss ${fixed("total_loss")} (${parts.join(", ")})`;
  const perplexity = num("codebook_perplexity"), usage = num("codebook_util"), rate = num("windows_per_s");
  if (perplexity !== undefined && usage !== undefined) {
    line += `, codes perplexity ${perplexity.toFixed(0)}, ${(100 * usage).toFixed(0)}% used`;
  }
  if (rate !== undefined) line += `, ${rate.toFixed(2)} windows/s`;
  const snr = num("val_snr_db"), baseline = num("val_baseline_snr_db");
  if (snr !== undefined && baseline !== undefined) {
    line += `; held-out SNR ${snr.toFixed(2)} dB (${formatGainDb(snr - baseline)} than the baseline)`;
  }
  return line;
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
        `data: ${event.trainedWindowsPerEpoch} training windows per epoch in ${event.stepsPerEpoch} steps` +
        (event.trainedWindowsPerEpoch === event.windowsPerEpoch
          ? ""
          : ` (${event.windowsPerEpoch - event.trainedWindowsPerEpoch} of its ${event.windowsPerEpoch} windows, ` +
            "short of a batch, are left out)") +
        `, ${event.heldOutWindows} held out; training to step ${event.totalSteps} on ${event.workers} ` +
        `worker${event.workers === 1 ? "" : "s"}` +
        (event.resumedFrom === undefined ? "" : `, resumed from ${event.resumedFrom} at step ${event.startStep}`);
    case "warning":
      return `[warn] ${event.message}`;
    case "step":
      return undefined;
    case "log":
      return formatStepLine(event.record, event);
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
