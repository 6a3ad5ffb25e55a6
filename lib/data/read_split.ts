/**
 * A deterministic read-level split into training and held-out reads: a
 * read is held out when a salted hash of its id falls below the fraction.
 * Independent of file order, worker count and seed, stable when files are
 * added, and windows of one read never straddle the split.
 *
 * @module
 */
import type { ReadFilter } from "./types.ts";

/** Salt used when none is given; changing it draws another held-out set. */
export const DEFAULT_SPLIT_SALT = "simvqgan-holdout";

/** Options of {@linkcode isHeldOutRead} and {@linkcode readSplitFilter}. */
export interface ReadSplitOptions {
  /** Fraction of reads held out, in [0, 1). */
  readonly fraction: number;
  /** Salt mixed into the hash. Default {@linkcode DEFAULT_SPLIT_SALT}. */
  readonly salt?: string;
}

/**
 * Whether a read belongs to the held-out part.
 *
 * @example
 * ```ts
 * import { isHeldOutRead } from "./read_split.ts";
 * const id = "0a79767d-dd3c-4a0d-9d8d-2d1d2f0ac3cd";
 * if (isHeldOutRead(id, { fraction: 0 })) throw new Error("nothing is held out at 0");
 * ```
 *
 * @param readId The read's id.
 * @param options Fraction and salt.
 * @returns True when held out.
 * @throws {RangeError} When the fraction is outside [0, 1).
 */
export function isHeldOutRead(readId: string, options: ReadSplitOptions): boolean {
  checkFraction(options.fraction);
  return splitHash(`${options.salt ?? DEFAULT_SPLIT_SALT}\u0000${readId.toLowerCase()}`) < options.fraction;
}

/**
 * A {@linkcode ReadFilter} keeping one part of the split: give the training
 * dataset `part: "train"` and the held-out one `part: "heldout"` with the same
 * fraction and salt, and they share no read.
 *
 * @param part Which reads to keep.
 * @param options Fraction and salt.
 * @returns The filter.
 * @throws {RangeError} When the fraction is outside [0, 1).
 */
export function readSplitFilter(part: "train" | "heldout", options: ReadSplitOptions): ReadFilter {
  checkFraction(options.fraction);
  if (part !== "train" && part !== "heldout") {
    throw new RangeError(`Cannot split reads: unknown part "${String(part)}"`);
  }
  const heldOut = part === "heldout";
  return (read) => isHeldOutRead(read.readId, options) === heldOut;
}

function checkFraction(fraction: number): void {
  if (!(fraction >= 0 && fraction < 1)) {
    throw new RangeError(`Cannot split reads: fraction ${fraction} must be in [0, 1)`);
  }
}

/** FNV-1a over UTF-16 code units, then murmur3's finaliser; mapped to [0, 1). */
function splitHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}
