/**
 * Entropy coding of code streams (the `packed` codes encoding of the token
 * file): an adaptive order-0 model over the codebook driving a range coder.
 *
 * The model starts with no symbol seen; the first occurrence of a code is
 * sent as an escape followed by its rank among the codes not seen yet
 * (uniform), later occurrences by their adaptive frequency. Frequencies are
 * halved whenever their total would pass the coder's limit, so the model
 * follows drifting statistics, and a code halved to zero counts as unseen
 * again. The model carries over from read to read in file order (a file's
 * reads share their statistics); each read's bytes are flushed separately.
 *
 * @module
 */
import { FenwickTree } from "./_fenwick.ts";
import { MAX_TOTAL, RangeDecoder, RangeEncoder } from "./_range_coder.ts";

/**
 * Frequency added per occurrence of a code. With {@linkcode ESCAPE_PER_SEEN}
 * chosen by a sweep on the quickstart checkpoint's codes of z1 (29k codes,
 * 2,050 distinct): increments 2–64 × escape weights 0.05–2 codes gave
 * 9.06–10.5 bits/code; 4 and 2 give 9.08 (order-0 entropy: 8.77).
 */
export const CODE_INCREMENT = 4;
/** Escape frequency per distinct code seen so far (PPM method C, scaled): half an occurrence. */
const ESCAPE_PER_SEEN = 2;
/** Largest codebook the packed encoding supports. */
export const MAX_CODEBOOK_SIZE = 65536;

class AdaptiveCodeModel {
  readonly size: number;
  readonly #frequency: Uint32Array;
  readonly #seen: FenwickTree;
  readonly #unseen: FenwickTree;
  #seenTotal = 0;
  #distinct = 0;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 2 || size > MAX_CODEBOOK_SIZE) {
      throw new RangeError(`Cannot code codes: codebook size ${size} is outside [2, ${MAX_CODEBOOK_SIZE}]`);
    }
    this.size = size;
    this.#frequency = new Uint32Array(size);
    this.#seen = new FenwickTree(size);
    this.#unseen = new FenwickTree(size);
    this.#unseen.reset(new Uint8Array(size).fill(1));
  }

  get escape(): number {
    return this.#distinct === this.size ? 0 : Math.max(CODE_INCREMENT, this.#distinct * ESCAPE_PER_SEEN);
  }

  encode(encoder: RangeEncoder, code: number): void {
    const escape = this.escape;
    const total = this.#seenTotal + escape;
    const frequency = this.#frequency[code]!;
    if (frequency > 0) {
      encoder.encode(this.#seen.prefix(code), frequency, total);
    } else {
      encoder.encode(this.#seenTotal, escape, total);
      encoder.encode(this.#unseen.prefix(code), 1, this.size - this.#distinct);
    }
    this.#update(code);
  }

  decode(decoder: RangeDecoder): number {
    const escape = this.escape;
    const total = this.#seenTotal + escape;
    const target = decoder.target(total);
    let code: number;
    if (target < this.#seenTotal) {
      code = this.#seen.find(target);
      decoder.consume(this.#seen.prefix(code), this.#frequency[code]!);
    } else {
      decoder.consume(this.#seenTotal, escape);
      const rank = decoder.target(this.size - this.#distinct);
      code = this.#unseen.find(rank);
      decoder.consume(rank, 1);
    }
    this.#update(code);
    return code;
  }

  #update(code: number): void {
    if (this.#frequency[code] === 0) {
      this.#distinct++;
      this.#unseen.add(code, -1);
    }
    this.#frequency[code]! += CODE_INCREMENT;
    this.#seen.add(code, CODE_INCREMENT);
    this.#seenTotal += CODE_INCREMENT;
    if (this.#seenTotal + this.escape + CODE_INCREMENT > MAX_TOTAL) this.#halve();
  }

  #halve(): void {
    const frequency = this.#frequency;
    const unseen = new Uint8Array(this.size);
    let total = 0, distinct = 0;
    for (let i = 0; i < this.size; i++) {
      const f = frequency[i]! >>> 1;
      frequency[i] = f;
      total += f;
      if (f > 0) distinct++;
      else unseen[i] = 1;
    }
    this.#seen.reset(frequency);
    this.#unseen.reset(unseen);
    this.#seenTotal = total;
    this.#distinct = distinct;
  }
}

/**
 * Packs the code streams of a file's reads, in file order.
 *
 * @example Pack two reads and unpack them
 * ```ts
 * import { CodeStreamDecoder, CodeStreamEncoder } from "./code_stream.ts";
 *
 * const encoder = new CodeStreamEncoder(4096);
 * const a = encoder.encode(Uint16Array.of(7, 7, 7, 4095, 7));
 * const b = encoder.encode(Uint16Array.of(7, 0));
 * const decoder = new CodeStreamDecoder(4096);
 * if (decoder.decode(a, 5).join() !== "7,7,7,4095,7" || decoder.decode(b, 2).join() !== "7,0") {
 *   throw new Error("round trip failed");
 * }
 * ```
 */
export class CodeStreamEncoder {
  readonly #model: AdaptiveCodeModel;

  /**
   * A packer for codes in `[0, codebookSize)`.
   *
   * @param codebookSize Codebook entries, in [2, 65536].
   */
  constructor(codebookSize: number) {
    this.#model = new AdaptiveCodeModel(codebookSize);
  }

  /**
   * Pack one read's codes (the model then remembers them for the next read).
   *
   * @param codes The read's codes, each in `[0, codebookSize)`.
   * @returns The read's bytes.
   * @throws {RangeError} When a code is outside the codebook.
   */
  encode(codes: ArrayLike<number>): Uint8Array {
    const encoder = new RangeEncoder();
    const size = this.#model.size;
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i]!;
      if (!(Number.isInteger(code) && code >= 0 && code < size)) {
        throw new RangeError(`Cannot pack codes: code ${code} at ${i} is outside [0, ${size})`);
      }
      this.#model.encode(encoder, code);
    }
    return encoder.finish();
  }
}

/** Unpacks what {@linkcode CodeStreamEncoder} packed, read by read in the same order. */
export class CodeStreamDecoder {
  readonly #model: AdaptiveCodeModel;

  /**
   * An unpacker for codes in `[0, codebookSize)`.
   *
   * @param codebookSize Codebook entries, as packed.
   */
  constructor(codebookSize: number) {
    this.#model = new AdaptiveCodeModel(codebookSize);
  }

  /**
   * Unpack one read's codes.
   *
   * @param bytes The read's bytes.
   * @param count How many codes the read holds.
   * @returns The codes.
   * @throws {RangeError} When the bytes end before `count` codes (a damaged stream).
   */
  decode(bytes: Uint8Array, count: number): Uint16Array {
    const decoder = new RangeDecoder(bytes);
    const out = new Uint16Array(count);
    for (let i = 0; i < count; i++) out[i] = this.#model.decode(decoder);
    if (decoder.position > bytes.length + 1) {
      throw new RangeError(`Cannot unpack codes: ${count} codes need more than the ${bytes.length} bytes stored`);
    }
    return out;
  }
}
