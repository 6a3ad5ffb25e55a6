/**
 * The training loop (`deno task train`): epochs over the dataset, one
 * optimizer step per `grad_accum_steps` batches, logs every `log_every`
 * steps, held-out validation, checkpoints every `save_every` steps, at the
 * end and when stopped, and exact resume from a checkpoint.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { type DataPlan, dataPlan } from "../data/data_plan.ts";
import { datasetOptionsFromConfig } from "../data/dataset_options_from_config.ts";
import { NanoporeSignalDataset } from "../data/nanopore_signal_dataset.ts";
import { formatEpochSummary } from "../data/format_epoch_summary.ts";
import type { DatasetBatch, DatasetPosition, EpochSummary } from "../data/types.ts";
import { outputActivationFor } from "../model/decoder.ts";
import type { ComputeBackend } from "../runtime/backend.ts";
import { type Config, segmentSamples } from "../runtime/config.ts";
import { ConfigError } from "../runtime/errors.ts";
import { Rng } from "../runtime/rng.ts";
import { VERSION } from "../version.ts";
import { loadCheckpoint, saveCheckpoint } from "../checkpoint/checkpoint.ts";
import { CodeUsageWindow } from "./code_usage_window.ts";
import type { HeldOutMetrics } from "./evaluate.ts";
import { MetricsLog, type MetricsRecord } from "./metrics_log.ts";
import { resumePoint } from "./resume_point.ts";
import { prepareRunFolder } from "./run_folder.ts";
import type { StepMetrics } from "./step.ts";
import { openTrainer, resolveWorkers } from "./open_trainer.ts";
import { checkpointFromState, type LoopState, stateFromCheckpoint } from "./train_state.ts";

/** Something the loop reports while it runs (the task prints; lib never does). */
export type TrainEvent =
  | {
    readonly kind: "start";
    readonly windowsPerEpoch: number;
    readonly stepsPerEpoch: number;
    readonly totalSteps: number;
    readonly startStep: number;
    readonly heldOutWindows: number;
    readonly resumedFrom: string | undefined;
    /** The folder the run writes to. */
    readonly runFolder: string;
    /** Why it is not the one asked for, or what was moved out of it. */
    readonly runFolderNote: string | undefined;
    /** Training replicas (Workers; 1: this thread). */
    readonly workers: number;
  }
  | { readonly kind: "warning"; readonly message: string }
  | { readonly kind: "step"; readonly step: number; readonly totalSteps: number; readonly epoch: number }
  | { readonly kind: "log"; readonly record: MetricsRecord }
  | { readonly kind: "epoch"; readonly step: number; readonly summary: EpochSummary }
  | { readonly kind: "checkpoint"; readonly step: number; readonly path: string };

/** Receives logged records (e.g. WandB). */
export interface MetricsSink {
  /** Log one record at `step`. */
  log(record: MetricsRecord, step: number): void;
}

/** Options of {@linkcode trainModel}. */
export interface TrainModelOptions {
  /** The merged, validated config. */
  readonly config: Readonly<Config>;
  /** The initialised backend. */
  readonly backend: ComputeBackend;
  /** Aborting finishes the current step, saves a checkpoint and returns (`stopped: true`). */
  readonly signal?: AbortSignal;
  /** Progress, warnings, log records and checkpoints. */
  readonly onEvent?: (event: TrainEvent) => void;
  /** Also send every logged record here. */
  readonly metricsSink?: MetricsSink;
  /** Wall clock, in ms (tests pin it); default `performance.now`. */
  readonly clock?: () => number;
  /**
   * Resume even when the data plan differs from the checkpoint's (files
   * added, removed or resized, or a setting that changes which windows an
   * epoch yields): training continues from the start of the next epoch.
   * Default false: such a resume is refused.
   */
  readonly resumeChangedData?: boolean;
  /**
   * When `checkpoint.dir` holds a run this one would mix with (a fresh run
   * into an earlier run's folder, a resume next to newer checkpoints), move
   * that run's checkpoints and logs into `previous-<time>/` inside it
   * instead of refusing. Default false.
   */
  readonly overwrite?: boolean;
}

