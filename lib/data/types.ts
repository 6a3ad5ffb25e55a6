/**
 * Value types of the data area: window provenance, batches, the resumable
 * position, read filters and warnings.
 *
 * @module
 */
import type { Calibration } from "../pod5/types.ts";
import type { NormalisationStats } from "../signal/types.ts";

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
