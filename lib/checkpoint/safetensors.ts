/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian
 * header length, a JSON header `{name: {dtype, shape, data_offsets}}` (plus
 * optional `__metadata__` strings), then the raw little-endian tensor bytes.
 * Python's `safetensors`, numpy and torch read these files directly.
 *
 * @module
 */

/** Element types this codec reads and writes. */
export type SafetensorsDtype = "F32" | "U32";

/** One tensor: shape and values. */
export interface Tensor {
  /** Row-major shape; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** The values (`F32` or `U32`), shape-product long. */
  readonly data: Float32Array | Uint32Array;
}

/** The decoded contents of a safetensors file. */
export interface Safetensors {
  /** Tensors by name. */
  readonly tensors: Map<string, Tensor>;
  /** The `__metadata__` strings. */
  readonly metadata: Record<string, string>;
}

const HEADER_LENGTH_BYTES = 8;
/** Largest header this reader accepts (the reference implementation's limit). */
const MAX_HEADER_BYTES = 100_000_000;
const BYTES_PER_ELEMENT: Record<SafetensorsDtype, number> = { F32: 4, U32: 4 };

/**
 * Encode tensors (in name order) and string metadata.
 *
 * @param tensors Tensors by name.
 * @param metadata Optional `__metadata__` strings.
 * @returns The file bytes.
 *
 * @example Round trip
 * ```ts
 * import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
 *
 * const bytes = encodeSafetensors(new Map([["w", { shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) }]]));
 * const back = decodeSafetensors(bytes);
 * if (back.tensors.get("w")?.data[3] !== 4) throw new Error("round trip failed");
 * ```
 */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, Tensor>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const entries = [...tensors.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header["__metadata__"] = { ...metadata };
  let offset = 0;
  for (const [name, tensor] of entries) {
    const count = tensor.shape.reduce((a, b) => a * b, 1);
    if (count !== tensor.data.length) {
      throw new RangeError(
        `Cannot encode tensor "${name}": shape [${tensor.shape}] needs ${count} values, got ${tensor.data.length}`,
      );
    }
    const dtype: SafetensorsDtype = tensor.data instanceof Float32Array ? "F32" : "U32";
    header[name] = { dtype, shape: [...tensor.shape], data_offsets: [offset, offset + tensor.data.byteLength] };
    offset += tensor.data.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-aligned, as the reference writer does.
  json += " ".repeat((8 - ((HEADER_LENGTH_BYTES + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(HEADER_LENGTH_BYTES + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, HEADER_LENGTH_BYTES);
  let at = HEADER_LENGTH_BYTES + headerBytes.length;
  for (const [, { data }] of entries) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    at += data.byteLength;
  }
  return out;
}

/**
 * Decode a safetensors file (F32 and U32 tensors).
 *
 * @param bytes The file bytes.
 * @returns Tensors (copied into aligned arrays) and metadata.
 * @throws {RangeError} When the header or offsets are malformed.
 */
export function decodeSafetensors(bytes: Uint8Array): Safetensors {
  if (bytes.length < HEADER_LENGTH_BYTES) {
    throw new RangeError(`safetensors file of ${bytes.length} bytes is too short`);
  }
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || HEADER_LENGTH_BYTES + headerLength > bytes.length) {
    throw new RangeError(`safetensors header length ${headerLength} does not fit in ${bytes.length} bytes`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    throw new RangeError(`safetensors header is not valid JSON`, { cause: error });
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw new RangeError("safetensors header is not a JSON object");
  }
  const dataStart = HEADER_LENGTH_BYTES + headerLength;
  const dataBytes = bytes.length - dataStart;
  const tensors = new Map<string, Tensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = Object.fromEntries(Object.entries(entry ?? {}).map(([k, v]) => [k, String(v)]));
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as Record<string, unknown>;
    if (dtype !== "F32" && dtype !== "U32") throw new RangeError(`tensor "${name}" has unsupported dtype ${dtype}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new RangeError(`tensor "${name}" has a bad shape`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o))) {
      throw new RangeError(`tensor "${name}" has bad data_offsets`);
    }
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (begin < 0 || end > dataBytes || end - begin !== count * BYTES_PER_ELEMENT[dtype]) {
      throw new RangeError(`tensor "${name}" data [${begin}, ${end}) does not match its shape or the file`);
    }
    const raw = bytes.slice(dataStart + begin, dataStart + end);
    const data = dtype === "F32" ? new Float32Array(raw.buffer) : new Uint32Array(raw.buffer);
    tensors.set(name, { shape: shape as number[], data });
  }
  return { tensors, metadata };
}
