/**
 * `NanoporeSignalDataset`: streams normalised training windows from POD5
 * files as `[batch, windowSamples]` batches, decoding on Deno Workers ahead of
 * the consumer, in an order that depends only on the files, the options and
 * the seed, and that resumes exactly from a saved position.
 *
 * @module
 */
import type { NormalisationMode } from "../signal/types.ts";
import { MIN_SCALE_PA } from "../signal/types.ts";
import { buildBatch, type Cursor, EpochBatcher, type PendingBatch, type StreamWindow } from "./_epoch_batcher.ts";
import { DispatchQueue, type PlannedItem } from "./_dispatch_queue.ts";
import { describeFile, type FileSummary, planFile } from "./_file_plan.ts";
import { ReaderCache } from "./_reader_cache.ts";
import { InlineRunner, type UnitRunner, WorkerPoolRunner } from "./_unit_runner.ts";
import type { UnitNormalisation, UnitRead, UnitResult, WorkUnit } from "./_work_unit.ts";
import type { DatasetBatch, DatasetPosition, DatasetWarning, ReadFilter, TailSplit } from "./types.ts";

/** Reads are grouped into work units of about this many windows (a longer read is one unit). */
const UNIT_TARGET_WINDOWS = 64;
/** Files described ahead of the one being planned (epoch ends count as one). */
const DESCRIBE_AHEAD = 3;

/** Options of {@linkcode NanoporeSignalDataset}. */
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
  /** Seed of the shuffle (`seed`). Default 0. */
  readonly seed?: number;
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

/** Options of {@linkcode NanoporeSignalDataset.batches}. */
export interface BatchesOptions {
  /** Where to start: a `batch.position` saved earlier, or `startPosition(epoch)`. Default: epoch 0's start. */
  readonly from?: DatasetPosition;
  /** Stop before this epoch. Default: `from.epoch + 1` (one epoch). */
  readonly endEpoch?: number;
  /** Aborting rejects the pending `next()` with the signal's reason and stops the workers. */
  readonly signal?: AbortSignal;
}

