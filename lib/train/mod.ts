/**
 * Training: the GAN losses, AdamW with clipping, one optimizer step, the
 * {@linkcode Trainer} holding networks and optimizers with exportable state,
 * and the {@linkcode ParallelTrainer} running data-parallel replicas in Workers.
 *
 * @module
 */
export {
  discriminatorHingeLoss,
  fakeHingeLoss,
  featureMatchingLoss,
  generatorHingeLoss,
  l1Loss,
  realHingeLoss,
} from "./losses.ts";
export { CODE_WINDOW_BATCHES, CodeUsageWindow, type CodeUsageWindowOptions } from "./code_usage_window.ts";
export { TrainWorkerError } from "./errors.ts";
export {
  evaluateHeldOut,
  type HeldOutMetrics,
  reconstructBatch,
  type Reconstruction,
  type RemoteGenerator,
} from "./evaluate.ts";
export { type MetricsSink, type TrainEvent, trainModel, type TrainModelOptions, type TrainResult } from "./loop.ts";
export { prepareRunFolder, PREVIOUS_PREFIX, type RunFolder, type RunFolderOptions } from "./run_folder.ts";
export { RESUME_CHANGED_DATA_FLAG, type ResumePoint, resumePoint, type ResumePointOptions } from "./resume_point.ts";
export {
  formatGainDb,
  formatPruned,
  formatStepLine,
  formatTrainEvent,
  formatTrainResult,
  type FormatTrainResultOptions,
} from "./format_train_result.ts";
export { formatLogLine, MetricsLog, type MetricsLogOptions, type MetricsRecord } from "./metrics_log.ts";
export {
  CHECKPOINT_FORMAT,
  checkpointFromState,
  type LegacyDatasetPosition,
  type LoopState,
  stateFromCheckpoint,
  type TrainState,
} from "./train_state.ts";
export { AdamW, type AdamWConfig, adamWConfigFrom, type OptimizerState, type UpdateReport } from "./optimizer.ts";
export { combineReplicaSteps, type MicroLosses, type ReplicaStepResult } from "./combine_replica_steps.ts";
export {
  checkStepInput,
  type GradientReducer,
  type NetworkName,
  type ReplicaShare,
  replicaStep,
  type StepContext,
  type StepInput,
  type StepMetrics,
  stepQuantizers,
  type StepResult,
  trainStep,
} from "./step.ts";
export { drawQuantizers, type QuantizerDropoutOptions } from "./quantizer_dropout.ts";
export { encodeFlops, type ForwardFlops, forwardFlops, trainStepFlops } from "./step_flops.ts";
export { type GanTrainer, Trainer, type TrainerOptions, type TrainerSetup, type TrainerState } from "./trainer.ts";
export { MAX_AUTO_WORKERS, openTrainer, type OpenTrainerOptions, resolveWorkers } from "./open_trainer.ts";
export { ParallelTrainer, type ParallelTrainerOptions, type RowShare, splitRows } from "./parallel_trainer.ts";
