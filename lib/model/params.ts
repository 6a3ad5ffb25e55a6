/**
 * Named parameter storage: every weight of a network is a tfjs variable
 * registered here under a stable, slash-separated name (e.g.
 * `encoder/stage_0/block_1/conv2/kernel`), in creation order.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { ParamStateError } from "./errors.ts";

/** A plain array with its shape, as written to and read from checkpoints. */
export interface NamedArray {
  /** Row-major shape. */
  readonly shape: readonly number[];
  /** The values, `shape` product long. */
  readonly data: Float32Array;
}

/** Parameter counts of a network or one of its modules. */
export interface ParamCounts {
  /** Values updated by the optimiser. */
  readonly trainable: number;
  /** Values saved with the weights but never trained (the frozen codebook). */
  readonly frozen: number;
}

interface Entry {
  readonly variable: tf.Variable;
  readonly trainable: boolean;
}

/**
 * The parameters of one network. Variables get tfjs-generated names (so two
 * networks can coexist); the stable names live here.
 */
export class ParamStore {
  readonly #entries = new Map<string, Entry>();

  /**
   * Create a parameter.
   *
   * @param name Stable name, unique in this store.
   * @param shape Row-major shape.
   * @param values Initial values, `shape` product long.
   * @param options `trainable` (default true): false for frozen values.
   * @returns The variable.
   */
  add(
    name: string,
    shape: readonly number[],
    values: Float32Array,
    options: { trainable?: boolean } = {},
  ): tf.Variable {
    if (this.#entries.has(name)) throw new RangeError(`Cannot add parameter: "${name}" already exists`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) {
      throw new RangeError(`Cannot add parameter "${name}": ${values.length} values for shape [${shape}]`);
    }
    const trainable = options.trainable ?? true;
    const variable = tf.tidy(() => tf.variable(tf.tensor(values, [...shape], "float32"), trainable));
    this.#entries.set(name, { variable, trainable });
    return variable;
  }

  /**
   * The variable called `name`.
   *
   * @param name A parameter name.
   * @returns Its variable.
   */
  get(name: string): tf.Variable {
    const entry = this.#entries.get(name);
    if (entry === undefined) throw new RangeError(`Cannot find parameter "${name}"`);
    return entry.variable;
  }

  /** All parameter names, in creation order. */
  names(): string[] {
    return [...this.#entries.keys()];
  }

  /** Names of the trainable parameters, in creation order. */
  trainableNames(): string[] {
    return [...this.#entries].filter(([, e]) => e.trainable).map(([name]) => name);
  }

  /**
   * Parameter counts, optionally only of names starting with `prefix`.
   *
   * @param prefix A name prefix such as `encoder/`; all when omitted.
   * @returns Trainable and frozen value counts.
   */
  counts(prefix = ""): ParamCounts {
    let trainable = 0, frozen = 0;
    for (const [name, e] of this.#entries) {
      if (!name.startsWith(prefix)) continue;
      if (e.trainable) trainable += e.variable.size;
      else frozen += e.variable.size;
    }
    return { trainable, frozen };
  }

  /**
   * Copy every parameter (trainable and frozen) out as plain arrays.
   *
   * @returns Name → array, in creation order.
   */
  async exportArrays(): Promise<Map<string, NamedArray>> {
    const out = new Map<string, NamedArray>();
    for (const [name, e] of this.#entries) {
      const data = await e.variable.data<"float32">();
      out.set(name, { shape: [...e.variable.shape], data: Float32Array.from(data) });
    }
    return out;
  }

  /**
   * Overwrite every parameter from plain arrays. All names and shapes are
   * checked before anything changes; extra names are an error too.
   *
   * @param arrays Name → array, as from {@linkcode ParamStore.exportArrays}.
   * @throws {ParamStateError} On a missing or unknown name or a shape mismatch.
   */
  importArrays(arrays: ReadonlyMap<string, NamedArray>): void {
    this.checkArrays(arrays);
    for (const [name, e] of this.#entries) {
      const a = arrays.get(name)!;
      tf.tidy(() => e.variable.assign(tf.tensor(a.data, e.variable.shape, "float32")));
    }
  }

  /**
   * Check that `arrays` has exactly this store's names and shapes.
   *
   * @param arrays Name → array.
   * @throws {ParamStateError} On a missing or unknown name or a shape mismatch.
   */
  checkArrays(arrays: ReadonlyMap<string, NamedArray>): void {
    for (const [name, e] of this.#entries) {
      const a = arrays.get(name);
      if (a === undefined) throw new ParamStateError(name, `Cannot import parameters: "${name}" is missing`);
      checkShape(a, { name, shape: e.variable.shape });
    }
    for (const name of arrays.keys()) {
      if (!this.#entries.has(name)) {
        throw new ParamStateError(name, `Cannot import parameters: "${name}" is not a parameter of this network`);
      }
    }
  }

  /** Dispose every variable. */
  dispose(): void {
    for (const e of this.#entries.values()) e.variable.dispose();
    this.#entries.clear();
  }
}

/**
 * Check that `array` has the expected shape and a matching data length.
 *
 * @param array The array to check.
 * @param expected The parameter's `name` (for the error) and `shape`.
 * @throws {ParamStateError} On a mismatch.
 */
export function checkShape(array: NamedArray, expected: { name: string; shape: readonly number[] }): void {
  const { name, shape } = expected;
  const size = shape.reduce((a, b) => a * b, 1);
  if (array.shape.length !== shape.length || array.shape.some((d, i) => d !== shape[i]) || array.data.length !== size) {
    throw new ParamStateError(
      name,
      `Cannot import parameters: "${name}" has shape [${array.shape}] (${array.data.length} values), expected [${shape}]`,
    );
  }
}