/** What {@linkcode trainModel} returns. */
export interface TrainResult {
  /** Steps taken in total (including those before a resume). */
  readonly steps: number;
  /** Steps taken by this run. */
  readonly stepsThisRun: number;
  /** The epoch of the last step. */
  readonly epoch: number;
  /** The last checkpoint written. */
  readonly checkpoint: string | undefined;
  /** `train.log` and `metrics.jsonl`. */
  readonly logs: { readonly trainLog: string; readonly metrics: string };
  /** True when the signal stopped training before its end. */
  readonly stopped: boolean;
  /** The final held-out metrics, when windows were held out. */
  readonly heldOut: HeldOutMetrics | undefined;
  /** Training wall time of this run, seconds. */
  readonly seconds: number;
  /** Training windows per second over this run. */
  readonly windowsPerSecond: number;
}

/**
 * Train from the config, resuming when `checkpoint.resume_from` says so.
 *
 * @param options Config, backend, stop signal and event sink.
 * @returns Steps, last checkpoint, logs and held-out metrics.
 * @throws {ConfigError} When the data yields no batch or a setting is unsupported.
 * @throws {CheckpointError} When the checkpoint to resume does not fit the config or the data, or
 *   the checkpoint folder holds a run this one would mix with (see `overwrite`).
 */
