/**
 * A byte-oriented range coder with carry propagation (the scheme of LZMA's
 * range coder, generalised to multi-symbol frequency tables): 32-bit range,
 * renormalised a byte at a time whenever it falls below 2^24, carries kept
 * in a cached byte plus a count of pending 0xFF bytes. Totals up to
 * {@linkcode MAX_TOTAL} keep at least 8 bits of resolution per step.
 *
 * Stream layout: the bytes the encoder shifts out, without LZMA's leading
 * zero byte, flushed with 4 more bytes at the end.
 *
 * @module
 */

/** 2^32: the coder's range. */
const TOP = 2 ** 32;
/** Renormalise when the range falls below 2^24. */
const BOTTOM = 2 ** 24;
/** Largest frequency total a step may use (range / total ≥ 2^8). */
export const MAX_TOTAL = 2 ** 16;
/** Bytes the decoder primes its code register with. */
const PRIME_BYTES = 4;

/** Encodes symbol intervals into bytes. */
export class RangeEncoder {
  #low = 0;
  #range = TOP - 1;
  #cache = 0;
  #cacheSize = 1;
  #first = true;
  #bytes = new Uint8Array(256);
  #length = 0;

  /**
   * Encode the interval `[cumulative, cumulative + frequency)` of `total`.
   *
   * @param cumulative Start of the symbol's interval.
   * @param frequency Its width, ≥ 1.
   * @param total The sum of all widths, ≤ {@linkcode MAX_TOTAL}.
   */
  encode(cumulative: number, frequency: number, total: number): void {
    const r = Math.floor(this.#range / total);
    this.#low += r * cumulative;
    this.#range = r * frequency;
    while (this.#range < BOTTOM) {
      this.#range *= 256;
      this.#shiftLow();
    }
  }

  /**
   * Flush the coder and return every byte written.
   *
   * @returns The stream.
   */
  finish(): Uint8Array {
    for (let i = 0; i <= PRIME_BYTES; i++) this.#shiftLow();
    return this.#bytes.slice(0, this.#length);
  }

  #shiftLow(): void {
    const low = this.#low;
    if (low < 0xff000000 || low >= TOP) {
      const carry = low >= TOP ? 1 : 0;
      let byte = this.#cache;
      do {
        this.#push((byte + carry) & 0xff);
        byte = 0xff;
      } while (--this.#cacheSize !== 0);
      this.#cache = Math.floor(low / BOTTOM) & 0xff;
    }
    this.#cacheSize++;
    this.#low = (low % BOTTOM) * 256;
  }

  #push(byte: number): void {
    if (this.#first) {
      // LZMA's first output byte is always the initial cache, 0: it is not stored.
      this.#first = false;
      return;
    }
    if (this.#length === this.#bytes.length) {
      const grown = new Uint8Array(this.#bytes.length * 2);
      grown.set(this.#bytes);
      this.#bytes = grown;
    }
    this.#bytes[this.#length++] = byte;
  }
}

/** Decodes what {@linkcode RangeEncoder} wrote, given the same frequency tables. */
export class RangeDecoder {
  readonly #bytes: Uint8Array;
  #position = 0;
  #code = 0;
  #range = TOP - 1;
  #step = 1;

  /**
   * Start decoding `bytes`.
   *
   * @param bytes A stream from {@linkcode RangeEncoder.finish}.
   */
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    for (let i = 0; i < PRIME_BYTES; i++) this.#code = this.#code * 256 + this.#next();
  }

  /** Bytes consumed so far (past the end, reads count as zero bytes). */
  get position(): number {
    return this.#position;
  }

  /**
   * The cumulative position of the next symbol within `total`; call
   * {@linkcode consume} with the interval that holds it.
   *
   * @param total The sum of all widths, as the encoder used.
   * @returns A value in `[0, total)`.
   */
  target(total: number): number {
    this.#step = Math.floor(this.#range / total);
    return Math.min(total - 1, Math.floor(this.#code / this.#step));
  }

  /**
   * Remove the decoded symbol's interval.
   *
   * @param cumulative Start of the symbol's interval.
   * @param frequency Its width.
   */
  consume(cumulative: number, frequency: number): void {
    this.#code -= this.#step * cumulative;
    this.#range = this.#step * frequency;
    while (this.#range < BOTTOM) {
      this.#range *= 256;
      this.#code = (this.#code % BOTTOM) * 256 + this.#next();
    }
  }

  #next(): number {
    const byte = this.#position < this.#bytes.length ? this.#bytes[this.#position]! : 0;
    this.#position++;
    return byte;
  }
}
