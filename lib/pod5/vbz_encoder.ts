/**
 * The VBZ encoder: svb16 by hand, zstd by the reference zstd build that
 * reproduces ONT's writer byte for byte.
 *
 * ONT's writer calls one-shot `ZSTD_compress(…, level 1)`. Level-1 output
 * changes between zstd releases, so `node:zlib` (whose bundled zstd moves
 * with Deno) writes valid frames with different bytes. `@bokuweb/zstd-wasm`
 * 0.0.14 (pinned exactly in deno.json; later releases bundle a newer zstd)
 * reproduces every VBZ chunk of the bundled fixtures, written by pod5 0.2.4,
 * 0.2.8 and 0.3.35 (tests/pod5/vbz_encoder_test.ts). Decoding stays on
 * `node:zlib`, which is faster.
 *
 * @module
 */
import * as zstdWasm from "@bokuweb/zstd-wasm";
import { dirname, fromFileUrl, join } from "@std/path";
import { encodeSvb16 } from "./svb16.ts";
import { VbzError } from "./errors.ts";

/** The official writer compresses at zstd level 1. */
export const VBZ_ZSTD_LEVEL = 1;

/** Encodes int16 samples as VBZ chunks. */
export interface VbzEncoder {
  /**
   * Encode samples as one VBZ chunk: a single zstd frame at level 1 that
   * states its content size and has no checksum, as ONT's writer makes.
   *
   * @param samples The int16 samples of one signal row.
   * @returns The compressed chunk.
   */
  encode(samples: Int16Array): Uint8Array;
}

// The package's typings declare `compress(buf: ArrayBuffer)`, but it copies its
// argument with `HEAP8.set(buf)`, which needs a typed array; this is the call it supports.
const compressBytes = zstdWasm.compress as unknown as (bytes: Uint8Array, level: number) => Uint8Array;

/**
 * The folder holding the reference zstd's `.wasm` binary (in Deno's npm
 * cache), which {@linkcode createVbzEncoder} reads: a process with scoped
 * read permissions needs read access to it to write VBZ signal.
 *
 * @example
 * ```ts
 * import { zstdWasmDir } from "./vbz_encoder.ts";
 * if (!zstdWasmDir().includes("zstd-wasm")) throw new Error("unexpected folder");
 * ```
 *
 * @returns An absolute path.
 */
export function zstdWasmDir(): string {
  return join(dirname(fromFileUrl(import.meta.resolve("@bokuweb/zstd-wasm"))), "wasm");
}

/** The package keeps one WebAssembly instance per process; initialise it once. */
let ready: Promise<void> | undefined;

/**
 * Load the reference zstd (a WebAssembly module read from the npm cache, so
 * the caller needs read permission there) and return an encoder.
 *
 * @returns The encoder.
 *
 * @example The worked example of notes/pod5_format.md §3
 * ```ts
 * import { createVbzEncoder } from "./vbz_encoder.ts";
 *
 * const encoder = await createVbzEncoder();
 * const hex = Array.from(encoder.encode(Int16Array.of(100, 102, 99, 300)), (b) => b.toString(16).padStart(2, "0"));
 * if (hex.join(" ") !== "28 b5 2f fd 20 06 31 00 00 08 c8 04 05 92 01") throw new Error(hex.join(" "));
 * ```
 */
export async function createVbzEncoder(): Promise<VbzEncoder> {
  ready ??= zstdWasm.init();
  try {
    await ready;
  } catch (error) {
    ready = undefined;
    throw new VbzError(`Cannot load the zstd encoder: ${error instanceof Error ? error.message : error}`, {
      cause: error,
    });
  }
  return {
    encode(samples: Int16Array): Uint8Array {
      return compressBytes(encodeSvb16(samples), VBZ_ZSTD_LEVEL);
    },
  };
}
