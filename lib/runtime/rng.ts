/**
 * A small seeded random number generator (xoshiro128**), with a state that
 * can be saved into a checkpoint and restored exactly.
 *
 * @module
 */

/** The four 32-bit words of the generator state, as saved in `state.json`. */
export type RngState = readonly [number, number, number, number];

const UINT32_TO_UNIT = 1 / 4294967296;

/**
 * Seeded pseudo-random numbers. Deterministic for a given seed on every
 * platform; never shared between modules: pass one in.
 *
 * @example Same seed, same stream
 * ```ts
 * import { Rng } from "./rng.ts";
 * const a = Rng.fromSeed(42), b = Rng.fromSeed(42);
 * if (a.nextUint32() !== b.nextUint32()) throw new Error("not deterministic");
 * ```
 */
export class Rng {
  #s: Uint32Array;

  private constructor(state: Uint32Array) {
    this.#s = state;
  }

  /**
   * A generator seeded from an integer (splitmix32 expands it to 128 bits).
   *
   * @param seed Any integer; only its low 32 bits are used.
   * @returns A new generator.
   */
  static fromSeed(seed: number): Rng {
    if (!Number.isFinite(seed)) throw new RangeError(`Cannot seed Rng: seed ${seed} is not finite`);
    let x = (Math.trunc(seed) >>> 0) ^ 0x9e3779b9;
    const s = new Uint32Array(4);
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1;
    return new Rng(s);
  }

  /**
   * A generator continuing exactly from a saved {@linkcode RngState}.
   *
   * @param state Four uint32 words from {@linkcode Rng.state}.
   * @returns A new generator.
   */
  static fromState(state: RngState): Rng {
    const s = Uint32Array.from(state, (v) => v >>> 0);
    if (s.length !== 4 || (s[0]! | s[1]! | s[2]! | s[3]!) === 0) {
      throw new RangeError("Cannot restore Rng: state must be 4 words, not all zero");
    }
    return new Rng(s);
  }

  /** The current state (a copy); restoring it replays the same stream. */
  state(): RngState {
    const s = this.#s;
    return [s[0]!, s[1]!, s[2]!, s[3]!];
  }

  /** An independent generator derived from this one's next output. */
  fork(): Rng {
    return Rng.fromSeed(this.nextUint32());
  }

  /** The next uint32. */
  nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** A float in [0, 1) with 32 bits of randomness. */
  nextFloat(): number {
    return this.nextUint32() * UINT32_TO_UNIT;
  }

  /**
   * An integer in [0, n), without modulo bias.
   *
   * @param n The exclusive upper bound, 1 ≤ n ≤ 2³².
   */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) {
      throw new RangeError(`Cannot draw an integer below ${n}: bound must be in [1, 2^32]`);
    }
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** A standard normal deviate (Box–Muller). */
  nextNormal(): number {
    let u = this.nextFloat();
    while (u === 0) u = this.nextFloat();
    const v = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * Shuffle `items` in place (Fisher–Yates) and return it.
   *
   * @param items The array to permute.
   */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
