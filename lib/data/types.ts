/**
 * Value types of the data area: window provenance, batches, the resumable
 * position, read filters and warnings.
 *
 * @module
 */
import type { Calibration } from "../pod5/types.ts";
import type { NormalisationMode, NormalisationStats } from "../signal/types.ts";

/**
 * Where one lane of the interleave continues: the next window of the lane's
 * current file not yet delivered. A `windowIndex` past a read's last window
 * and a `readIndex` past a file's last read simply mean "the next one"; an
 * `order` at or past the number of files means the lane is done.
 */
export interface LaneCursor {
  /** Index into the epoch's file order of the lane's current file (lane `j` reads orders `j`, `j + K`, …). */
  readonly order: number;
  /** Index of the read in that file (file order, counting every read). */
  readonly readIndex: number;
  /** Training window of that read (window `k` covers samples `[k·W, (k+1)·W)`). */
  readonly windowIndex: number;
}

/**
 * Where the dataset is in its stream of windows, enough to resume exactly at
 * the next window (JSON-serialisable; store it in the checkpoint).
 *
 * An epoch visits the files in its file order (the given order, or a seeded
 * permutation of it with `shuffleFiles`). `interleaveFiles` lanes each read
 * every `K`-th file of that order, and the stream takes one window from each
 * lane in turn. `lanes` and `lane` are the first window of that stream not
 * yet delivered; when shuffling, they are the first window of the shuffle
 * block being delivered, of which `blockOffset` windows were delivered
 * already.
 */
export interface DatasetPosition {
  /** Epoch, from 0. */
  readonly epoch: number;
  /** Where each lane continues, `[interleaveFiles]`. */
  readonly lanes: readonly LaneCursor[];
  /** The lane whose turn is next. */
  readonly lane: number;
  /** Stream windows of this epoch before the cursor (a multiple of `shuffleWindows` when shuffling). */
  readonly epochWindow: number;
  /** Windows of the current shuffle block already delivered (always 0 without shuffling). */
  readonly blockOffset: number;
  /** The dataset's shuffle block size, checked on resume (0: no shuffling). */
  readonly shuffleWindows: number;
  /** The dataset's window length, checked on resume. */
  readonly windowSamples: number;
  /** The dataset's number of lanes, checked on resume. */
  readonly interleaveFiles: number;
  /** Whether the dataset permutes the file order every epoch, checked on resume. */
  readonly shuffleFiles: boolean;
}

/** Where one window of a batch came from, and how to map it back to pA and ADC. */
export interface WindowSource {
  /** Index into the dataset's file list. */
  readonly fileIndex: number;
  /** Index of the read in its file. */
  readonly readIndex: number;
  /** The read's id. */
  readonly readId: string;
  /** Training window of the read: samples `[windowIndex·W, (windowIndex+1)·W)`. */
  readonly windowIndex: number;
  /** The read's normalisation stats (for `denormalise`). */
  readonly stats: NormalisationStats;
  /** The read's calibration (for `denormaliseToAdc`). */
  readonly calibration: Calibration;
}

/** What one epoch delivered, on the last batch of the epoch (`DatasetBatch.epochEnd`). */
export interface EpochSummary {
  /** The epoch. */
  readonly epoch: number;
  /** False when the iteration started inside this epoch (a resume): the counts cover only the part it streamed. */
  readonly complete: boolean;
  /** Windows delivered in batches. */
  readonly windows: number;
  /** Reads skipped because their MAD is 0 (median/MAD normalisation cannot scale them). */
  readonly madZeroReads: number;
  /** Reads skipped because they (or their file) could not be decoded. */
  readonly failedReads: number;
}

/** One batch of normalised windows. */
export interface DatasetBatch {
  /** The windows, `[batchSize, windowSamples]` row-major. */
  readonly values: Float32Array;
  /** Rows in this batch (smaller than the configured size only for a last batch kept with `dropLast: false`). */
  readonly batchSize: number;
  /** Samples per window. */
  readonly windowSamples: number;
  /** The epoch the windows belong to. */
  readonly epoch: number;
  /** Where to resume to get the batch after this one. */
  readonly position: DatasetPosition;
  /** Provenance of each row, `[batchSize]`. */
  readonly sources: readonly WindowSource[];
  /** Present on the last batch of an epoch: what the epoch delivered and skipped. */
  readonly epochEnd?: EpochSummary;
}

