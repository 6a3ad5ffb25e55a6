/**
 * `NanoporeSignalDataset`: streams normalised training windows from POD5
 * files as `[batch, windowSamples]` batches, decoding on Deno Workers ahead of
 * the consumer, in an order that depends only on the files, the options and
 * the seed, and that resumes exactly from a saved position.
 *
 * @module
 */
import { MIN_SCALE_PA } from "../signal/types.ts";
import { checkPosition } from "./_check_position.ts";
import { EpochBatcher } from "./_epoch_batcher.ts";
import { streamEpochs } from "./_epoch_stream.ts";
import { describeFile, planFile } from "./_file_plan.ts";
import { startCursor } from "./_interleave.ts";
import type { LaneSettings } from "./_lane_windows.ts";
import { ReaderCache } from "./_reader_cache.ts";
import { InlineRunner, type UnitRunner, WorkerPoolRunner } from "./_unit_runner.ts";
import type { UnitNormalisation } from "./_work_unit.ts";
import type {
  BatchesOptions,
  DatasetBatch,
  DatasetPosition,
  DatasetWarning,
  NanoporeSignalDatasetOptions,
  ReadFilter,
  TailSplit,
} from "./types.ts";

export type { BatchesOptions, NanoporeSignalDatasetOptions } from "./types.ts";

/**
 * A stream of normalised training windows over POD5 files, in batches.
 *
 * Each epoch visits the files in order (or, with `shuffleFiles`, in a
 * permutation drawn from the seed and the epoch), `interleaveFiles` of them
 * at a time: lane `j` reads the files at places `j`, `j + K`, … of that
 * order, each file's eligible reads in file order and each read's
 * non-overlapping windows (the tail is dropped), and the stream takes one
 * window from each lane in turn. An optional seeded block shuffle then
 * permutes windows within blocks of `shuffleWindows`. Reads are normalised
 * over their whole length. Files that cannot be read, reads at another
 * sample rate, reads with unusable calibration and reads that fail to decode
 * are skipped with a warning; reads shorter than a window are skipped
 * silently. The batches are the same bytes whatever the number of workers.
 *
 * Workers start when an iteration starts and stop when it ends, breaks,
 * throws or is aborted, or on {@linkcode close}.
 *
 * @example One epoch, then resume from a saved position
 * ```ts ignore
 * import { NanoporeSignalDataset } from "./nanopore_signal_dataset.ts";
 * await using dataset = new NanoporeSignalDataset({
 *   files: ["reads.pod5"], batchSize: 32, windowSamples: 10_000, sampleRateHz: 5_000, workers: 2,
 *   onWarning: (w) => console.error(`[warn] ${w.path}: ${w.message}`),
 * });
 * let saved = dataset.startPosition();
 * for await (const batch of dataset.batches({ endEpoch: 2 })) {
 *   // batch.values: Float32Array [32, 10000]
 *   saved = batch.position; // store in the checkpoint
 * }
 * for await (const batch of dataset.batches({ from: saved, endEpoch: 3 })) { /* continues exactly *\/ }
 * ```
 */
export class NanoporeSignalDataset implements AsyncDisposable {
  /** The files, in stream order. */
  readonly files: readonly string[];
  /** Windows per batch. */
  readonly batchSize: number;
  /** Samples per window. */
  readonly windowSamples: number;
  /** Expected sample rate, Hz. */
  readonly sampleRateHz: number;
  /** Shuffle block size (0 or 1: none). */
  readonly shuffleWindows: number;
  /** Shuffle seed. */
  readonly seed: number;
  /** Whether the file order is permuted every epoch. */
  readonly shuffleFiles: boolean;
  /** Files read at a time. */
  readonly interleaveFiles: number;
  /** Loader workers (0: inline). */
  readonly workers: number;
  /** Batches decoded ahead. */
  readonly prefetchBatches: number;
  /** Whether each epoch's last partial batch is dropped. */
  readonly dropLast: boolean;
  readonly #normalisation: UnitNormalisation;
  readonly #readFilter: ReadFilter | undefined;
  readonly #tailSplit: TailSplit | undefined;
  readonly #onWarning: ((warning: DatasetWarning) => void) | undefined;
  readonly #warned = new Set<string>();
  #runner: UnitRunner | undefined;
  #iterating = false;
  #closed = false;

