/**
 * VBZ decoding, POD5's signal compression: zstd(svb16(zigzag(delta(samples))))
 * (notes/pod5_format.md §3). zstd comes from `node:zlib`; the rest is
 * {@linkcode decodeSvb16Into}. Encoding is in `vbz_encoder.ts`.
 *
 * @module
 */
import { zstdDecompressSync } from "node:zlib";
import { VbzError } from "./errors.ts";
import { decodeSvb16Into, svb16KeyBytes, svb16MaxBytes, svb16StreamBytes } from "./svb16.ts";

/** zstd frame magic number, little-endian (RFC 8878 §3.1.1). */
const ZSTD_MAGIC = 0xfd2fb528;
/** node:zlib refuses chunk sizes below this. */
const MIN_ZLIB_CHUNK_BYTES = 64;

/**
 * The Frame_Content_Size of a zstd frame header, if the header states one.
 *
 * @param frame Bytes starting with a zstd frame.
 * @returns The decompressed size, or undefined when absent or unreadable.
 */
export function zstdFrameContentSize(frame: Uint8Array): number | undefined {
  if (frame.length < 5) return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint32(0, true) !== ZSTD_MAGIC) return undefined;
  const descriptor = frame[4]!;
  const fcsFlag = descriptor >>> 6;
  const singleSegment = (descriptor >>> 5) & 1;
  const dictIdBytes = [0, 1, 2, 4][descriptor & 3]!;
  const fcsBytes = [singleSegment, 2, 4, 8][fcsFlag]!;
  if (fcsBytes === 0) return undefined;
  const at = 5 + (singleSegment === 1 ? 0 : 1) + dictIdBytes;
  if (at + fcsBytes > frame.length) return undefined;
  switch (fcsBytes) {
    case 1:
      return view.getUint8(at);
    case 2:
      return view.getUint16(at, true) + 256;
    case 4:
      return view.getUint32(at, true);
    default: {
      const size = view.getBigUint64(at, true);
      return size <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(size) : undefined;
    }
  }
}

/**
 * Decode one VBZ chunk of `numSamples` samples into `out[outOffset…]`
 * (no allocation for the samples: fill a caller's buffer).
 *
 * @param compressed The chunk as stored in the signal table.
 * @param numSamples The row's `samples` value.
 * @param out Destination.
 * @param outOffset First index written.
 * @throws {VbzError} When the zstd frame or the svb16 stream is corrupt.
 *
 * @example Decode two chunks back to back
 * ```ts
 * import { decodeVbzInto } from "./vbz.ts";
 * import { createVbzEncoder } from "./vbz_encoder.ts";
 *
 * const encoder = await createVbzEncoder();
 * const out = new Int16Array(5);
 * decodeVbzInto(encoder.encode(Int16Array.of(1, 2)), 2, out, 0);
 * decodeVbzInto(encoder.encode(Int16Array.of(3, 4, 5)), 3, out, 2);
 * if (out.join() !== "1,2,3,4,5") throw new Error(out.join());
 * ```
 */
export function decodeVbzInto(compressed: Uint8Array, numSamples: number, out: Int16Array, outOffset = 0): void {
  if (outOffset < 0 || outOffset + numSamples > out.length) {
    throw new RangeError(`Cannot decode VBZ: ${numSamples} samples do not fit at ${outOffset} of ${out.length}`);
  }
  const maxBytes = svb16MaxBytes(numSamples);
  const stated = zstdFrameContentSize(compressed);
  if (stated !== undefined && stated > maxBytes) {
    throw new VbzError(
      `Cannot decode VBZ: frame states ${stated} bytes, more than ${maxBytes} for ${numSamples} samples`,
    );
  }
  let stream: Uint8Array;
  try {
    stream = zstdDecompressSync(compressed, {
      maxOutputLength: Math.max(maxBytes, 1),
      chunkSize: Math.max(stated ?? maxBytes, MIN_ZLIB_CHUNK_BYTES),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new VbzError(`Cannot decode VBZ: zstd failed (${reason})`, { cause: error });
  }
  if (stated !== undefined && stream.length !== stated) {
    // node:zlib returns what it could decompress from a truncated frame.
    throw new VbzError(`Cannot decode VBZ: frame states ${stated} bytes but yields ${stream.length} (truncated?)`);
  }
  if (stream.length < svb16KeyBytes(numSamples)) {
    throw new VbzError(`Cannot decode VBZ: ${stream.length} bytes is too short for ${numSamples} samples`);
  }
  const expected = svb16StreamBytes(stream, numSamples);
  if (stream.length !== expected) {
    throw new VbzError(
      `Cannot decode VBZ: stream has ${stream.length} bytes, keys for ${numSamples} samples need ${expected}`,
    );
  }
  decodeSvb16Into(stream, numSamples, out, outOffset);
}

/**
 * Decode one VBZ chunk into a new array.
 *
 * @param compressed The chunk.
 * @param numSamples Number of samples it holds.
 * @returns The samples.
 * @throws {VbzError} When the chunk is corrupt.
 *
 * @example Round trip
 * ```ts
 * import { decodeVbz } from "./vbz.ts";
 * import { createVbzEncoder } from "./vbz_encoder.ts";
 *
 * const samples = Int16Array.of(100, 102, 99, 300);
 * const decoded = decodeVbz((await createVbzEncoder()).encode(samples), samples.length);
 * if (decoded.join() !== "100,102,99,300") throw new Error("round trip failed");
 * ```
 */
export function decodeVbz(compressed: Uint8Array, numSamples: number): Int16Array {
  const out = new Int16Array(numSamples);
  decodeVbzInto(compressed, numSamples, out, 0);
  return out;
}