/** What a {@linkcode ReadFilter} sees of a read (metadata only; no signal is decoded to decide). */
export interface ReadInfo {
  /** The read's id. */
  readonly readId: string;
  /** Index into the dataset's file list. */
  readonly fileIndex: number;
  /** The POD5 file. */
  readonly path: string;
  /** Index of the read in its file. */
  readonly readIndex: number;
  /** Samples in the read. */
  readonly numSamples: number;
}

/**
 * A split inside every read: its last `ceil(fraction × windows)` training
 * windows (at least one, for reads of two or more windows) are held out, the
 * rest train. For small data sets with few, long reads, where a read-level
 * split cannot give both parts windows.
 */
export interface TailSplit {
  /** Fraction of each read's windows held out, in (0, 1). */
  readonly fraction: number;
  /** Which part the dataset yields. */
  readonly part: "train" | "heldout";
}

/** Decides which reads a dataset uses; must be deterministic for resume to be exact. */
export type ReadFilter = (read: ReadInfo) => boolean;

/** A problem with the data that was skipped rather than thrown: printed as `[warn] FILE: message`. */
export interface DatasetWarning {
  /** The POD5 file concerned. */
  readonly path: string;
  /** What was skipped and why. */
  readonly message: string;
}

/** Options of `NanoporeSignalDataset`. */
export interface NanoporeSignalDatasetOptions {
  /** The POD5 files, streamed in this order (see `discoverPod5Files`). */
  readonly files: readonly string[];
  /** Windows per batch (`train.batch_size`). */
  readonly batchSize: number;
  /** Samples per window (`segmentSamples(data)`). */
  readonly windowSamples: number;
  /** Expected sample rate (`data.sample_rate`); reads off by more than max(1 Hz, 0.1 %) are skipped with a warning. */
  readonly sampleRateHz: number;
  /** Normalisation (`data.normalization`). Default `"median_mad"`. */
  readonly normalisation?: NormalisationMode;
  /** Clip normalised values to `[−clip, clip]` (`data.clip`). Default null: no clipping. */
  readonly clip?: number | null;
  /** Floor on the normalisation scale, in pA. Default 1e-6 (the seed's). */
  readonly scaleFloorPa?: number;
  /** Shuffle block size in windows (`data.shuffle_buffer`); 0 or 1: file order. Default 0. */
  readonly shuffleWindows?: number;
  /** Seed of the shuffle and the file order (`seed`). Default 0. */
  readonly seed?: number;
  /** Visit the files in a seeded permutation, a new one every epoch. Default false: the given order. */
  readonly shuffleFiles?: boolean;
  /** Files read at a time, their windows taken in turn (`data.interleave_files`). Default 1. */
  readonly interleaveFiles?: number;
  /** Loader workers (`data.loader_workers`); 0 decodes on the calling thread. Default 0. */
  readonly workers?: number;
  /** Batches decoded ahead of the consumer (`data.loader_prefetch_chunks`). Default 8. */
  readonly prefetchBatches?: number;
  /** Drop each epoch's last partial batch (training). Default true. */
  readonly dropLast?: boolean;
  /** Keeps only the reads it accepts (e.g. `readSplitFilter`); must be deterministic. Default: all reads. */
  readonly readFilter?: ReadFilter;
  /** Keeps only the head (`train`) or tail (`heldout`) windows of every read. Default: all windows. */
  readonly tailSplit?: TailSplit;
  /** Receives skipped files and reads, once per distinct warning. Default: ignored. */
  readonly onWarning?: (warning: DatasetWarning) => void;
}

/** Options of `NanoporeSignalDataset.batches`. */
export interface BatchesOptions {
  /** Where to start: a `batch.position` saved earlier, or `startPosition(epoch)`. Default: epoch 0's start. */
  readonly from?: DatasetPosition;
  /** Stop before this epoch. Default: `from.epoch + 1` (one epoch). */
  readonly endEpoch?: number;
  /** Aborting rejects the pending `next()` with the signal's reason and stops the workers. */
  readonly signal?: AbortSignal;
}
