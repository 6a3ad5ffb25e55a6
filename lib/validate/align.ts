/**
 * Global alignment of two basecalled sequences for identity (SPEC §5):
 * minimal edit distance, and among the alignments of that distance the one
 * with the most matches, which fixes the counts of matches (M), mismatches
 * (X), insertions (I) and deletions (D) uniquely:
 * `X = n + m − 2M − C`, `D = n − M − X`, `I = m − M − X` for lengths n, m and
 * distance C. Banded dynamic programming over two rows, the band doubled
 * until the distance fits inside it (a path leaving a band of half-width b
 * costs more than b, so the result is then exact), up to a cell budget.
 *
 * @module
 */

/** Counts of a global alignment of `generated` against `real`. */
export interface AlignmentCounts {
  /** Matching bases. */
  readonly matches: number;
  /** Substitutions. */
  readonly mismatches: number;
  /** Bases in `generated` only. */
  readonly insertions: number;
  /** Bases in `real` only. */
  readonly deletions: number;
  /** Edit distance: mismatches + insertions + deletions. */
  readonly distance: number;
  /** False when the band hit the cell budget before the distance fitted (then an upper bound). */
  readonly exact: boolean;
}

/** Options of {@linkcode alignSequences}. */
export interface AlignOptions {
  /** Largest number of DP cells to compute. Default 4·10^8 (a few seconds). */
  readonly maxCells?: number;
}

/** A cost step, in score units: score = cost · COST_UNIT − matches, minimised. */
const COST_UNIT = 2 ** 24;
const FIRST_BAND = 64;

/**
 * Align `generated` to `real` globally.
 *
 * @example
 * ```ts
 * import { alignSequences, bonitoIdentity } from "./align.ts";
 * const counts = alignSequences("ACGTACGT", "ACGAACGTT");
 * // one substitution (T→A) and one inserted T
 * if (counts.mismatches !== 1 || counts.insertions !== 1 || counts.matches !== 7) throw new Error("?");
 * if (bonitoIdentity(counts) !== 7 / 9) throw new Error("identity");
 * ```
 *
 * @param real The reference sequence (the real signal's basecalls).
 * @param generated The query (the reconstruction's basecalls).
 * @param options The cell budget.
 * @returns The counts.
 */
export function alignSequences(real: string, generated: string, options: AlignOptions = {}): AlignmentCounts {
  const n = real.length, m = generated.length;
  if (n === 0 || m === 0) {
    return { matches: 0, mismatches: 0, insertions: m, deletions: n, distance: n + m, exact: true };
  }
  if (n + m > COST_UNIT / 2) throw new RangeError(`Cannot align: ${n} + ${m} bases is too long`);
  const maxCells = options.maxCells ?? 4e8;
  const a = encode(real), b = encode(generated);
  let band = Math.max(FIRST_BAND, Math.abs(n - m) + FIRST_BAND);
  for (;;) {
    const full = band >= Math.max(n, m);
    const score = bandedScore(a, b, Math.min(band, Math.max(n, m)));
    const distance = Math.ceil(score / COST_UNIT);
    const matches = distance * COST_UNIT - score;
    const exact = full || distance <= band;
    const nextCells = (2 * band * 2 + 1) * (n + 1);
    if (exact || nextCells > maxCells) {
      const mismatches = n + m - 2 * matches - distance;
      return {
        matches,
        mismatches,
        insertions: m - matches - mismatches,
        deletions: n - matches - mismatches,
        distance,
        exact,
      };
    }
    band *= 2;
  }
}

/** Bonito's identity: M / (M + X + I + D); 0 for an empty alignment. */
export function bonitoIdentity(counts: AlignmentCounts): number {
  const total = counts.matches + counts.mismatches + counts.insertions + counts.deletions;
  return total === 0 ? 0 : counts.matches / total;
}

/** Edit identity: 1 − distance / max(len); 1 when both are empty. */
export function editIdentity(counts: AlignmentCounts): number {
  const realLength = counts.matches + counts.mismatches + counts.deletions;
  const generatedLength = counts.matches + counts.mismatches + counts.insertions;
  const longest = Math.max(realLength, generatedLength);
  return longest === 0 ? 1 : 1 - counts.distance / longest;
}

function encode(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/**
 * The lexicographic optimum (cost, −matches) of aligning a against b within
 * |i − j| ≤ band, as one score. Row i holds columns j ∈ [i − band, i + band].
 */
function bandedScore(a: Uint8Array, b: Uint8Array, band: number): number {
  const n = a.length, m = b.length;
  const width = 2 * band + 1;
  const INF = Number.MAX_SAFE_INTEGER;
  let previous = new Float64Array(width).fill(INF);
  let current = new Float64Array(width).fill(INF);
  // Row 0: j insertions.
  for (let k = band; k < width; k++) {
    const j = k - band;
    if (j <= m) previous[k] = j * COST_UNIT;
  }
  for (let i = 1; i <= n; i++) {
    current.fill(INF);
    const ai = a[i - 1]!;
    const low = Math.max(0, i - band), high = Math.min(m, i + band);
    for (let j = low; j <= high; j++) {
      const k = j - i + band;
      let best = INF;
      // Deletion (a[i-1] against nothing): from (i-1, j), which is column k+1 of the previous row.
      if (k + 1 < width) {
        const up = previous[k + 1]!;
        if (up !== INF) best = up + COST_UNIT;
      }
      if (j > 0) {
        // Diagonal: from (i-1, j-1), column k of the previous row.
        const diagonal = previous[k]!;
        if (diagonal !== INF) {
          const step = ai === b[j - 1] ? diagonal - 1 : diagonal + COST_UNIT;
          if (step < best) best = step;
        }
        // Insertion (b[j-1] against nothing): from (i, j-1), column k-1 of this row.
        if (k > 0) {
          const left = current[k - 1]!;
          if (left !== INF && left + COST_UNIT < best) best = left + COST_UNIT;
        }
      }
      current[k] = best;
    }
    [previous, current] = [current, previous];
  }
  return previous[m - n + band]!;
}
