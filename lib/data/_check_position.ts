/**
 * The checks a saved {@linkcode DatasetPosition} passes before a dataset
 * resumes from it: its fields, and the settings it was saved with.
 *
 * @module
 */
import type { DatasetPosition } from "./types.ts";

/** The dataset settings a position must have been saved with. */
export interface PositionSettings {
  /** Samples per window. */
  readonly windowSamples: number;
  /** Shuffle block size. */
  readonly shuffleWindows: number;
  /** Files read at a time. */
  readonly interleaveFiles: number;
  /** Whether the file order is permuted. */
  readonly shuffleFiles: boolean;
}

/**
 * Check `position` against the dataset's settings.
 *
 * @throws {RangeError} Naming the field or setting that does not fit.
 */
export function checkPosition(position: DatasetPosition, dataset: PositionSettings): void {
  const fail = (why: string): never => {
    throw new RangeError(`Cannot resume dataset: ${why}`);
  };
  for (const key of ["epoch", "lane", "epochWindow", "blockOffset"] as const) {
    const value = position[key];
    if (!Number.isInteger(value) || value < 0) fail(`position.${key} ${value} is not a non-negative integer`);
  }
  if (position.windowSamples !== dataset.windowSamples) {
    fail(
      `the position was saved with ${position.windowSamples}-sample windows, the dataset uses ${dataset.windowSamples}`,
    );
  }
  if (position.shuffleWindows !== dataset.shuffleWindows) {
    fail(
      `the position was saved with shuffle block ${position.shuffleWindows}, the dataset uses ${dataset.shuffleWindows}`,
    );
  }
  if (position.interleaveFiles !== dataset.interleaveFiles || position.shuffleFiles !== dataset.shuffleFiles) {
    fail(
      `the position was saved interleaving ${position.interleaveFiles} files ` +
        `(${position.shuffleFiles ? "shuffled" : "in order"}), the dataset interleaves ${dataset.interleaveFiles} ` +
        `(${dataset.shuffleFiles ? "shuffled" : "in order"})`,
    );
  }
  const k = dataset.interleaveFiles;
  if (!Array.isArray(position.lanes) || position.lanes.length !== k || position.lane >= k) {
    fail(`the position has ${position.lanes?.length} lane cursors and lane ${position.lane}, not ${k} lanes`);
  }
  position.lanes.forEach((cursor, j) => {
    for (const key of ["order", "readIndex", "windowIndex"] as const) {
      const value = cursor?.[key];
      if (!Number.isInteger(value) || value < 0) {
        fail(`position.lanes[${j}].${key} ${value} is not a non-negative integer`);
      }
    }
    if (cursor.order % k !== j) fail(`position.lanes[${j}].order ${cursor.order} is not a file of lane ${j}`);
  });
  if (dataset.shuffleWindows > 1) {
    if (position.epochWindow % dataset.shuffleWindows !== 0 || position.blockOffset >= dataset.shuffleWindows) {
      fail(
        `position.epochWindow ${position.epochWindow} / blockOffset ${position.blockOffset} do not fit blocks of ${dataset.shuffleWindows}`,
      );
    }
  } else if (position.blockOffset !== 0) {
    fail(`position.blockOffset ${position.blockOffset} must be 0 without shuffling`);
  }
}
