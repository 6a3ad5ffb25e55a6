/**
 * Brute-force global alignment for tests: the whole (n+1)×(m+1) table of
 * edit distances, then, separately, the most matches over the alignments of
 * that distance (a second full table restricted to optimal moves), then the
 * counts derived by walking one optimal path back. No band, no packed score:
 * an independent reference for `alignSequences`.
 */

/** Counts from the full tables. */
export interface FullCounts {
  readonly matches: number;
  readonly mismatches: number;
  readonly insertions: number;
  readonly deletions: number;
  readonly distance: number;
}

export function fullAlignment(a: string, b: string): FullCounts {
  const n = a.length, m = b.length;
  const cost: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = 0; i <= n; i++) cost[i]![0] = i;
  for (let j = 0; j <= m; j++) cost[0]![j] = j;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const sub = cost[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      cost[i]![j] = Math.min(sub, cost[i - 1]![j]! + 1, cost[i]![j - 1]! + 1);
    }
  }
  // best[i][j]: the most matches of a path from (0, 0) to (i, j) that uses only moves keeping cost optimal.
  const best: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(-Infinity));
  best[0]![0] = 0;
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= m; j++) {
      if (i === 0 && j === 0) continue;
      const c = cost[i]![j]!;
      let value = -Infinity;
      if (i > 0 && j > 0) {
        const match = a[i - 1] === b[j - 1];
        if (cost[i - 1]![j - 1]! + (match ? 0 : 1) === c) {
          value = Math.max(value, best[i - 1]![j - 1]! + (match ? 1 : 0));
        }
      }
      if (i > 0 && cost[i - 1]![j]! + 1 === c) value = Math.max(value, best[i - 1]![j]!);
      if (j > 0 && cost[i]![j - 1]! + 1 === c) value = Math.max(value, best[i]![j - 1]!);
      best[i]![j] = value;
    }
  }
  // Walk one path that achieves both optima, counting its operations.
  let i = n, j = m, matches = 0, mismatches = 0, insertions = 0, deletions = 0;
  while (i > 0 || j > 0) {
    const c = cost[i]![j]!, k = best[i]![j]!;
    if (i > 0 && j > 0) {
      const match = a[i - 1] === b[j - 1];
      if (cost[i - 1]![j - 1]! + (match ? 0 : 1) === c && best[i - 1]![j - 1]! + (match ? 1 : 0) === k) {
        if (match) matches++;
        else mismatches++;
        i--;
        j--;
        continue;
      }
    }
    if (i > 0 && cost[i - 1]![j]! + 1 === c && best[i - 1]![j]! === k) {
      deletions++;
      i--;
      continue;
    }
    insertions++;
    j--;
  }
  return { matches, mismatches, insertions, deletions, distance: cost[n]![m]! };
}
