/**
 * Quantizer dropout (`model.quantizer_dropout`, after DAC): for each
 * training batch, with probability p only the first K of the N residual
 * stages are used, K uniform in 1..N, so that one model learns to decode
 * at every rate. DAC draws K per window; here it is drawn per micro-batch,
 * which also skips the dropped stages' work.
 *
 * The draws come from the training loop's RNG (saved in every checkpoint),
 * in the main thread, so that a resume continues the same sequence and every
 * data-parallel replica gets the same K.
 *
 * @module
 */
import type { Rng } from "../runtime/rng.ts";

/** What {@linkcode drawQuantizers} needs. */
export interface QuantizerDropoutOptions {
  /** Micro-batches in the step (one draw each). */
  readonly microBatches: number;
  /** The model's stages N. */
  readonly numQuantizers: number;
  /** The probability p of using fewer stages, in [0, 1]. */
  readonly dropout: number;
}

/**
 * The stages each micro-batch of a step uses. With N = 1 or p = 0 nothing is
 * drawn (the RNG does not move) and every micro-batch uses all N.
 *
 * @example With p = 1 every micro-batch draws K in 1..N
 * ```ts
 * import { drawQuantizers } from "./quantizer_dropout.ts";
 * import { Rng } from "../runtime/rng.ts";
 * const ks = drawQuantizers(Rng.fromSeed(1), { microBatches: 8, numQuantizers: 4, dropout: 1 });
 * if (ks.length !== 8 || ks.some((k) => k < 1 || k > 4)) throw new Error("K out of range");
 * ```
 *
 * @param rng The training loop's RNG (advanced by the draws).
 * @param options Micro-batches, N and p.
 * @returns K per micro-batch.
 * @throws {RangeError} When p is not in [0, 1] or N or the count is not a positive integer.
 */
export function drawQuantizers(rng: Rng, options: QuantizerDropoutOptions): number[] {
  const { microBatches, numQuantizers: n, dropout: p } = options;
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(microBatches) || microBatches < 1 || !(p >= 0 && p <= 1)) {
    throw new RangeError(
      `Cannot draw quantizers: ${microBatches} micro-batches, ${n} quantizers, dropout ${p} (want p in [0, 1])`,
    );
  }
  if (n === 1 || p === 0) return Array.from({ length: microBatches }, () => n);
  return Array.from({ length: microBatches }, () => rng.nextFloat() < p ? 1 + rng.nextInt(n) : n);
}