export async function trainModel(options: TrainModelOptions): Promise<TrainResult> {
  const { backend } = options;
  const clock = options.clock ?? (() => performance.now());
  const emit = options.onEvent ?? (() => {});
  if (options.config.optim.freeze_W) {
    throw new ConfigError("optim.freeze_W", "freezing the quantizer projection is not supported by this version");
  }
  const folder = await prepareRunFolder(options.config.checkpoint.dir, {
    resumeFrom: options.config.checkpoint.resume_from,
    overwrite: options.overwrite === true,
    numbered: options.config.checkpoint.numbered_runs,
  });
  const config: Readonly<Config> = Object.freeze({
    ...options.config,
    checkpoint: Object.freeze({ ...options.config.checkpoint, dir: folder.dir }),
  });
  const workers = resolveWorkers(config.train, { backend: backend.name });
  const windowSamples = segmentSamples(config.data);
  const warned = new Set<string>(); // The training and held-out datasets read the same files: warn once.
  const warn = (warning: { path: string; message: string }) => {
    const message = `${warning.path}: ${warning.message}`;
    if (!warned.has(message)) emit({ kind: "warning", message });
    warned.add(message);
  };
  const datasetOptions = await datasetOptionsFromConfig(config, { onWarning: warn });
  const dataset = new NanoporeSignalDataset(datasetOptions);
  await using _dataset = dataset;
  const plan = await dataPlan(datasetOptions, config);
  const heldOut = config.data.holdout_fraction > 0 ? await loadHeldOut(config, warn) : [];
  const windowsPerEpoch = await dataset.countEpochWindows();
  const batchesPerEpoch = Math.floor(windowsPerEpoch / config.train.batch_size);
  if (batchesPerEpoch === 0) {
    throw new ConfigError(
      "train.batch_size",
      `an epoch yields ${windowsPerEpoch} windows of ${windowSamples} samples, fewer than one batch of ` +
        `${config.train.batch_size}; lower train.batch_size or add data`,
    );
  }
  const stepsPerEpoch = Math.ceil(batchesPerEpoch / config.train.grad_accum_steps);
  let totalSteps = Math.min(config.train.max_steps ?? Infinity, stepsPerEpoch * config.train.epochs);

  const trainer = await openTrainer({
    model: config.model,
    train: config.train,
    windowSamples,
    outputActivation: outputActivationFor(config.data.normalization),
  }, { rng: Rng.fromSeed(config.seed), backend, workers });
  try {
    const resumePath = folder.resumeFrom;
    let from = dataset.startPosition(0);
    let loop = freshLoopState(config, { position: from, plan }, backend);
    let codeWindow = new CodeUsageWindow(config.model.codebook_size);
    if (resumePath !== undefined) {
      const state = stateFromCheckpoint(await loadCheckpoint(resumePath), resumePath);
      const point = resumePoint(state.loop, { config, plan, path: resumePath }, {
        acceptChangedData: options.resumeChangedData === true,
      });
      await trainer.importState(state.trainer);
      from = point.kind === "exact" ? point.position : dataset.startPosition(point.epoch);
      loop = {
        ...state.loop,
        data_position: from,
        data_plan: plan,
        run_id: state.loop.run_id ?? crypto.randomUUID(),
        config,
        backend: backend.name,
      };
      codeWindow = CodeUsageWindow.fromTensor(state.codeWindow);
      if (point.kind === "next_epoch") {
        emit({
          kind: "warning",
          message: `${resumePath}: the data differs from the checkpoint's (${point.change}); ` +
            `continuing from the start of epoch ${point.epoch}`,
        });
        // The epochs before this one had the old data's steps: count the rest from here.
        const rest = stepsPerEpoch * Math.max(0, config.train.epochs - point.epoch);
        totalSteps = Math.min(config.train.max_steps ?? Infinity, loop.step + rest);
      }
    }
    const log = await MetricsLog.open(config.checkpoint.dir, resumePath === undefined ? {} : { resumeStep: loop.step });
    emit({
      kind: "start",
      windowsPerEpoch,
      stepsPerEpoch,
      totalSteps,
      startStep: loop.step,
      heldOutWindows: heldOut.reduce((n, b) => n + b.batchSize, 0),
      resumedFrom: resumePath,
      runFolder: folder.dir,
      runFolderNote: folder.note,
      workers,
    });
    if (resumePath === undefined) await log.note(`start: ${describeRun(config, backend, windowsPerEpoch, workers)}`);
    const rng = Rng.fromState(loop.rng_state);
    const runStart = clock();
    let intervalStart = runStart, intervalWindows = 0, runWindows = 0;
    const startStep = loop.step;
    let step = startStep, epoch = loop.epoch, position = from;
    let lastSaved = resumePath === undefined ? -1 : step, lastCheckpoint = resumePath;
    let lastRecord: MetricsRecord | null = loop.metrics.last;
    let lastValidation: MetricsRecord | null = loop.metrics.last_validation;
    let heldOutMetrics: HeldOutMetrics | undefined;
    let stopped = false;

    const snapshot = async (): Promise<string> => {
      const elapsed = loop.elapsed_seconds + (clock() - runStart) / 1000;
      const state = {
        trainer: await trainer.exportState(),
        loop: {
          ...loop,
          step,
          epoch,
          data_position: position,
          rng_state: rng.state(),
          elapsed_seconds: elapsed,
          windows_seen: loop.windows_seen + runWindows,
          metrics: { last: lastRecord, last_validation: lastValidation },
          saved_at: new Date().toISOString(),
        },
        codeWindow: codeWindow.toTensor(),
      };
      const path = await saveCheckpoint(config.checkpoint.dir, checkpointFromState(state), {
        keepLast: config.train.keep_last,
      });
      lastSaved = step;
      lastCheckpoint = path;
      emit({ kind: "checkpoint", step, path });
      return path;
    };

    const validate = async (): Promise<MetricsRecord> => {
      heldOutMetrics = await trainer.evaluate(heldOut);
      lastValidation = {
        step,
        val_windows: heldOutMetrics.windows,
        val_l1: heldOutMetrics.l1,
        val_mae_pa: heldOutMetrics.maePa,
        val_snr_db: heldOutMetrics.snrDb,
        val_baseline_snr_db: heldOutMetrics.baselineSnrDb,
        val_pearson_r: heldOutMetrics.pearsonR,
        val_codebook_util: heldOutMetrics.codebookUsage,
        val_codebook_perplexity: heldOutMetrics.codebookPerplexity,
      };
      return lastValidation;
    };

    const record = (metrics: StepMetrics): MetricsRecord => {
      const now = clock();
      const windowed = codeWindow.stats();
      const entry: Record<string, number | string | null> = { step, epoch };
      for (const [key, value] of Object.entries(metrics)) entry[key] = value;
      entry["codebook_perplexity"] = windowed.perplexity;
      entry["codebook_util"] = windowed.usage;
      entry["lr"] = config.train.learning_rate;
      entry["windows_per_s"] = intervalWindows / Math.max((now - intervalStart) / 1000, 1e-9);
      entry["seconds"] = loop.elapsed_seconds + (now - runStart) / 1000;
      intervalStart = now;
      intervalWindows = 0;
      return entry;
    };

    const finishStep = async (batches: readonly DatasetBatch[]): Promise<boolean> => {
      step++;
      const result = await trainer.step(batches.map((b) => b.values), step);
      for (const counts of result.codeCounts) codeWindow.add(counts);
      const last = batches[batches.length - 1]!;
      position = last.position;
      epoch = last.epoch;
      const windows = batches.reduce((n, b) => n + b.batchSize, 0);
      intervalWindows += windows;
      runWindows += windows;
      emit({ kind: "step", step, totalSteps, epoch });
      const done = step >= totalSteps;
      const logNow = step % config.train.log_every === 0;
      const validateNow = heldOut.length > 0 && config.train.val_every !== null && step % config.train.val_every === 0;
      if (logNow || validateNow) {
        let entry = record(result.metrics);
        if (validateNow) entry = { ...entry, ...await validate() };
        lastRecord = entry;
        await log.write(entry);
        options.metricsSink?.log(entry, step);
        emit({ kind: "log", record: entry });
      }
      const summary = last.epochEnd;
      if (summary !== undefined) {
        emit({ kind: "epoch", step, summary });
        await log.note(formatEpochSummary(summary, { step }));
      }
      if (step % config.train.save_every === 0 && !done) await snapshot();
      return done || options.signal?.aborted === true;
    };

    if (step < totalSteps) {
      const pending: DatasetBatch[] = [];
      let finished = false;
      try {
        const batches = dataset.batches({
          from: position,
          endEpoch: config.train.epochs,
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        });
        for await (const batch of batches) {
          if (pending.length > 0 && batch.epoch !== pending[0]!.epoch) {
            // An epoch's leftover micro-batches make a step of their own (the seed's rule).
            finished = await finishStep(pending.splice(0));
            if (finished) break;
          }
          pending.push(batch);
          if (pending.length === config.train.grad_accum_steps) {
            finished = await finishStep(pending.splice(0));
            if (finished) break;
          }
        }
        if (!finished && pending.length > 0) await finishStep(pending.splice(0));
      } catch (error) {
        // Aborted while waiting for data: the last completed step is what gets saved.
        if (!(options.signal?.aborted === true && error === options.signal.reason)) throw error;
      }
      stopped = options.signal?.aborted === true && step < totalSteps;
    }
    if (heldOut.length > 0 && lastValidation?.["step"] !== step) {
      const entry = { ...(lastRecord?.["step"] === step ? lastRecord : { step, epoch }), ...await validate() };
      lastRecord = entry;
      await log.write(entry);
      options.metricsSink?.log(entry, step);
      emit({ kind: "log", record: entry });
    }
    if (lastSaved !== step) await snapshot();
    const seconds = (clock() - runStart) / 1000;
    await log.note(
      `${stopped ? "stopped" : "finished"} at step ${step}: ${runWindows} windows in ${seconds.toFixed(1)} s` +
        (lastCheckpoint === undefined ? "" : `, checkpoint ${lastCheckpoint}`),
    );
    return {
      steps: step,
      stepsThisRun: step - startStep,
      epoch,
      checkpoint: lastCheckpoint,
      logs: { trainLog: log.trainLogPath, metrics: log.metricsPath },
      stopped,
      heldOut: heldOutMetrics,
      seconds,
      windowsPerSecond: runWindows / Math.max(seconds, 1e-9),
    };
  } finally {
    await trainer.dispose();
  }
}

