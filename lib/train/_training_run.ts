/**
 * The last stages of `trainModel`: the steps (a {@linkcode TrainingRun} over
 * the batches: log, validate, checkpoint) and finish (the last validation
 * and checkpoint, the result). `_prepare_training.ts` comes before.
 *
 * @module
 */
import { join } from "@std/path";
import { type PrunedCheckpoint, saveCheckpoint } from "../checkpoint/checkpoint.ts";
import { EXPORTS_FOLDER, listCodecExports } from "../checkpoint/codec_export.ts";
import { formatEpochSummary } from "../data/format_epoch_summary.ts";
import type { DatasetBatch, DatasetPosition } from "../data/types.ts";
import { Rng } from "../runtime/rng.ts";
import type { CodeUsageWindow } from "./code_usage_window.ts";
import { formatPruned } from "./format_train_result.ts";
import type { HeldOutMetrics } from "./evaluate.ts";
import type { TrainEvent, TrainModelOptions, TrainResult } from "./types.ts";
import type { MetricsLog, MetricsRecord } from "./metrics_log.ts";
import { drawQuantizers } from "./quantizer_dropout.ts";
import type { StepMetrics } from "./step.ts";
import type { GanTrainer } from "./trainer.ts";
import { checkpointFromState, type LoopState } from "./train_state.ts";
import type { TrainingSetup, TrainingStart } from "./_prepare_training.ts";

/**
 * The steps of one run and what they keep: the step, epoch and data
 * position, the code-usage window, the last records, the checkpoints saved.
 */
export class TrainingRun {
  readonly #setup: TrainingSetup;
  readonly #trainer: GanTrainer;
  readonly #options: TrainModelOptions;
  readonly #log: MetricsLog;
  readonly #emit: (event: TrainEvent) => void;
  readonly #clock: () => number;
  readonly #rng: Rng;
  readonly #loop: LoopState;
  readonly #codeWindow: CodeUsageWindow;
  readonly #totalSteps: number;
  readonly #runStart: number;
  readonly #startStep: number;
  #intervalStart: number;
  /** When this run's first step ended (warm-up included): the ETA counts from here. */
  #firstStepEnd: number | undefined;
  /** The last step's metrics, for a final record written after the loop. */
  #lastStep: { readonly metrics: StepMetrics; readonly quantizers: readonly number[] } | undefined;
  #intervalWindows = 0;
  #runWindows = 0;
  #step: number;
  #epoch: number;
  #position: DatasetPosition;
  #lastSaved: number;
  #lastCheckpoint: string | undefined;
  #lastRecord: MetricsRecord | null;
  #lastValidation: MetricsRecord | null;
  #heldOutMetrics: HeldOutMetrics | undefined;

  /**
   * Start the run's clock at the resumed (or fresh) state.
   *
   * @param setup The prepared run.
   * @param parts The trainer, where to start, the metrics log, the options and the event sink.
   */
  constructor(
    setup: TrainingSetup,
    parts: {
      readonly trainer: GanTrainer;
      readonly start: TrainingStart;
      readonly log: MetricsLog;
      readonly options: TrainModelOptions;
      readonly emit: (event: TrainEvent) => void;
    },
  ) {
    this.#setup = setup;
    this.#trainer = parts.trainer;
    this.#options = parts.options;
    this.#log = parts.log;
    this.#emit = parts.emit;
    this.#clock = parts.options.clock ?? (() => performance.now());
    const { loop } = parts.start;
    this.#loop = loop;
    this.#codeWindow = parts.start.codeWindow;
    this.#totalSteps = parts.start.totalSteps;
    this.#rng = Rng.fromState(loop.rng_state);
    this.#runStart = this.#clock();
    this.#intervalStart = this.#runStart;
    this.#startStep = loop.step;
    this.#step = loop.step;
    this.#epoch = loop.epoch;
    this.#position = parts.start.from;
    const resumed = parts.start.resumedFrom;
    this.#lastSaved = resumed === undefined ? -1 : loop.step;
    this.#lastCheckpoint = resumed;
    this.#lastRecord = loop.metrics.last;
    this.#lastValidation = loop.metrics.last_validation;
  }

  /**
   * Run the steps to `totalSteps` (or until the signal aborts); then
   * validate and checkpoint what the last step left unsaved.
   *
   * @returns The run's result.
   */
  async run(): Promise<TrainResult> {
    let stopped = false;
    if (this.#step < this.#totalSteps) {
      await this.#steps();
      stopped = this.#options.signal?.aborted === true && this.#step < this.#totalSteps;
    }
    return await this.#finish(stopped);
  }