/**
 * A stream of normalised training windows over POD5 files, in batches.
 *
 * Each epoch walks the files in order, each file's eligible reads in file
 * order and each read's non-overlapping windows (the tail is dropped); an
 * optional seeded block shuffle permutes windows within blocks of
 * `shuffleWindows`. Reads are normalised over their whole length. Files that
 * cannot be read, reads at another sample rate, reads with unusable
 * calibration and reads that fail to decode are skipped with a warning;
 * reads shorter than a window are skipped silently. The batches are the same
 * bytes whatever the number of workers.
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
      fileIndex: 0,
      readIndex: 0,
      windowIndex: 0,
      epochWindow: 0,
      blockOffset: 0,
      shuffleWindows: this.shuffleWindows,
      windowSamples: this.windowSamples,
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
    this.#checkPosition(from);
    const endEpoch = checkInteger("endEpoch", options.endEpoch ?? from.epoch + 1, from.epoch, "Cannot iterate dataset");
    const signal = options.signal;
    signal?.throwIfAborted();
    this.#iterating = true;
    const runner = this.workers === 0 ? new InlineRunner() : new WorkerPoolRunner(this.workers);
    this.#runner = runner;
    const onAbort = () => void runner.close();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      yield* this.#stream(runner, from, endEpoch, signal);
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

  async *#stream(
    runner: UnitRunner,
    from: DatasetPosition,
    endEpoch: number,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<DatasetBatch, void, undefined> {
    const queue = new DispatchQueue(this.#plan(runner, from, endEpoch), runner, this.prefetchBatches * this.batchSize);
    try {
      let batcher = this.#batcher(from);
      for (;;) {
        const head = await queue.next();
        if (head === undefined) return;
        let batches: PendingBatch[];
        if (head.kind === "epoch-end") {
          batches = batcher.finish();
          batcher = this.#batcher(this.startPosition(head.epoch + 1));
        } else {
          const result = await head.result;
          queue.release(head.plannedWindows);
          for (const warning of result.warnings) this.#warn(warning);
          batches = [];
          for (const window of streamWindows(head.unit, result)) batches.push(...batcher.push(window));
        }
        for (const batch of batches) {
          signal?.throwIfAborted();
          if (this.#closed) return;
          yield buildBatch(batch, this.windowSamples);
        }
        signal?.throwIfAborted();
        if (this.#closed) return;
      }
    } finally {
      queue.stop();
    }
  }

  async *#plan(
    runner: UnitRunner,
    from: DatasetPosition,
    endEpoch: number,
  ): AsyncGenerator<PlannedItem, void, undefined> {
    // Files are described a few visits ahead so that the loaders have read the next reads tables by the time
    // the stream reaches them.
    const visits = fileVisits(from, endEpoch, this.files.length);
    const ahead: { readonly visit: FileVisit; readonly summary: Promise<FileSummary> | undefined }[] = [];
    for (;;) {
      while (ahead.length < DESCRIBE_AHEAD) {
        const next = visits.next();
        if (next.done === true) break;
        const visit = next.value;
        const summary = visit.fileIndex === undefined ? undefined : runner.describe(this.files[visit.fileIndex]!);
        summary?.catch(() => undefined); // Awaited below; one left behind must not be "unhandled".
        ahead.push({ visit, summary });
      }
      const item = ahead.shift();
      if (item === undefined) return;
      const { epoch, fileIndex } = item.visit;
      if (fileIndex === undefined || item.summary === undefined) {
        yield { kind: "epoch-end", epoch };
        continue;
      }
      const summary = await item.summary;
      if (this.#runner !== runner) return; // The iteration ended while the file was being described.
      const plan = planFile(summary, fileIndex, {
        windowSamples: this.windowSamples,
        sampleRateHz: this.sampleRateHz,
        readFilter: this.#readFilter,
        tailSplit: this.#tailSplit,
        warn: (warning) => this.#warn(warning),
      });
      if (plan === undefined) continue;
      const start = epoch === from.epoch && fileIndex === from.fileIndex ? from : undefined;
      let reads: UnitRead[] = [];
      let windows = 0;
      for (const read of plan.reads) {
        if (start !== undefined && read.readIndex < start.readIndex) continue;
        const resumed = start !== undefined && read.readIndex === start.readIndex;
        const firstWindow = resumed ? Math.max(read.firstWindow, start.windowIndex) : read.firstWindow;
        const numWindows = read.firstWindow + read.numWindows - firstWindow;
        if (numWindows <= 0) continue;
        if (windows > 0 && windows + numWindows > UNIT_TARGET_WINDOWS) {
          yield { kind: "unit", epoch, unit: this.#unit(fileIndex, plan.path, reads) };
          reads = [];
          windows = 0;
        }
        reads.push({ readIndex: read.readIndex, readId: read.readId, firstWindow, numWindows });
        windows += numWindows;
      }
      if (windows > 0) yield { kind: "unit", epoch, unit: this.#unit(fileIndex, plan.path, reads) };
    }
  }

  #unit(fileIndex: number, path: string, reads: readonly UnitRead[]): Omit<WorkUnit, "seq"> {
    return { fileIndex, path, reads, windowSamples: this.windowSamples, normalisation: this.#normalisation };
  }

  #batcher(start: DatasetPosition): EpochBatcher {
    return new EpochBatcher({
      batchSize: this.batchSize,
      windowSamples: this.windowSamples,
      shuffleWindows: this.shuffleWindows,
      seed: this.seed,
      dropLast: this.dropLast,
      start,
    });
  }

  #warn(warning: DatasetWarning): void {
    const key = `${warning.path}\u0000${warning.message}`;
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#onWarning?.(warning);
  }

  #checkPosition(position: DatasetPosition): void {
    const fail = (why: string): never => {
      throw new RangeError(`Cannot resume dataset: ${why}`);
    };
    for (const key of ["epoch", "fileIndex", "readIndex", "windowIndex", "epochWindow", "blockOffset"] as const) {
      const value = position[key];
      if (!Number.isInteger(value) || value < 0) fail(`position.${key} ${value} is not a non-negative integer`);
    }
    if (position.windowSamples !== this.windowSamples) {
      fail(
        `the position was saved with ${position.windowSamples}-sample windows, the dataset uses ${this.windowSamples}`,
      );
    }
    if (position.shuffleWindows !== this.shuffleWindows) {
      fail(
        `the position was saved with shuffle block ${position.shuffleWindows}, the dataset uses ${this.shuffleWindows}`,
      );
    }
    if (position.fileIndex > this.files.length) {
      fail(`position.fileIndex ${position.fileIndex} is past the ${this.files.length} files`);
    }
    if (this.shuffleWindows > 1) {
      if (position.epochWindow % this.shuffleWindows !== 0 || position.blockOffset >= this.shuffleWindows) {
        fail(
          `position.epochWindow ${position.epochWindow} / blockOffset ${position.blockOffset} do not fit blocks of ${this.shuffleWindows}`,
        );
      }
    } else if (position.blockOffset !== 0) {
      fail(`position.blockOffset ${position.blockOffset} must be 0 without shuffling`);
    }
  }
}

/** One step of the walk over files: a file of an epoch, or (no `fileIndex`) the epoch's end. */
interface FileVisit {
  readonly epoch: number;
  readonly fileIndex?: number;
}

function* fileVisits(from: DatasetPosition, endEpoch: number, numFiles: number): Generator<FileVisit> {
  for (let epoch = from.epoch; epoch < endEpoch; epoch++) {
    for (let fileIndex = epoch === from.epoch ? from.fileIndex : 0; fileIndex < numFiles; fileIndex++) {
      yield { epoch, fileIndex };
    }
    yield { epoch };
  }
}

/** The unit's windows as stream items, each with the cursor after it. */
function* streamWindows(unit: WorkUnit, result: UnitResult): Generator<StreamWindow> {
  const w = unit.windowSamples;
  let row = 0;
  for (const read of result.reads) {
    if (read.stats === null || read.calibration === null) continue;
    for (let k = 0; k < read.numWindows; k++) {
      const windowIndex = read.firstWindow + k;
      const next: Cursor = k + 1 < read.numWindows
        ? { fileIndex: unit.fileIndex, readIndex: read.readIndex, windowIndex: windowIndex + 1 }
        : { fileIndex: unit.fileIndex, readIndex: read.readIndex + 1, windowIndex: 0 };
      yield {
        data: result.windows.subarray(row * w, (row + 1) * w),
        source: {
          fileIndex: unit.fileIndex,
          readIndex: read.readIndex,
          readId: read.readId,
          windowIndex,
          stats: read.stats,
          calibration: read.calibration,
        },
        next,
      };
      row++;
    }
  }
}

function checkInteger(name: string, value: number, min: number, action = "Cannot create dataset"): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${action}: ${name} ${value} must be an integer ≥ ${min}`);
  }
  return value;
}
