/**
 * Training data: finding POD5 files, a deterministic read-level held-out
 * split, and {@linkcode NanoporeSignalDataset}, which streams normalised
 * windows in batches from Deno Workers and resumes exactly from a position.
 *
 * @example Count the windows of an epoch
 * ```ts ignore
 * import { discoverPod5Files, NanoporeSignalDataset } from "./mod.ts";
 * const files = await discoverPod5Files({ root: "data", subdirs: ["."] });
 * await using dataset = new NanoporeSignalDataset({ files, batchSize: 64, windowSamples: 10_000, sampleRateHz: 5_000 });
 * let windows = 0;
 * for await (const batch of dataset.batches()) windows += batch.batchSize;
 * ```
 *
 * @module
 */
export { type DataPlan, dataPlan, type DataPlanFile, type DataPlanKeys, describeDataPlanChange } from "./data_plan.ts";
export { datasetOptionsFromConfig, type DatasetOptionsFromConfigOptions } from "./dataset_options_from_config.ts";
export { discoverPod5Files, type Pod5Source } from "./discover_pod5_files.ts";
export { DatasetWorkerError, DataSourceError } from "./errors.ts";
export { formatDatasetWarning } from "./format_dataset_warning.ts";
export { formatEpochSummary } from "./format_epoch_summary.ts";
export {
  type BatchesOptions,
  NanoporeSignalDataset,
  type NanoporeSignalDatasetOptions,
} from "./nanopore_signal_dataset.ts";
export { DEFAULT_SPLIT_SALT, isHeldOutRead, readSplitFilter, type ReadSplitOptions } from "./read_split.ts";
export { sampleRateToleranceHz } from "./_file_plan.ts";
export type {
  DatasetBatch,
  DatasetPosition,
  DatasetWarning,
  EpochSummary,
  LaneCursor,
  ReadFilter,
  ReadInfo,
  TailSplit,
  WindowSource,
} from "./types.ts";
