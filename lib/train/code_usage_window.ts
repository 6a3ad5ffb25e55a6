/**
 * The sliding window of code counts behind the logged `codebook_perplexity`
 * and `codebook_util` (and `codebook_perplexity_q<k>`, `codebook_util_q<k>`
 * of residual stages k ≥ 2): the last 100 micro-batches, as the seed kept
 * them (notes/simvqgan_model.md §2), saved with checkpoints for exact resume.
 *
 * @module
 */
import { type CodebookStats, codebookStats } from "../model/codebook_stats.ts";
import type { Tensor } from "../checkpoint/safetensors.ts";

/** Micro-batches the seed's window holds. */
export const CODE_WINDOW_BATCHES = 100;

/** Options of {@linkcode CodeUsageWindow}. */
export interface CodeUsageWindowOptions {
  /** Micro-batches kept. Default {@linkcode CODE_WINDOW_BATCHES}. */
  readonly capacity?: number;
  /** Quantizer stages counted. Default 1. */
  readonly stages?: number;
}

/** Code counts of the last `capacity` micro-batches, per quantizer stage. */
export class CodeUsageWindow {
  /** Codebook size K. */
  readonly codebookSize: number;
  /** Micro-batches kept. */
  readonly capacity: number;
  /** Quantizer stages counted. */
  readonly stages: number;
  #batches: Uint32Array[][] = [];

  /**
   * Create a CodeUsageWindow.
   *
   * @param codebookSize K.
   * @param options Capacity (default 100 micro-batches) and stages (default 1).
   */
  constructor(codebookSize: number, options: CodeUsageWindowOptions = {}) {
    const capacity = options.capacity ?? CODE_WINDOW_BATCHES, stages = options.stages ?? 1;
    const bad = (n: number) => !Number.isInteger(n) || n < 1;
    if (bad(codebookSize) || bad(capacity) || bad(stages)) {
      throw new RangeError(
        `Cannot create code window: codebook ${codebookSize}, capacity ${capacity}, stages ${stages}`,
      );
    }
    this.codebookSize = codebookSize;
    this.capacity = capacity;
    this.stages = stages;
  }

  /**
   * Add one micro-batch's counts (dropping the oldest beyond capacity).
   *
   * @param counts One `[codebookSize]` array per stage, stage 1 first.
   */
  add(counts: readonly Uint32Array[]): void {
    if (counts.length !== this.stages) {
      throw new RangeError(`Cannot add code counts: ${counts.length} stages for a window of ${this.stages}`);
    }
    for (const c of counts) {
      if (c.length !== this.codebookSize) {
        throw new RangeError(`Cannot add code counts: ${c.length} values for a codebook of ${this.codebookSize}`);
      }
    }
    this.#batches.push(counts.map((c) => c.slice()));
    if (this.#batches.length > this.capacity) this.#batches.shift();
  }

  /** Micro-batches currently held. */
  get size(): number {
    return this.#batches.length;
  }

  /**
   * Perplexity and usage of one stage's summed counts.
   *
   * @param stage The 1-based stage. Default 1.
   * @returns The stats (perplexity 1 and usage 0 while empty).
   */
  stats(stage: number = 1): CodebookStats {
    if (!Number.isInteger(stage) || stage < 1 || stage > this.stages) {
      throw new RangeError(`Cannot compute code stats: stage ${stage} is not in [1, ${this.stages}]`);
    }
    const total = new Float64Array(this.codebookSize);
    for (const batch of this.#batches) {
      const counts = batch[stage - 1]!;
      for (let k = 0; k < counts.length; k++) total[k]! += counts[k]!;
    }
    return codebookStats(total);
  }

  /**
   * The window as a U32 tensor, oldest first: `[size, codebookSize]` for one
   * stage (the layout of version 0.1.0), `[size, stages, codebookSize]` for more.
   *
   * @returns The tensor.
   */
  toTensor(): Tensor {
    const row = this.stages * this.codebookSize;
    const data = new Uint32Array(this.#batches.length * row);
    this.#batches.forEach((batch, i) => batch.forEach((c, s) => data.set(c, i * row + s * this.codebookSize)));
    const shape = this.stages === 1
      ? [this.#batches.length, this.codebookSize]
      : [this.#batches.length, this.stages, this.codebookSize];
    return { shape, data };
  }

  /**
   * Restore a window saved with {@linkcode toTensor}.
   *
   * @param tensor `[n, codebookSize]` or `[n, stages, codebookSize]` U32.
   * @param options Capacity (default 100 micro-batches).
   * @returns The window.
   */
  static fromTensor(tensor: Tensor, options: Pick<CodeUsageWindowOptions, "capacity"> = {}): CodeUsageWindow {
    const shape = tensor.shape;
    const rows = shape[0], codebookSize = shape[shape.length - 1];
    const stages = shape.length === 3 ? shape[1] : 1;
    if (
      (shape.length !== 2 && shape.length !== 3) || rows === undefined || codebookSize === undefined ||
      stages === undefined
    ) {
      throw new RangeError(
        `Cannot restore code window: shape [${shape}] is not [batches, codebook] or [batches, stages, codebook]`,
      );
    }
    if (!(tensor.data instanceof Uint32Array)) throw new RangeError("Cannot restore code window: counts are not U32");
    const window = new CodeUsageWindow(codebookSize, { ...options, stages });
    const row = stages * codebookSize;
    for (let i = 0; i < rows; i++) {
      window.add(
        Array.from(
          { length: stages },
          (_, s) => tensor.data.subarray(i * row + s * codebookSize, i * row + (s + 1) * codebookSize) as Uint32Array,
        ),
      );
    }
    return window;
  }
}
