/**
 * Building {@linkcode NanoporeSignalDatasetOptions} from a parsed config: the
 * one place where `data.*`, `train.batch_size` and `seed` become dataset
 * settings, with the `data.train` override and the held-out read split.
 *
 * @module
 */
import { type Config, segmentSamples } from "../runtime/config.ts";
import { discoverPod5Files } from "./discover_pod5_files.ts";
import type { NanoporeSignalDatasetOptions } from "./nanopore_signal_dataset.ts";
import { readSplitFilter } from "./read_split.ts";
import type { DatasetWarning } from "./types.ts";

/** Options of {@linkcode datasetOptionsFromConfig}. */
export interface DatasetOptionsFromConfigOptions {
  /**
   * Which part of the split `data.holdout_fraction` defines: `"train"` (the
   * default; everything when the fraction is 0) or `"heldout"`, for
   * validation windows the training never sees (file order, no shuffle, last
   * batch kept). `data.holdout_by` picks whole reads (`read`, by a salted
   * hash of the id) or the last windows of every read (`read_tail`).
   */
  readonly part?: "train" | "heldout";
  /** Receives skipped files and reads. */
  readonly onWarning?: (warning: DatasetWarning) => void;
}

/**
 * Dataset options from a config: files from `data.root`/`data.subdirs` or
 * `data.files` (with `data.train`'s keys, when set, shallow-merged over
 * `data`, as the seed does), window length from `segmentSamples`, batch size
 * from `train.batch_size`, workers and prefetch from `data.loader_*`, the
 * shuffle from `data.shuffle_buffer` and `seed`; training visits the files
 * in a new seeded order every epoch, `data.interleave_files` at a time.
 *
 * @example
 * ```ts ignore
 * import { parseConfig } from "../runtime/config.ts";
 * import { datasetOptionsFromConfig } from "./dataset_options_from_config.ts";
 * import { NanoporeSignalDataset } from "./nanopore_signal_dataset.ts";
 * const config = parseConfig({ data: { root: "data", holdout_fraction: 0.02 } });
 * const train = new NanoporeSignalDataset(await datasetOptionsFromConfig(config));
 * const heldOut = new NanoporeSignalDataset(await datasetOptionsFromConfig(config, { part: "heldout" }));
 * ```
 *
 * @param config The parsed config (`seed`, `data`, `train`).
 * @param options Which part of the read split, and the warning sink.
 * @returns The options (files discovered).
 * @throws {DataSourceError} When the files cannot be found.
 * @throws {RangeError} When the held-out part is asked for with `data.holdout_fraction` 0.
 */
export async function datasetOptionsFromConfig(
  config: Pick<Config, "seed" | "data" | "train">,
  options: DatasetOptionsFromConfigOptions = {},
): Promise<NanoporeSignalDatasetOptions> {
  const part = options.part ?? "train";
  const base = config.data;
  const split = base.train ?? {};
  const data = {
    ...base,
    ...(split.root === undefined ? {} : { root: split.root }),
    ...(split.subdirs === undefined ? {} : { subdirs: split.subdirs }),
    ...(split.files === undefined ? {} : { files: split.files }),
    ...(split.segment_samples === undefined ? {} : { segment_samples: split.segment_samples }),
  };
  const fraction = base.holdout_fraction;
  if (part === "heldout" && fraction === 0) {
    throw new RangeError("Cannot build the held-out dataset: data.holdout_fraction is 0");
  }
  const files = await discoverPod5Files({ root: data.root, subdirs: data.subdirs, files: data.files });
  const heldOut = part === "heldout";
  return {
    files,
    batchSize: config.train.batch_size,
    windowSamples: segmentSamples(data),
    sampleRateHz: data.sample_rate,
    normalisation: data.normalization,
    clip: data.clip,
    shuffleWindows: heldOut ? 0 : data.shuffle_buffer,
    seed: config.seed,
    shuffleFiles: !heldOut,
    interleaveFiles: heldOut ? 1 : data.interleave_files,
    workers: data.loader_workers,
    prefetchBatches: data.loader_prefetch_chunks,
    dropLast: !heldOut,
    ...(fraction === 0
      ? {}
      : base.holdout_by === "read_tail"
      ? { tailSplit: { fraction, part } }
      : { readFilter: readSplitFilter(part, { fraction }) }),
    ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
  };
}
