/**
 * The training loop (`deno task train`): epochs over the dataset, one
 * optimizer step per `grad_accum_steps` batches, logs every `log_every`
 * steps, held-out validation, checkpoints every `save_every` steps, at the
 * end and when stopped, and exact resume from a checkpoint.
 *
 * @module
 */
import { outputActivationFor } from "../model/decoder.ts";
import { Rng } from "../runtime/rng.ts";
import { MetricsLog } from "./metrics_log.ts";
import type { TrainModelOptions, TrainResult } from "./types.ts";
import { openTrainer } from "./open_trainer.ts";
import { describeRun, prepareTraining, resumeTraining } from "./_prepare_training.ts";
import { TrainingRun } from "./_training_run.ts";

export type { MetricsSink, PrunedEntry, TrainEvent, TrainModelOptions, TrainResult } from "./types.ts";

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
  const emit = options.onEvent ?? (() => {});
  const setup = await prepareTraining(options, emit);
  const { config } = setup;
  await using _dataset = setup.dataset;
  const trainer = await openTrainer({
    model: config.model,
    train: config.train,
    windowSamples: setup.windowSamples,
    outputActivation: outputActivationFor(config.data.normalization),
  }, { rng: Rng.fromSeed(config.seed), backend, workers: setup.workers });
  try {
    const start = await resumeTraining(setup, trainer, options, emit);
    const resumed = start.resumedFrom;
    const log = await MetricsLog.open(
      config.checkpoint.dir,
      resumed === undefined ? {} : { resumeStep: start.loop.step },
    );
    emit({
      kind: "start",
      windowsPerEpoch: setup.windowsPerEpoch,
      trainedWindowsPerEpoch: setup.trainedWindowsPerEpoch,
      stepsPerEpoch: setup.stepsPerEpoch,
      totalSteps: start.totalSteps,
      startStep: start.loop.step,
      heldOutWindows: setup.heldOut.reduce((n, b) => n + b.batchSize, 0),
      resumedFrom: resumed,
      runFolder: setup.folder.dir,
      runFolderNote: setup.folder.note,
      workers: setup.workers,
    });
    if (resumed === undefined) {
      await log.note(`start: ${describeRun(setup, backend)}`);
    }
    return await new TrainingRun(setup, { trainer, start, log, options, emit }).run();
  } finally {
    await trainer.dispose();
  }
}
