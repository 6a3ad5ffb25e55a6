/**
 * One lane of the interleave (`_interleave.ts`): the files at orders `j`,
 * `j + K`, … of the epoch's file order, planned from their metadata a few
 * files ahead, cut into work units that run on the loaders within the lane's
 * share of the prefetch budget, and delivered window by window with the
 * lane's cursor after each.
 *
 * @module
 */
import { DispatchQueue, type PlannedItem, type QueuedItem } from "./_dispatch_queue.ts";
import { type FileSummary, planFile } from "./_file_plan.ts";
import type { LaneWindow, LaneWindows } from "./_interleave.ts";
import type { UnitRunner } from "./_unit_runner.ts";
import type { UnitNormalisation, UnitRead, UnitResult } from "./_work_unit.ts";
import type { DatasetWarning, LaneCursor, ReadFilter, TailSplit } from "./types.ts";

/** Reads are grouped into work units of about this many windows (a longer read is one unit). */
const UNIT_TARGET_WINDOWS = 64;
/** Files of a lane described ahead of the one being planned. */
const DESCRIBE_AHEAD = 2;

/** What planning needs from the dataset. */
export interface LaneSettings {
  readonly files: readonly string[];
  readonly windowSamples: number;
  readonly sampleRateHz: number;
  readonly normalisation: UnitNormalisation;
  readonly readFilter: ReadFilter | undefined;
  readonly tailSplit: TailSplit | undefined;
  /** Receives warnings (the dataset reports each distinct one once). */
  readonly warn: (warning: DatasetWarning) => void;
  /** Sees every unit's result as it is delivered (e.g. to count skipped reads). */
  readonly onResult: (result: UnitResult) => void;
}

/** Options of {@linkcode LaneReader}. */
export interface LaneReaderOptions {
  readonly runner: UnitRunner;
  readonly settings: LaneSettings;
  /** The epoch's file order (file indices). */
  readonly order: readonly number[];
  /** The number of lanes, K. */
  readonly lanes: number;
  /** Where this lane starts; `start.order` is its first file's order. */
  readonly start: LaneCursor;
  /** Windows this lane may have started and not yet delivered (at least one unit always runs). */
  readonly budgetWindows: number;
  /** False once the iteration that owns the lane has ended. */
  readonly isCurrent: () => boolean;
}

/** Delivers one lane's windows. */
export class LaneReader implements LaneWindows {
  readonly #settings: LaneSettings;
  readonly #queue: DispatchQueue;
  #windows: Iterator<LaneWindow> | undefined;

  /**
   * Start planning and running the lane's units.
   *
   * @param options Runner, settings, file order, lane start and budget.
   */
  constructor(options: LaneReaderOptions) {
    this.#settings = options.settings;
    this.#queue = new DispatchQueue(planLane(options), options.runner, options.budgetWindows);
  }

  /**
   * The lane's next window.
   *
   * @returns The window with the lane's cursor after it, or undefined when the lane has no more.
   */
  async next(): Promise<LaneWindow | undefined> {
    for (;;) {
      const window = this.#windows?.next();
      if (window !== undefined && window.done !== true) return window.value;
      const item = await this.#queue.next();
      if (item === undefined) return undefined;
      const result = await item.result;
      this.#queue.release(item.plannedWindows);
      for (const warning of result.warnings) this.#settings.warn(warning);
      this.#settings.onResult(result);
      this.#windows = laneWindows(item, result);
    }
  }

  /** Stop planning and starting units. */
  stop(): void {
    this.#queue.stop();
  }
}

async function* planLane(options: LaneReaderOptions): AsyncGenerator<PlannedItem, void, undefined> {
  const { settings, order, lanes, start, runner } = options;
  // Files are described ahead so that the loaders have read the next reads tables by the time the lane needs them.
  const ahead: { readonly order: number; readonly fileIndex: number; readonly summary: Promise<FileSummary> }[] = [];
  let nextOrder = start.order;
  for (;;) {
    while (ahead.length < DESCRIBE_AHEAD && nextOrder < order.length) {
      const fileIndex = order[nextOrder]!;
      const summary = runner.describe(settings.files[fileIndex]!);
      summary.catch(() => undefined); // Awaited below; one left behind must not be "unhandled".
      ahead.push({ order: nextOrder, fileIndex, summary });
      nextOrder += lanes;
    }
    const item = ahead.shift();
    if (item === undefined) return;
    const summary = await item.summary;
    if (!options.isCurrent()) return; // The iteration ended while the file was being described.
    const plan = planFile(summary, item.fileIndex, {
      windowSamples: settings.windowSamples,
      sampleRateHz: settings.sampleRateHz,
      readFilter: settings.readFilter,
      tailSplit: settings.tailSplit,
      warn: settings.warn,
    });
    if (plan === undefined) continue;
    const resume = item.order === start.order ? start : undefined;
    const unit = (reads: readonly UnitRead[]): PlannedItem => ({
      order: item.order,
      unit: {
        fileIndex: item.fileIndex,
        path: plan.path,
        reads,
        windowSamples: settings.windowSamples,
        normalisation: settings.normalisation,
      },
    });
    let reads: UnitRead[] = [];
    let windows = 0;
    for (const read of plan.reads) {
      if (resume !== undefined && read.readIndex < resume.readIndex) continue;
      const resumed = resume !== undefined && read.readIndex === resume.readIndex;
      const firstWindow = resumed ? Math.max(read.firstWindow, resume.windowIndex) : read.firstWindow;
      const numWindows = read.firstWindow + read.numWindows - firstWindow;
      if (numWindows <= 0) continue;
      if (windows > 0 && windows + numWindows > UNIT_TARGET_WINDOWS) {
        yield unit(reads);
        reads = [];
        windows = 0;
      }
      reads.push({ readIndex: read.readIndex, readId: read.readId, firstWindow, numWindows });
      windows += numWindows;
    }
    if (windows > 0) yield unit(reads);
  }
}

/** The unit's windows, each with the lane's cursor after it. */
function* laneWindows(item: QueuedItem, result: UnitResult): Generator<LaneWindow> {
  const { unit, order } = item;
  const w = unit.windowSamples;
  let row = 0;
  for (const read of result.reads) {
    if (read.stats === null || read.calibration === null) continue;
    for (let k = 0; k < read.numWindows; k++) {
      const windowIndex = read.firstWindow + k;
      const next: LaneCursor = k + 1 < read.numWindows
        ? { order, readIndex: read.readIndex, windowIndex: windowIndex + 1 }
        : { order, readIndex: read.readIndex + 1, windowIndex: 0 };
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
