/**
 * The epochs of a dataset iteration: per epoch, a lane per interleaved file
 * slot reading ahead on the runner, the lanes' windows taken in turn, cut
 * into batches (with the seeded block shuffle), the epoch's last batch
 * carrying its summary.
 *
 * @module
 */
import { buildBatch, type EpochBatcher } from "./_epoch_batcher.ts";
import { epochFileOrder, WindowInterleaver } from "./_interleave.ts";
import { LaneReader, type LaneSettings } from "./_lane_windows.ts";
import type { UnitRunner } from "./_unit_runner.ts";
import type { DatasetBatch, DatasetPosition } from "./types.ts";

/** What {@linkcode streamEpochs} streams with. */
export interface EpochStreamContext {
  /** Who decodes the units. */
  readonly runner: UnitRunner;
  /** Where to start. */
  readonly from: DatasetPosition;
  /** Stop before this epoch. */
  readonly endEpoch: number;
  /** Aborting stops at the next batch. */
  readonly signal: AbortSignal | undefined;
  /** The dataset's sizes and order settings, and its epoch start positions. */
  readonly dataset: {
    readonly files: readonly string[];
    readonly batchSize: number;
    readonly windowSamples: number;
    readonly prefetchBatches: number;
    readonly interleaveFiles: number;
    readonly seed: number;
    readonly shuffleFiles: boolean;
    startPosition(epoch: number): DatasetPosition;
  };
  /** The lanes' settings (files, window, normalisation, filters, warnings). */
  readonly settings: Omit<LaneSettings, "onResult">;
  /** A batcher starting at a position. */
  readonly batcher: (start: DatasetPosition) => EpochBatcher;
  /** Whether this iteration is still the dataset's current one. */
  readonly isCurrent: () => boolean;
  /** Whether the dataset was closed (the stream then ends quietly). */
  readonly isClosed: () => boolean;
}

/**
 * Stream batches from `context.from` to the end of epoch `endEpoch − 1`.
 *
 * @param context Runner, positions, settings and the dataset's state.
 * @returns The batches.
 */
export async function* streamEpochs(context: EpochStreamContext): AsyncGenerator<DatasetBatch, void, undefined> {
  const { runner, from, endEpoch, signal, dataset } = context;
  const numFiles = dataset.files.length;
  // Each lane may run ahead by its share of the prefetch budget.
  const budgetWindows = Math.max(
    1,
    Math.floor(dataset.prefetchBatches * dataset.batchSize / Math.max(1, Math.min(dataset.interleaveFiles, numFiles))),
  );
  const counts = { madZeroReads: 0, failedReads: 0 };
  const settings: LaneSettings = {
    ...context.settings,
    onResult: (result) => {
      for (const read of result.reads) {
        if (read.skipped === "mad_zero") counts.madZeroReads++;
        else if (read.skipped === "failed") counts.failedReads++;
      }
    },
  };
  let lanes: (LaneReader | undefined)[] = [];
  try {
    for (let epoch = from.epoch; epoch < endEpoch; epoch++) {
      const start = epoch === from.epoch ? from : dataset.startPosition(epoch);
      const order = epochFileOrder(numFiles, { seed: dataset.seed, epoch, shuffle: dataset.shuffleFiles });
      lanes = start.lanes.map((cursor) =>
        cursor.order >= numFiles ? undefined : new LaneReader({
          runner,
          settings,
          order,
          lanes: dataset.interleaveFiles,
          start: cursor,
          budgetWindows,
          isCurrent: context.isCurrent,
        })
      );
      counts.madZeroReads = counts.failedReads = 0;
      const stream = new WindowInterleaver(lanes, start);
      const batcher = context.batcher(start);
      // One batch is held back, so that the epoch's last one is known and can carry the epoch's summary.
      let held: DatasetBatch | undefined;
      let delivered = 0;
      for (;;) {
        const window = await stream.next();
        const ready = (window === undefined ? batcher.finish() : batcher.push(window))
          .map((batch) => buildBatch(batch, dataset.windowSamples));
        if (window === undefined) {
          const rest = held === undefined ? ready : [held, ...ready];
          const last = rest.pop();
          if (last !== undefined) {
            const windows = delivered + rest.reduce((n, b) => n + b.batchSize, 0) + last.batchSize;
            const complete = start.epochWindow === 0 && start.blockOffset === 0;
            rest.push({ ...last, epochEnd: { epoch, complete, windows, ...counts } });
          }
          for (const batch of rest) {
            signal?.throwIfAborted();
            if (context.isClosed()) return;
            yield batch;
          }
          break;
        }
        for (const batch of ready) {
          if (held !== undefined) {
            signal?.throwIfAborted();
            if (context.isClosed()) return;
            delivered += held.batchSize;
            yield held;
          }
          held = batch;
        }
        signal?.throwIfAborted();
        if (context.isClosed()) return;
      }
      for (const lane of lanes) lane?.stop();
    }
  } finally {
    for (const lane of lanes) lane?.stop();
  }
}
