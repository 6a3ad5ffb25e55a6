/**
 * The order an epoch visits its files in, and the interleave of several
 * files: `K` lanes, lane `j` reading the files at orders `j`, `j + K`, `j +
 * 2K`, … of the epoch's file order, and a stream that takes one window from
 * each lane in turn (a lane that runs out of windows drops out of the turn).
 * The file order is the given order or a permutation drawn from (seed,
 * epoch) alone, so that a position (one cursor per lane and whose turn it
 * is) restores the stream exactly.
 *
 * @module
 */
import { Rng } from "../runtime/rng.ts";
import type { LaneCursor, WindowSource } from "./types.ts";

/** Where the interleaved stream continues: a cursor per lane and the lane whose turn is next. */
export interface Cursor {
  readonly lanes: readonly LaneCursor[];
  readonly lane: number;
}

/** One window of the interleaved stream. */
export interface StreamWindow {
  /** The normalised samples, `[windowSamples]`. */
  readonly data: Float32Array;
  readonly source: WindowSource;
  /** The cursor just after this window. */
  readonly next: Cursor;
}

/** One window of a lane, with the lane's cursor after it. */
export interface LaneWindow {
  readonly data: Float32Array;
  readonly source: WindowSource;
  readonly next: LaneCursor;
}

/** The windows of one lane, in order; undefined once the lane has no more. */
export interface LaneWindows {
  next(): Promise<LaneWindow | undefined>;
}

/** Options of {@linkcode epochFileOrder}. */
export interface FileOrderOptions {
  readonly seed: number;
  readonly epoch: number;
  /** Permute (true) or keep the given order (false). */
  readonly shuffle: boolean;
}

/** Salt of the file-order permutation, so that it draws other numbers than the shuffle blocks. */
const FILE_ORDER_SALT = 0x2f1e0c4b;

/**
 * The file indices an epoch visits, in order: `[0, numFiles)` as given, or
 * a permutation that depends on (seed, epoch) alone.
 *
 * @param numFiles Files in the dataset.
 * @param options Seed, epoch, and whether to permute.
 * @returns File indices, `[numFiles]`.
 */
export function epochFileOrder(numFiles: number, options: FileOrderOptions): number[] {
  const order = Array.from({ length: numFiles }, (_, i) => i);
  if (!options.shuffle) return order;
  return Rng.fromSeed(mix32(mix32(options.seed >>> 0, FILE_ORDER_SALT), options.epoch)).shuffle(order);
}

/**
 * The cursor at the start of an epoch: lane `j` at order `j`, lane 0's turn.
 *
 * @param lanes The number of lanes.
 * @returns The cursor.
 */
export function startCursor(lanes: number): Cursor {
  return { lanes: Array.from({ length: lanes }, (_, order) => ({ order, readIndex: 0, windowIndex: 0 })), lane: 0 };
}

/**
 * A 32-bit mix of a hash state and a value (murmur3's finaliser steps).
 *
 * @param h The state.
 * @param value The value mixed in.
 * @returns The new state.
 */
export function mix32(h: number, value: number): number {
  let x = Math.imul(h ^ (value >>> 0), 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return (x + Math.imul(value >>> 0, 0x9e3779b9)) >>> 0;
}

/** Takes one window from each lane in turn, starting at a cursor. */
export class WindowInterleaver {
  readonly #lanes: (LaneWindows | undefined)[];
  #cursors: readonly LaneCursor[];
  #turn: number;

  /**
   * Create a WindowInterleaver.
   *
   * @param lanes The lanes' windows (undefined: a lane that is done), `[K]`.
   * @param start Where the stream starts (`start.lanes` has one cursor per lane).
   */
  constructor(lanes: readonly (LaneWindows | undefined)[], start: Cursor) {
    if (start.lanes.length !== lanes.length) {
      throw new RangeError(`Cannot interleave: ${lanes.length} lanes but ${start.lanes.length} cursors`);
    }
    this.#lanes = [...lanes];
    this.#cursors = start.lanes;
    this.#turn = start.lane;
  }

  /**
   * The stream's next window.
   *
   * @returns The window and the cursor after it, or undefined when every lane is done.
   */
  async next(): Promise<StreamWindow | undefined> {
    const k = this.#lanes.length;
    for (let tried = 0; tried < k; tried++) {
      const q = this.#turn;
      this.#turn = (q + 1) % k;
      const lane = this.#lanes[q];
      if (lane === undefined) continue;
      const window = await lane.next();
      if (window === undefined) {
        this.#lanes[q] = undefined;
        continue;
      }
      const cursors = [...this.#cursors];
      cursors[q] = window.next;
      this.#cursors = cursors;
      return { data: window.data, source: window.source, next: { lanes: cursors, lane: this.#turn } };
    }
    return undefined;
  }
}
