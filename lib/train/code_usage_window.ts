/**
 * The sliding window of code counts behind the logged `codebook_perplexity`
 * and `codebook_util`: the last 100 micro-batches, as the seed kept them
 * (notes/simvqgan_model.md §2), saved with checkpoints for exact resume.
 *
 * @module
 */
import { type CodebookStats, codebookStats } from "../model/codebook_stats.ts";
import type { Tensor } from "../checkpoint/safetensors.ts";

/** Micro-batches the seed's window holds. */
export const CODE_WINDOW_BATCHES = 100;

/** Code counts of the last `capacity` micro-batches. */
export class CodeUsageWindow {
  /** Codebook size K. */
  readonly codebookSize: number;
  /** Micro-batches kept. */
  readonly capacity: number;
  #batches: Uint32Array[] = [];

  /**
   * Create a CodeUsageWindow.
   *
   * @param codebookSize K.
   * @param capacity Micro-batches kept. Default 100.
   */
  constructor(codebookSize: number, capacity: number = CODE_WINDOW_BATCHES) {
    if (!Number.isInteger(codebookSize) || codebookSize < 1 || !Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Cannot create code window: codebook ${codebookSize}, capacity ${capacity}`);
    }
    this.codebookSize = codebookSize;
    this.capacity = capacity;
  }

  /**
   * Add one micro-batch's counts (dropping the oldest beyond capacity).
   *
   * @param counts `[codebookSize]` counts.
   */
  add(counts: Uint32Array): void {
    if (counts.length !== this.codebookSize) {
      throw new RangeError(`Cannot add code counts: ${counts.length} values for a codebook of ${this.codebookSize}`);
    }
    this.#batches.push(counts.slice());
    if (this.#batches.length > this.capacity) this.#batches.shift();
  }

  /** Micro-batches currently held. */
  get size(): number {
    return this.#batches.length;
  }

  /**
   * Perplexity and usage of the summed counts.
   *
   * @returns The stats (perplexity 1 and usage 0 while empty).
   */
  stats(): CodebookStats {
    const total = new Float64Array(this.codebookSize);
    for (const counts of this.#batches) for (let k = 0; k < counts.length; k++) total[k]! += counts[k]!;
    return codebookStats(total);
  }

  /**
   * The window as a `[size, codebookSize]` U32 tensor, oldest first.
   *
   * @returns The tensor.
   */
  toTensor(): Tensor {
    const data = new Uint32Array(this.#batches.length * this.codebookSize);
    this.#batches.forEach((counts, i) => data.set(counts, i * this.codebookSize));
    return { shape: [this.#batches.length, this.codebookSize], data };
  }

  /**
   * Restore a window saved with {@linkcode toTensor}.
   *
   * @param tensor `[n, codebookSize]` U32.
   * @param capacity Micro-batches kept. Default 100.
   * @returns The window.
   */
  static fromTensor(tensor: Tensor, capacity: number = CODE_WINDOW_BATCHES): CodeUsageWindow {
    const [rows, codebookSize] = tensor.shape;
    if (tensor.shape.length !== 2 || rows === undefined || codebookSize === undefined) {
      throw new RangeError(`Cannot restore code window: shape [${tensor.shape}] is not [batches, codebook]`);
    }
    if (!(tensor.data instanceof Uint32Array)) throw new RangeError("Cannot restore code window: counts are not U32");
    const window = new CodeUsageWindow(codebookSize, capacity);
    for (let i = 0; i < rows; i++) window.add(tensor.data.subarray(i * codebookSize, (i + 1) * codebookSize));
    return window;
  }
}
