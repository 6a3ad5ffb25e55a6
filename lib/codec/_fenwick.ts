/**
 * A Fenwick (binary indexed) tree over non-negative integer weights: prefix
 * sums, point updates and "which index holds cumulative position v" in
 * O(log n). The adaptive code model keeps its frequencies in one.
 *
 * @module
 */

/** Prefix sums over `size` integer weights, all starting at 0. */
export class FenwickTree {
  readonly size: number;
  readonly #tree: Float64Array;
  readonly #topBit: number;

  /**
   * Create a tree of `size` zero weights.
   *
   * @param size Number of weights, ≥ 1.
   */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`Cannot create Fenwick tree of size ${size}`);
    this.size = size;
    this.#tree = new Float64Array(size + 1);
    let top = 1;
    while (top * 2 <= size) top *= 2;
    this.#topBit = top;
  }

  /** Add `delta` to weight `index`. */
  add(index: number, delta: number): void {
    for (let i = index + 1; i <= this.size; i += i & -i) this.#tree[i]! += delta;
  }

  /** Sum of weights `[0, index)`. */
  prefix(index: number): number {
    let sum = 0;
    for (let i = index; i > 0; i -= i & -i) sum += this.#tree[i]!;
    return sum;
  }

  /**
   * The index whose cumulative range `[prefix(i), prefix(i) + weight(i))`
   * holds `value` (0 ≤ value < total); with zero weights skipped.
   */
  find(value: number): number {
    let position = 0;
    let remaining = value;
    for (let step = this.#topBit; step > 0; step >>= 1) {
      const next = position + step;
      if (next <= this.size && this.#tree[next]! <= remaining) {
        position = next;
        remaining -= this.#tree[next]!;
      }
    }
    return position;
  }

  /** Replace every weight (O(n) rebuild). */
  reset(weights: ArrayLike<number>): void {
    if (weights.length !== this.size) throw new RangeError(`Cannot reset Fenwick tree: ${weights.length} weights`);
    const tree = this.#tree;
    tree.fill(0);
    for (let i = 1; i <= this.size; i++) {
      tree[i]! += weights[i - 1]!;
      const parent = i + (i & -i);
      if (parent <= this.size) tree[parent]! += tree[i]!;
    }
  }
}
