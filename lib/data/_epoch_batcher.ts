/**
 * Turning one epoch's stream of windows (interleaved, see `_interleave.ts`) into batches: an
 * optional seeded block shuffle, drop-last, and the resume position after
 * every batch.
 *
 * The shuffle cuts the stream into consecutive blocks of `shuffleWindows`
 * windows and permutes each block with a permutation drawn from
 * (seed, epoch, block index) alone. It needs `shuffleWindows` windows of
 * memory, like a shuffle buffer, but it has no state to carry: a position
 * (block start + windows delivered from it) restores it exactly.
 *
 * @module
 */
import { Rng } from "../runtime/rng.ts";
import { type Cursor, mix32, startCursor, type StreamWindow } from "./_interleave.ts";
import type { DatasetBatch, DatasetPosition } from "./types.ts";

/** A batch whose rows are chosen but not yet copied: {@linkcode buildBatch} copies them when it is delivered. */
export interface PendingBatch {
  readonly rows: readonly StreamWindow[];
  readonly epoch: number;
  readonly position: DatasetPosition;
}

/** Settings of an {@linkcode EpochBatcher}. */
export interface EpochBatcherOptions {
  readonly batchSize: number;
  readonly windowSamples: number;
  /** Block size of the shuffle; 0 or 1: no shuffle. */
  readonly shuffleWindows: number;
  readonly seed: number;
  readonly dropLast: boolean;
  /** Lanes of the interleave (recorded in positions). */
  readonly interleaveFiles: number;
  /** Whether the file order is permuted (recorded in positions). */
  readonly shuffleFiles: boolean;
  /** Where the epoch's stream starts (a block start when shuffling); `start.epoch` is the epoch. */
  readonly start: DatasetPosition;
}

/**
 * The permutation of one shuffle block: a pure function of its arguments.
 *
 * @param seed The dataset seed.
 * @param epoch The epoch.
 * @param blockIndex The block's index in the epoch.
 * @param length Windows in the block.
 * @returns A permutation of `[0, length)`.
 */
export function blockPermutation(seed: number, epoch: number, blockIndex: number, length: number): number[] {
  const rng = Rng.fromSeed(mix32(mix32(mix32(seed >>> 0, 0x5bd1e995), epoch), blockIndex));
  return rng.shuffle(Array.from({ length }, (_, i) => i));
}

/** Batches one epoch's windows; feed it windows in stream order, then call {@linkcode finish}. */
export class EpochBatcher {
  readonly #options: EpochBatcherOptions;
  readonly #shuffle: boolean;
  /** Where the current block starts (or, without shuffle, the cursor after the last window). */
  #blockCursor: Cursor;
  #blockEpochWindow: number;
  /** Windows of the first block to drop (delivered before a resume). */
  #skip: number;
  #block: StreamWindow[] = [];
  #rows: StreamWindow[] = [];

  /**
   * Create a EpochBatcher.
   *
   * @param options Batch size, shuffle, seed, drop-last and the starting position.
   */
  constructor(options: EpochBatcherOptions) {
    this.#options = options;
    this.#shuffle = options.shuffleWindows > 1;
    const { lanes, lane, epochWindow, blockOffset } = options.start;
    this.#blockCursor = { lanes, lane };
    this.#blockEpochWindow = epochWindow;
    this.#skip = blockOffset;
  }

  /**
   * Add the next window of the stream.
   *
   * @param window The window.
   * @returns The batches completed by it (possibly none), rows not yet copied.
   */
  push(window: StreamWindow): PendingBatch[] {
    if (!this.#shuffle) {
      this.#blockCursor = window.next;
      this.#blockEpochWindow++;
      this.#rows.push(window);
      return this.#rows.length === this.#options.batchSize ? [this.#batch(this.#position(window.next, 0))] : [];
    }
    this.#block.push(window);
    return this.#block.length === this.#options.shuffleWindows ? this.#flushBlock() : [];
  }

  /**
   * End the epoch: deliver the last shuffle block, then the last partial
   * batch unless `dropLast`.
   *
   * @returns The remaining batches.
   */
  finish(): PendingBatch[] {
    const batches = this.#shuffle && this.#block.length > 0 ? this.#flushBlock() : [];
    if (this.#rows.length > 0 && !this.#options.dropLast) {
      const epoch = this.#options.start.epoch + 1;
      batches.push(
        this.#batch({ ...this.#position(startCursor(this.#options.interleaveFiles), 0), epoch, epochWindow: 0 }),
      );
    }
    this.#rows = [];
    return batches;
  }

  #flushBlock(): PendingBatch[] {
    const block = this.#block;
    const blockIndex = this.#blockEpochWindow / this.#options.shuffleWindows;
    const order = blockPermutation(this.#options.seed, this.#options.start.epoch, blockIndex, block.length);
    const batches: PendingBatch[] = [];
    const last = block[block.length - 1]!;
    for (let k = this.#skip; k < order.length; k++) {
      this.#rows.push(block[order[k]!]!);
      if (this.#rows.length < this.#options.batchSize) continue;
      const position = k + 1 < order.length
        ? this.#position(this.#blockCursor, k + 1)
        : { ...this.#position(last.next, 0), epochWindow: this.#blockEpochWindow + block.length };
      batches.push(this.#batch(position));
    }
    this.#skip = 0;
    this.#blockCursor = last.next;
    this.#blockEpochWindow += block.length;
    this.#block = [];
    return batches;
  }

  #position(cursor: Cursor, blockOffset: number): DatasetPosition {
    return {
      epoch: this.#options.start.epoch,
      lanes: cursor.lanes,
      lane: cursor.lane,
      epochWindow: this.#blockEpochWindow,
      blockOffset,
      shuffleWindows: this.#options.shuffleWindows,
      windowSamples: this.#options.windowSamples,
      interleaveFiles: this.#options.interleaveFiles,
      shuffleFiles: this.#options.shuffleFiles,
    };
  }

  #batch(position: DatasetPosition): PendingBatch {
    const rows = this.#rows;
    this.#rows = [];
    return { rows, epoch: this.#options.start.epoch, position };
  }
}

/**
 * Copy a pending batch's rows into one row-major buffer.
 *
 * @param pending The batch.
 * @param windowSamples Samples per window.
 * @returns The batch, `values: [rows, windowSamples]`.
 */
export function buildBatch(pending: PendingBatch, windowSamples: number): DatasetBatch {
  const { rows } = pending;
  const values = new Float32Array(rows.length * windowSamples);
  for (let i = 0; i < rows.length; i++) values.set(rows[i]!.data, i * windowSamples);
  return {
    values,
    batchSize: rows.length,
    windowSamples,
    epoch: pending.epoch,
    position: pending.position,
    sources: rows.map((row) => row.source),
  };
}