  /** The batches, grouped into steps of `grad_accum_steps` micro-batches. */
  async #steps(): Promise<void> {
    const { config } = this.#setup;
    const signal = this.#options.signal;
    const pending: DatasetBatch[] = [];
    let finished = false;
    try {
      const batches = this.#setup.dataset.batches({
        from: this.#position,
        endEpoch: config.train.epochs,
        ...(signal === undefined ? {} : { signal }),
      });
      for await (const batch of batches) {
        if (pending.length > 0 && batch.epoch !== pending[0]!.epoch) {
          // An epoch's leftover micro-batches make a step of their own (the seed's rule).
          finished = await this.#finishStep(pending.splice(0));
          if (finished) break;
        }
        pending.push(batch);
        if (pending.length === config.train.grad_accum_steps) {
          finished = await this.#finishStep(pending.splice(0));
          if (finished) break;
        }
      }
      if (!finished && pending.length > 0) await this.#finishStep(pending.splice(0));
    } catch (error) {
      // Aborted while waiting for data: the last completed step is what gets saved.
      if (!(signal?.aborted === true && error === signal.reason)) throw error;
    }
  }

  /** One optimizer step, then its log record, validation, epoch note and checkpoint as due. */
  async #finishStep(batches: readonly DatasetBatch[]): Promise<boolean> {
    const { config, heldOut } = this.#setup;
    this.#step++;
    const step = this.#step;
    const quantizers = drawQuantizers(this.#rng, {
      microBatches: batches.length,
      numQuantizers: config.model.num_quantizers,
      dropout: config.model.quantizer_dropout,
    });
    const result = await this.#trainer.step(batches.map((b) => b.values), step, { quantizers });
    for (const counts of result.codeCounts) this.#codeWindow.add(counts);
    const last = batches[batches.length - 1]!;
    this.#position = last.position;
    this.#epoch = last.epoch;
    const windows = batches.reduce((n, b) => n + b.batchSize, 0);
    this.#intervalWindows += windows;
    this.#runWindows += windows;
    this.#emit({ kind: "step", step, totalSteps: this.#totalSteps, epoch: this.#epoch });
    this.#firstStepEnd ??= this.#clock();
    this.#lastStep = { metrics: result.metrics, quantizers: result.quantizers };
    const done = step >= this.#totalSteps;
    // The last step of the run (its end, or a stop) is always logged, once, with its held-out scores.
    const final = done || this.#options.signal?.aborted === true;
    const validateNow = heldOut.length > 0 &&
      (final || (config.train.val_every !== null && step % config.train.val_every === 0));
    if (final || validateNow || step % config.train.log_every === 0) {
      let entry = this.#record(result.metrics, result.quantizers);
      if (validateNow) entry = { ...entry, ...await this.#validate() };
      await this.#write(entry);
    }
    const summary = last.epochEnd;
    if (summary !== undefined) {
      this.#emit({ kind: "epoch", step, summary });
      await this.#log.note(formatEpochSummary(summary, { step }));
    }
    if (step % config.train.save_every === 0 && !done) await this.#snapshot();
    return done || this.#options.signal?.aborted === true;
  }

  /**
   * A log record: the step's metrics, the windowed code usage (per stage with
   * residual quantisation, and the mean number of stages used), the rate
   * since the last record.
   */
  #record(metrics: StepMetrics, quantizers: readonly number[]): MetricsRecord {
    const now = this.#clock();
    const windowed = this.#codeWindow.stats();
    const entry: Record<string, number | string | null> = { step: this.#step, epoch: this.#epoch };
    for (const [key, value] of Object.entries(metrics)) entry[key] = value;
    entry["codebook_perplexity"] = windowed.perplexity;
    entry["codebook_util"] = windowed.usage;
    for (let k = 2; k <= this.#codeWindow.stages; k++) {
      const stage = this.#codeWindow.stats(k);
      entry[`codebook_perplexity_q${k}`] = stage.perplexity;
      entry[`codebook_util_q${k}`] = stage.usage;
    }
    if (this.#setup.config.model.num_quantizers > 1) {
      entry["quantizers"] = quantizers.reduce((a, b) => a + b, 0) / quantizers.length;
    }
    entry["lr"] = this.#setup.config.train.learning_rate;
    entry["windows_per_s"] = this.#intervalWindows / Math.max((now - this.#intervalStart) / 1000, 1e-9);
    entry["seconds"] = this.#loop.elapsed_seconds + (now - this.#runStart) / 1000;
    this.#intervalStart = now;
    this.#intervalWindows = 0;
    return entry;
  }

  /** Score the held-out windows; the record's `val_*` fields. */
  async #validate(): Promise<MetricsRecord> {
    const metrics = await this.#trainer.evaluate(this.#setup.heldOut);
    this.#heldOutMetrics = metrics;
    this.#lastValidation = {
      step: this.#step,
      val_windows: metrics.windows,
      val_l1: metrics.l1,
      val_mae_pa: metrics.maePa,
      val_snr_db: metrics.snrDb,
      val_baseline_snr_db: metrics.baselineSnrDb,
      val_pearson_r: metrics.pearsonR,
      val_codebook_util: metrics.codebookUsage,
      val_codebook_perplexity: metrics.codebookPerplexity,
      ...stageValidationKeys(metrics),
    };
    return this.#lastValidation;
  }

  /** Log a record to metrics.jsonl, the sink and the events. */
  async #write(entry: MetricsRecord): Promise<void> {
    this.#lastRecord = entry;
    await this.#log.write(entry);
    this.#options.metricsSink?.log(entry, this.#step);
    this.#emit({ kind: "log", record: entry, totalSteps: this.#totalSteps, etaSeconds: this.#etaSeconds() });
  }

  /**
   * Seconds to the last step at the rate of this run's steps after its first (which includes warm-up); null
   * before two steps, and at the last.
   */
  #etaSeconds(): number | null {
    const timed = this.#step - this.#startStep - 1;
    if (this.#firstStepEnd === undefined || timed < 1 || this.#step >= this.#totalSteps) return null;
    const perStep = (this.#clock() - this.#firstStepEnd) / 1000 / timed;
    return perStep * Math.max(0, this.#totalSteps - this.#step);
  }

  /** Save a checkpoint of everything resume needs. */
  async #snapshot(): Promise<string> {
    const loop = this.#loop;
    const state = {
      trainer: await this.#trainer.exportState(),
      loop: {
        ...loop,
        step: this.#step,
        epoch: this.#epoch,
        data_position: this.#position,
        rng_state: this.#rng.state(),
        elapsed_seconds: loop.elapsed_seconds + (this.#clock() - this.#runStart) / 1000,
        windows_seen: loop.windows_seen + this.#runWindows,
        metrics: { last: this.#lastRecord, last_validation: this.#lastValidation },
        saved_at: new Date().toISOString(),
      },
      codeWindow: this.#codeWindow.toTensor(),
    };
    const { config } = this.#setup;
    let pruned: readonly PrunedCheckpoint[] = [];
    const path = await saveCheckpoint(config.checkpoint.dir, checkpointFromState(state), {
      keepLast: config.train.keep_last,
      onPruned: (removed) => pruned = removed,
    });
    this.#lastSaved = this.#step;
    this.#lastCheckpoint = path;
    this.#emit({ kind: "checkpoint", step: this.#step, path });
    if (pruned.length > 0) await this.#reportPruned(pruned);
    return path;
  }

  /** Say which checkpoints pruning removed, and which of their codecs stay as exports (console and train.log). */
  async #reportPruned(pruned: readonly PrunedCheckpoint[]): Promise<void> {
    const exports = await listCodecExports(join(this.#setup.config.checkpoint.dir, EXPORTS_FOLDER));
    const event: TrainEvent = {
      kind: "pruned",
      step: this.#step,
      keepLast: this.#setup.config.train.keep_last,
      removed: pruned.map((entry) => ({
        path: entry.path,
        step: entry.step,
        exportPath: exports.find((e) => e.sha256 === entry.generatorSha256)?.path ?? null,
      })),
    };
    await this.#log.note(formatPruned(event));
    this.#emit(event);
  }

  /** The last validation and checkpoint (when the last step has none), the closing note, the result. */
  async #finish(stopped: boolean): Promise<TrainResult> {
    const step = this.#step;
    if (this.#lastRecord?.["step"] !== step && this.#lastStep !== undefined) {
      // Stopped while waiting for data, after a step that was not known to be the last: log it now.
      const entry = this.#record(this.#lastStep.metrics, this.#lastStep.quantizers);
      await this.#write(this.#setup.heldOut.length > 0 ? { ...entry, ...await this.#validate() } : entry);
    } else if (this.#setup.heldOut.length > 0 && this.#lastValidation?.["step"] !== step) {
      // No step in this run (a resume at the end): score the checkpoint it continues.
      await this.#write({ ...(this.#lastRecord ?? { step, epoch: this.#epoch }), ...await this.#validate() });
    }
    if (this.#lastSaved !== step) await this.#snapshot();
    const seconds = (this.#clock() - this.#runStart) / 1000;
    await this.#log.note(
      `${stopped ? "stopped" : "finished"} at step ${step}: ${this.#runWindows} windows in ${seconds.toFixed(1)} s` +
        (this.#lastCheckpoint === undefined ? "" : `, checkpoint ${this.#lastCheckpoint}`),
    );
    return {
      steps: step,
      stepsThisRun: step - this.#startStep,
      epoch: this.#epoch,
      checkpoint: this.#lastCheckpoint,
      logs: { trainLog: this.#log.trainLogPath, metrics: this.#log.metricsPath },
      stopped,
      heldOut: this.#heldOutMetrics,
      seconds,
      windowsPerSecond: this.#runWindows / Math.max(seconds, 1e-9),
    };
  }
}

/**
 * The held-out keys of residual stages: `val_codebook_util_q<k>` and
 * `val_codebook_perplexity_q<k>` for stages k ≥ 2, and `val_snr_db_k<K>`,
 * the SNR from the first K < N stages' codes (`val_snr_db` is all N).
 */
function stageValidationKeys(metrics: HeldOutMetrics): Record<string, number> {
  const out: Record<string, number> = {};
  metrics.stageCodebooks.forEach((stats, i) => {
    if (i === 0) return;
    out[`val_codebook_util_q${i + 1}`] = stats.usage;
    out[`val_codebook_perplexity_q${i + 1}`] = stats.perplexity;
  });
  metrics.snrDbByQuantizers.slice(0, -1).forEach((snr, i) => out[`val_snr_db_k${i + 1}`] = snr);
  return out;
}
