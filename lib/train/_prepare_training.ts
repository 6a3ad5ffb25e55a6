/**
 * The first stages of `trainModel`: prepare (run folder, frozen config,
 * data, held-out windows, step counts) and resume (the checkpoint's state
 * into the trainer, and where the data continues). The steps follow in
 * `_training_run.ts`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { loadCheckpoint } from "../checkpoint/checkpoint.ts";
import { type DataPlan, dataPlan } from "../data/data_plan.ts";
import { datasetOptionsFromConfig } from "../data/dataset_options_from_config.ts";
import { NanoporeSignalDataset } from "../data/nanopore_signal_dataset.ts";
import type { DatasetBatch, DatasetPosition } from "../data/types.ts";
import type { ComputeBackend } from "../runtime/backend.ts";
import { type Config, segmentSamples } from "../runtime/config.ts";
import { ConfigError } from "../runtime/errors.ts";
import { Rng } from "../runtime/rng.ts";
import { VERSION } from "../version.ts";
import { CodeUsageWindow } from "./code_usage_window.ts";
import type { TrainEvent, TrainModelOptions } from "./types.ts";
import { resolveWorkers } from "./open_trainer.ts";
import { resumePoint } from "./resume_point.ts";
import { prepareRunFolder, type RunFolder } from "./run_folder.ts";
import type { GanTrainer } from "./trainer.ts";
import { type LoopState, stateFromCheckpoint } from "./train_state.ts";

/** What the prepare stage sets up. */
export interface TrainingSetup {
  /** The config, frozen, with the run folder chosen. */
  readonly config: Readonly<Config>;
  /** The run folder. */
  readonly folder: RunFolder;
  /** Training replicas. */
  readonly workers: number;
  /** Samples per window. */
  readonly windowSamples: number;
  /** The training data (the caller disposes it). */
  readonly dataset: NanoporeSignalDataset;
  /** What the data is, for resume checks. */
  readonly plan: DataPlan;
  /** The held-out batches, in memory. */
  readonly heldOut: readonly DatasetBatch[];
  /** Windows an epoch cuts from the training data. */
  readonly windowsPerEpoch: number;
  /** Windows an epoch trains on: its whole batches (the rest, short of a batch, is dropped). */
  readonly trainedWindowsPerEpoch: number;
  /** Optimizer steps per epoch. */
  readonly stepsPerEpoch: number;
  /** The step training ends at (a resume onto changed data may move it). */
  readonly totalSteps: number;
}

/**
 * Prepare: the run folder, the frozen config, the dataset, its plan, the
 * held-out windows and the step counts.
 *
 * @throws {ConfigError} When a setting is unsupported or the data yields no batch.
 */
export async function prepareTraining(
  options: TrainModelOptions,
  emit: (event: TrainEvent) => void,
): Promise<TrainingSetup> {
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
  const workers = resolveWorkers(config.train, { backend: options.backend.name });
  const windowSamples = segmentSamples(config.data);
  const warned = new Set<string>(); // The training and held-out datasets read the same files: warn once.
  const warn = (warning: { path: string; message: string }) => {
    const message = `${warning.path}: ${warning.message}`;
    if (!warned.has(message)) emit({ kind: "warning", message });
    warned.add(message);
  };
  const datasetOptions = await datasetOptionsFromConfig(config, { onWarning: warn });
  const dataset = new NanoporeSignalDataset(datasetOptions);
  try {
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
    const totalSteps = Math.min(config.train.max_steps ?? Infinity, stepsPerEpoch * config.train.epochs);
    return {
      config,
      folder,
      workers,
      windowSamples,
      dataset,
      plan,
      heldOut,
      windowsPerEpoch,
      trainedWindowsPerEpoch: batchesPerEpoch * config.train.batch_size,
      stepsPerEpoch,
      totalSteps,
    };
  } catch (error) {
    await dataset[Symbol.asyncDispose]();
    throw error;
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

/** Where the steps start: fresh, or from a checkpoint. */
export interface TrainingStart {
  /** The loop's state to go on from. */
  readonly loop: LoopState;
  /** Where the data continues. */
  readonly from: DatasetPosition;
  /** The code-usage window. */
  readonly codeWindow: CodeUsageWindow;
  /** The step training ends at. */
  readonly totalSteps: number;
  /** The checkpoint resumed, if any. */
  readonly resumedFrom: string | undefined;
}

/**
 * Resume: a fresh loop state, or the checkpoint's state imported into the
 * trainer and the data position it continues from.
 *
 * @throws {CheckpointError} When the checkpoint does not fit the config or the data.
 */
export async function resumeTraining(
  setup: TrainingSetup,
  trainer: GanTrainer,
  options: TrainModelOptions,
  emit: (event: TrainEvent) => void,
): Promise<TrainingStart> {
  const { config, dataset, plan } = setup;
  const resumePath = setup.folder.resumeFrom;
  const from = dataset.startPosition(0);
  if (resumePath === undefined) {
    const loop = freshLoopState(config, { position: from, plan }, options.backend);
    const codeWindow = new CodeUsageWindow(config.model.codebook_size, { stages: config.model.num_quantizers });
    return { loop, from, codeWindow, totalSteps: setup.totalSteps, resumedFrom: undefined };
  }
  const state = stateFromCheckpoint(await loadCheckpoint(resumePath), resumePath);
  const point = resumePoint(state.loop, { config, plan, path: resumePath }, {
    acceptChangedData: options.resumeChangedData === true,
  });
  await trainer.importState(state.trainer);
  const position = point.kind === "exact" ? point.position : dataset.startPosition(point.epoch);
  const loop: LoopState = {
    ...state.loop,
    data_position: position,
    data_plan: plan,
    run_id: state.loop.run_id ?? crypto.randomUUID(),
    config,
    backend: options.backend.name,
  };
  let totalSteps = setup.totalSteps;
  if (point.kind === "next_epoch") {
    emit({
      kind: "warning",
      message: `${resumePath}: the data differs from the checkpoint's (${point.change}); ` +
        `continuing from the start of epoch ${point.epoch}`,
    });
    // The epochs before this one had the old data's steps: count the rest from here.
    const rest = setup.stepsPerEpoch * Math.max(0, config.train.epochs - point.epoch);
    totalSteps = Math.min(config.train.max_steps ?? Infinity, loop.step + rest);
  }
  const codeWindow = CodeUsageWindow.fromTensor(state.codeWindow);
  return { loop, from: position, codeWindow, totalSteps, resumedFrom: resumePath };
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

/** The one-line description of a run that `train.log` starts with. */
export function describeRun(
  setup: Pick<TrainingSetup, "config" | "windowsPerEpoch" | "trainedWindowsPerEpoch" | "workers">,
  backend: ComputeBackend,
): string {
  const { config, workers } = setup;
  return `simvqgan ${VERSION}, backend ${backend.device} x ${workers} worker${workers === 1 ? "" : "s"}, ` +
    `${setup.trainedWindowsPerEpoch} windows per epoch (of ${setup.windowsPerEpoch}), batch ` +
    `${config.train.batch_size} x ${config.train.grad_accum_steps}, lr ${config.train.learning_rate}, tf ${tf.version_core}`;
}
