/**
 * `--shard I/N`: a deterministic split of a file list into N parts, balanced
 * by size, so that N independent jobs (a Kubernetes Indexed Job, a Slurm
 * array) cover every file exactly once.
 *
 * @module
 */
import { UsageError } from "./args.ts";

/** One part of N (0-based `index`). */
export interface Shard {
  /** This part, 0 ≤ index < count. */
  readonly index: number;
  /** How many parts. */
  readonly count: number;
}

/** A file and its size, the unit a shard is made of. */
export interface SizedFile {
  /** The file's path; the split sorts by it. */
  readonly path: string;
  /** Its size in bytes; the split balances the sum of it. */
  readonly sizeBytes: number;
}

/**
 * Parse `I/N` (0-based I), as in `--shard $JOB_COMPLETION_INDEX/4`.
 *
 * @example
 * ```ts
 * import { parseShard } from "./shard.ts";
 * const shard = parseShard("2/7");
 * if (shard.index !== 2 || shard.count !== 7) throw new Error("unexpected");
 * ```
 *
 * @param text The flag's value.
 * @returns The shard.
 * @throws {UsageError} Unless I and N are integers with 0 ≤ I < N.
 */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]), count = Number(match?.[2]);
  if (match === null || !Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index >= count) {
    throw new UsageError(`Cannot parse flags: --shard is I/N with 0 <= I < N (e.g. 0/4), not "${text}"`);
  }
  return { index, count };
}

/**
 * Assign every file to one of `count` shards: files are taken largest first
 * (ties by path) and each goes to the shard with the fewest bytes so far
 * (then the fewest files, then the lowest index). The result depends only on
 * the set of (path, size), not on the order given; no shard ends more than
 * one file's size above another.
 *
 * @example
 * ```ts
 * import { assignShards } from "./shard.ts";
 * const files = [{ path: "a", sizeBytes: 5 }, { path: "b", sizeBytes: 3 }, { path: "c", sizeBytes: 2 }];
 * const shards = assignShards(files, 2);
 * if (shards.get("a") !== 0 || shards.get("b") !== 1 || shards.get("c") !== 1) throw new Error("unexpected");
 * ```
 *
 * @param files The files (paths unique).
 * @param count How many shards.
 * @returns Path → shard index.
 * @throws {RangeError} When `count` is not a positive integer or a path repeats.
 */
export function assignShards(files: readonly SizedFile[], count: number): Map<string, number> {
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new RangeError(`Cannot assign shards: the count must be a positive integer, got ${count}`);
  }
  const order = [...files].sort((a, b) => b.sizeBytes - a.sizeBytes || comparePaths(a.path, b.path));
  const bytes = new Array<number>(count).fill(0), taken = new Array<number>(count).fill(0);
  const assigned = new Map<string, number>();
  for (const file of order) {
    if (assigned.has(file.path)) throw new RangeError(`Cannot assign shards: ${file.path} is listed twice`);
    let best = 0;
    for (let i = 1; i < count; i++) {
      if (bytes[i]! < bytes[best]! || (bytes[i] === bytes[best] && taken[i]! < taken[best]!)) best = i;
    }
    bytes[best]! += file.sizeBytes;
    taken[best]! += 1;
    assigned.set(file.path, best);
  }
  return assigned;
}

/**
 * The files of one shard, sorted by path (see {@linkcode assignShards}).
 *
 * @example
 * ```ts
 * import { selectShard } from "./shard.ts";
 * const files = [{ path: "a", sizeBytes: 5 }, { path: "b", sizeBytes: 3 }, { path: "c", sizeBytes: 2 }];
 * const mine = selectShard(files, { index: 1, count: 2 }).map((file) => file.path);
 * if (mine.join() !== "b,c") throw new Error("unexpected");
 * ```
 *
 * @param files All the files (every job must pass the same set).
 * @param shard Which part.
 * @returns That part's files (possibly none, when there are fewer files than shards).
 * @throws {RangeError} On a bad shard or a repeated path.
 */
export function selectShard<T extends SizedFile>(files: readonly T[], shard: Shard): T[] {
  if (!Number.isSafeInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    throw new RangeError(`Cannot select shard ${shard.index}/${shard.count}: need 0 <= index < count`);
  }
  const assigned = assignShards(files, shard.count);
  return files.filter((file) => assigned.get(file.path) === shard.index).sort((a, b) => comparePaths(a.path, b.path));
}

/**
 * The file name of a shard's manifest: `shard-I-of-N.json`.
 *
 * @param shard The shard.
 * @returns The name.
 */
export function shardManifestName(shard: Shard): string {
  return `shard-${shard.index}-of-${shard.count}.json`;
}

function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