/** The held-out windows, read once into memory (the first `train.val_windows`, whole batches). */
async function loadHeldOut(
  config: Readonly<Config>,
  warn: (warning: { path: string; message: string }) => void,
): Promise<DatasetBatch[]> {
  await using dataset = new NanoporeSignalDataset(
    await datasetOptionsFromConfig(config, { part: "heldout", onWarning: warn }),
  );
  const batches: DatasetBatch[] = [];
  let windows = 0;
  for await (const batch of dataset.batches()) {
    batches.push(batch);
    windows += batch.batchSize;
    if (windows >= config.train.val_windows) break;
  }
  return batches;
}

function freshLoopState(
  config: Readonly<Config>,
  data: { readonly position: DatasetPosition; readonly plan: DataPlan },
  backend: ComputeBackend,
): LoopState {
  return {
    format: "simvqgan-checkpoint/1",
    version: VERSION,
    step: 0,
    epoch: 0,
    data_position: data.position,
    data_plan: data.plan,
    run_id: crypto.randomUUID(),
    rng_state: Rng.fromSeed(config.seed ^ 0xc0d3c).state(),
    elapsed_seconds: 0,
    windows_seen: 0,
    config,
    metrics: { last: null, last_validation: null },
    backend: backend.name,
    saved_at: "",
  };
}

function describeRun(
  config: Readonly<Config>,
  backend: ComputeBackend,
  windowsPerEpoch: number,
  workers: number,
): string {
  return `simvqgan ${VERSION}, backend ${backend.device} x ${workers} worker${workers === 1 ? "" : "s"}, ` +
    `${windowsPerEpoch} windows per epoch, batch ` +
    `${config.train.batch_size} x ${config.train.grad_accum_steps}, lr ${config.train.learning_rate}, tf ${tf.version_core}`;
}
