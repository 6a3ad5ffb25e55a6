/**
 * Codebook usage statistics (notes §2): per-code counts, perplexity and the
 * fraction of codes used, computed on the host in float64.
 *
 * @module
 */

/** Perplexity and usage of a set of code counts. */
export interface CodebookStats {
  /** exp(−Σ p·log p) over codes with p = count / total (0·log 0 = 0). */
  readonly perplexity: number;
  /** Fraction of codes with a non-zero count. */
  readonly usage: number;
}

/** Offset inside the log, as in the seed: log(p + 1e-10), with p = 1 where p = 0. */
const LOG_EPS = 1e-10;

/**
 * Count how often each code occurs.
 *
 * @param indices Code indices, each in [0, codebookSize).
 * @param codebookSize Number of codes K.
 * @returns Counts, `[codebookSize]`.
 */
export function countCodes(indices: ArrayLike<number>, codebookSize: number): Uint32Array {
  const counts = new Uint32Array(codebookSize);
  for (let i = 0; i < indices.length; i++) {
    const code = indices[i]!;
    if (!(code >= 0 && code < codebookSize && Number.isInteger(code))) {
      throw new RangeError(`Cannot count codes: index ${code} is outside [0, ${codebookSize})`);
    }
    counts[code]!++;
  }
  return counts;
}

/**
 * Count how often each code occurs at each residual stage.
 *
 * @example Two frames of two stages each
 * ```ts
 * import { countStageCodes } from "./codebook_stats.ts";
 * const [first, second] = countStageCodes([1, 0, 1, 2], { stages: 2, codebookSize: 3 }); // frame-major
 * if (first![1] !== 2 || second![0] !== 1 || second![2] !== 1) throw new Error("unexpected counts");
 * ```
 *
 * @param codes Frame-major codes `[frames, stages]` (a frame's stages in order), each in [0, codebookSize).
 * @param options `stages` per frame and `codebookSize` K.
 * @returns One `[codebookSize]` count per stage, stage 1 first.
 * @throws {RangeError} When a code is outside the codebook or the length is not a whole number of frames.
 */
export function countStageCodes(
  codes: ArrayLike<number>,
  options: { readonly stages: number; readonly codebookSize: number },
): Uint32Array[] {
  const { stages, codebookSize } = options;
  if (!Number.isInteger(stages) || stages < 1 || codes.length % stages !== 0) {
    throw new RangeError(`Cannot count codes: ${codes.length} codes are not whole frames of ${stages} stages`);
  }
  if (stages === 1) return [countCodes(codes, codebookSize)];
  const counts = Array.from({ length: stages }, () => new Uint32Array(codebookSize));
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    if (!(code >= 0 && code < codebookSize && Number.isInteger(code))) {
      throw new RangeError(`Cannot count codes: index ${code} is outside [0, ${codebookSize})`);
    }
    counts[i % stages]![code]!++;
  }
  return counts;
}

/**
 * Perplexity and usage of code counts: p = counts / max(Σcounts, 1),
 * perplexity = exp(−Σ p·log(p̃ + 1e-10)) with p̃ = 1 where p = 0, usage =
 * mean(counts > 0). All zeros give perplexity 1 and usage 0.
 *
 * @example Two codes used equally often out of four
 * ```ts
 * import { codebookStats } from "./codebook_stats.ts";
 * const { perplexity, usage } = codebookStats([5, 0, 5, 0]);
 * if (Math.abs(perplexity - 2) > 1e-6 || usage !== 0.5) throw new Error("unexpected stats");
 * ```
 *
 * @param counts Per-code counts (e.g. summed over a window of batches).
 * @returns Perplexity and usage.
 */
export function codebookStats(counts: ArrayLike<number>): CodebookStats {
  let total = 0, used = 0;
  for (let i = 0; i < counts.length; i++) {
    total += counts[i]!;
    if (counts[i]! > 0) used++;
  }
  const denom = Math.max(total, 1);
  let entropy = 0;
  for (let i = 0; i < counts.length; i++) {
    const p = counts[i]! / denom;
    if (p > 0) entropy -= p * Math.log(p + LOG_EPS);
  }
  return { perplexity: Math.exp(entropy), usage: counts.length === 0 ? 0 : used / counts.length };
}
