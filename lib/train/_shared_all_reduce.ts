/**
 * An all-reduce (sum) of float32 vectors over a SharedArrayBuffer, for
 * data-parallel replicas running in Deno Workers. Each replica writes its
 * vector into its own slot; after a barrier, replica i sums chunk i of every
 * slot, in slot order, into the result; after a second barrier every replica
 * reads the whole result. The sum of each element is taken in float64 over
 * slots 0, 1, … and rounded once, so every replica gets the same bits
 * whichever of them summed that chunk.
 *
 * Layout of the buffer: {@linkcode CONTROL_BYTES} of Int32 control words
 * (barrier generation, arrivals, abort flag), then `replicas` slots and one
 * result area of `capacity` float32 values each.
 *
 * @module
 */

/** Control words: barrier generation, arrivals at the current barrier, abort flag. */
const GENERATION = 0, ARRIVED = 1, ABORTED = 2;
/** Bytes of control words at the start of the buffer (3 used, padded to 16). */
const CONTROL_BYTES = 16;
/** How long one wait lasts before the abort flag is checked again, ms. */
const WAIT_SLICE_MS = 200;

/** A replica's handle on the shared buffer. */
export class SharedAllReduce {
  readonly #control: Int32Array;
  readonly #slots: Float32Array[];
  readonly #result: Float32Array;
  readonly #index: number;

  /**
   * Allocate the shared buffer for `replicas` replicas and vectors of up to
   * `capacity` values.
   *
   * @param replicas Number of replicas, ≥ 1.
   * @param capacity Longest vector, values.
   * @returns The buffer, to post to every replica.
   */
  static allocate(replicas: number, capacity: number): SharedArrayBuffer {
    if (!Number.isInteger(replicas) || replicas < 1) {
      throw new RangeError(`Cannot allocate all-reduce: ${replicas} replicas`);
    }
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Cannot allocate all-reduce: capacity ${capacity}`);
    }
    return new SharedArrayBuffer(CONTROL_BYTES + (replicas + 1) * capacity * Float32Array.BYTES_PER_ELEMENT);
  }

  /**
   * Release every replica waiting in (or later entering) a barrier of
   * `buffer`: their {@linkcode SharedAllReduce.sum} throws. For the owner,
   * when one replica failed and the others would wait for it forever.
   *
   * @param buffer A buffer from {@linkcode SharedAllReduce.allocate}.
   */
  static abort(buffer: SharedArrayBuffer): void {
    const control = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
    Atomics.store(control, ABORTED, 1);
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);
  }

  /**
   * Attach to a buffer as replica `index` of `replicas`.
   *
   * @param buffer From {@linkcode SharedAllReduce.allocate}.
   * @param options This replica's `index` and the number of `replicas`.
   */
  constructor(buffer: SharedArrayBuffer, options: { readonly index: number; readonly replicas: number }) {
    const { index, replicas } = options;
    if (!Number.isInteger(index) || index < 0 || index >= replicas) {
      throw new RangeError(`Cannot attach to all-reduce: replica ${index} of ${replicas}`);
    }
    const capacity = (buffer.byteLength - CONTROL_BYTES) / Float32Array.BYTES_PER_ELEMENT / (replicas + 1);
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Cannot attach to all-reduce: a ${buffer.byteLength}-byte buffer for ${replicas} replicas`);
    }
    this.#control = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
    this.#slots = Array.from(
      { length: replicas },
      (_, i) => new Float32Array(buffer, CONTROL_BYTES + i * capacity * 4, capacity),
    );
    this.#result = new Float32Array(buffer, CONTROL_BYTES + replicas * capacity * 4, capacity);
    this.#index = index;
  }

  /** The longest vector this buffer can reduce. */
  get capacity(): number {
    return this.#result.length;
  }

  /** This replica's slot: write the vector here, then call {@linkcode SharedAllReduce.sum}. */
  get slot(): Float32Array {
    return this.#slots[this.#index]!;
  }

  /**
   * Sum the first `length` values of every replica's slot. Blocks until
   * every replica has called it; every replica must pass the same length.
   *
   * @param length Values written into the slot.
   * @returns A view of the sum (valid until the next call).
   * @throws {Error} When the buffer was aborted.
   */
  sum(length: number): Float32Array {
    if (!Number.isInteger(length) || length < 0 || length > this.capacity) {
      throw new RangeError(`Cannot all-reduce ${length} values: the capacity is ${this.capacity}`);
    }
    const replicas = this.#slots.length;
    this.#barrier();
    const chunk = Math.ceil(length / replicas);
    const from = Math.min(length, this.#index * chunk), to = Math.min(length, from + chunk);
    const result = this.#result;
    if (replicas === 1) {
      result.set(this.#slots[0]!.subarray(0, length));
    } else {
      for (let j = from; j < to; j++) {
        let total = 0;
        for (let r = 0; r < replicas; r++) total += this.#slots[r]![j]!;
        result[j] = total;
      }
    }
    this.#barrier();
    return result.subarray(0, length);
  }

  #barrier(): void {
    const control = this.#control;
    const generation = Atomics.load(control, GENERATION);
    this.#checkAborted();
    if (Atomics.add(control, ARRIVED, 1) === this.#slots.length - 1) {
      Atomics.store(control, ARRIVED, 0);
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
      return;
    }
    while (Atomics.load(control, GENERATION) === generation) {
      this.#checkAborted();
      Atomics.wait(control, GENERATION, generation, WAIT_SLICE_MS);
    }
    this.#checkAborted();
  }

  #checkAborted(): void {
    if (Atomics.load(this.#control, ABORTED) !== 0) {
      throw new Error("Cannot all-reduce: another replica failed");
    }
  }
}