  /**
   * Create a NanoporeSignalDataset.
   *
   * @param options Files, batch and window sizes, sample rate, and optional settings (defaults listed there).
   * @throws {RangeError} When a size or count is not a positive (or, for workers and shuffle, non-negative) integer.
   */
  constructor(options: NanoporeSignalDatasetOptions) {
    this.files = Object.freeze([...options.files]);
    this.batchSize = checkInteger("batchSize", options.batchSize, 1);
    this.windowSamples = checkInteger("windowSamples", options.windowSamples, 1);
    if (!(options.sampleRateHz > 0 && Number.isFinite(options.sampleRateHz))) {
      throw new RangeError(`Cannot create dataset: sampleRateHz ${options.sampleRateHz} must be positive`);
    }
    this.sampleRateHz = options.sampleRateHz;
    this.shuffleWindows = checkInteger("shuffleWindows", options.shuffleWindows ?? 0, 0);
    this.seed = checkInteger("seed", options.seed ?? 0, -(2 ** 53));
    this.shuffleFiles = options.shuffleFiles ?? false;
    this.interleaveFiles = checkInteger("interleaveFiles", options.interleaveFiles ?? 1, 1);
    this.workers = checkInteger("workers", options.workers ?? 0, 0);
    this.prefetchBatches = checkInteger("prefetchBatches", options.prefetchBatches ?? 8, 1);
    this.dropLast = options.dropLast ?? true;
    const mode = options.normalisation ?? "median_mad";
    if (mode !== "median_mad" && mode !== "minmax") {
      throw new RangeError(`Cannot create dataset: unknown normalisation "${String(mode)}"`);
    }
    const clip = options.clip ?? null;
    if (clip !== null && !(clip > 0 && Number.isFinite(clip))) {
      throw new RangeError(`Cannot create dataset: clip ${clip} must be positive`);
    }
    const scaleFloorPa = options.scaleFloorPa ?? MIN_SCALE_PA;
    if (!(scaleFloorPa > 0 && Number.isFinite(scaleFloorPa))) {
      throw new RangeError(`Cannot create dataset: scaleFloorPa ${scaleFloorPa} must be positive`);
    }
    this.#normalisation = { mode, clip, scaleFloorPa };
    this.#readFilter = options.readFilter;
    const split = options.tailSplit;
    if (split !== undefined && !(split.fraction > 0 && split.fraction < 1)) {
      throw new RangeError(`Cannot create dataset: tailSplit.fraction ${split.fraction} must be in (0, 1)`);
    }
    this.#tailSplit = split;
    this.#onWarning = options.onWarning;
  }

  /**
   * How many windows one epoch yields (before `dropLast` trims the last
   * partial batch), from the files' metadata alone: no signal is decoded.
   * Warnings about skipped files and reads are reported now (once).
   *
   * @returns Windows per epoch.
   */
  async countEpochWindows(): Promise<number> {
    const readers = new ReaderCache();
    try {
      let windows = 0;
      for (const [fileIndex, path] of this.files.entries()) {
        const plan = planFile(await describeFile(path, readers), fileIndex, {
          windowSamples: this.windowSamples,
          sampleRateHz: this.sampleRateHz,
          readFilter: this.#readFilter,
          tailSplit: this.#tailSplit,
          warn: (warning) => this.#warn(warning),
        });
        for (const read of plan?.reads ?? []) windows += read.numWindows;
      }
      return windows;
    } finally {
      await readers.close();
    }
  }

  /**
   * The position at the start of an epoch.
   *
   * @param epoch The epoch, from 0. Default 0.
   * @returns The position.
   */
  startPosition(epoch = 0): DatasetPosition {
    checkInteger("epoch", epoch, 0, "Cannot compute start position");
    return {
      epoch,
      ...startCursor(this.interleaveFiles),
      epochWindow: 0,
      blockOffset: 0,
      shuffleWindows: this.shuffleWindows,
      windowSamples: this.windowSamples,
      interleaveFiles: this.interleaveFiles,
      shuffleFiles: this.shuffleFiles,
    };
  }

  /**
   * Iterate batches from a position to the end of an epoch. One iteration
   * at a time; the workers live as long as the iteration.
   *
   * @param options Start position (default: epoch 0), end epoch (default: one epoch) and abort signal.
   * @returns An async iterator of batches, each `values: Float32Array [batchSize, windowSamples]`.
   * @throws {RangeError} When `from` does not fit this dataset (other shuffle or window size, bad fields).
   * @throws {Error} When the dataset is closed or already being iterated.
   * @throws {DatasetWorkerError} When a loader worker crashes (not for bad data, which is skipped).
   */
  async *batches(options: BatchesOptions = {}): AsyncGenerator<DatasetBatch, void, undefined> {
    if (this.#closed) throw new Error("Cannot iterate dataset: it is closed");
    if (this.#iterating) throw new Error("Cannot iterate dataset: another iteration is running");
    const from = options.from ?? this.startPosition(0);
    checkPosition(from, this);
    const endEpoch = checkInteger("endEpoch", options.endEpoch ?? from.epoch + 1, from.epoch, "Cannot iterate dataset");
    const signal = options.signal;
    signal?.throwIfAborted();
    this.#iterating = true;
    // Each lane keeps its current file open, and describes its next one ahead.
    const openReaders = 2 * this.interleaveFiles + 1;
    const runner = this.workers === 0 ? new InlineRunner(openReaders) : new WorkerPoolRunner(this.workers, openReaders);
    this.#runner = runner;
    const onAbort = () => void runner.close();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      yield* streamEpochs({
        runner,
        from,
        endEpoch,
        signal,
        dataset: this,
        settings: this.#laneSettings(),
        batcher: (start) => this.#batcher(start),
        isCurrent: () => this.#runner === runner,
        isClosed: () => this.#closed,
      });
    } catch (error) {
      // Work cut short by an abort or by close() rejects; report the abort's reason, end a closed dataset quietly.
      if (signal?.aborted === true) throw signal.reason;
      if (this.#closed) return;
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.#runner = undefined;
      this.#iterating = false;
      await runner.close();
    }
  }

  /** Stop any iteration (it ends quietly at its next step), terminate the workers and close the files. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#runner?.close();
  }

  /** Same as {@linkcode close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #laneSettings(): Omit<LaneSettings, "onResult"> {
    return {
      files: this.files,
      windowSamples: this.windowSamples,
      sampleRateHz: this.sampleRateHz,
      normalisation: this.#normalisation,
      readFilter: this.#readFilter,
      tailSplit: this.#tailSplit,
      warn: (warning) => this.#warn(warning),
    };
  }

  #batcher(start: DatasetPosition): EpochBatcher {
    return new EpochBatcher({
      batchSize: this.batchSize,
      windowSamples: this.windowSamples,
      shuffleWindows: this.shuffleWindows,
      seed: this.seed,
      dropLast: this.dropLast,
      interleaveFiles: this.interleaveFiles,
      shuffleFiles: this.shuffleFiles,
      start,
    });
  }

  #warn(warning: DatasetWarning): void {
    const key = `${warning.path}\u0000${warning.message}`;
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#onWarning?.(warning);
  }
}

function checkInteger(name: string, value: number, min: number, action = "Cannot create dataset"): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${action}: ${name} ${value} must be an integer ≥ ${min}`);
  }
  return value;
}
