/**
 * SHA-256 digests as hex text (node:crypto, synchronous).
 *
 * @module
 */
import { createHash } from "node:crypto";

/**
 * The sha256 of bytes, as lower-case hex.
 *
 * @param bytes The bytes (any typed-array view is hashed as its bytes).
 * @returns 64 hex digits.
 *
 * @example
 * ```ts
 * import { sha256Hex } from "./sha256_hex.ts";
 * const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
 * if (sha256Hex(new Uint8Array(0)) !== empty) throw new Error("wrong digest");
 * ```
 */
export function sha256Hex(bytes: ArrayBufferView): string {
  return createHash("sha256").update(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)).digest("hex");
}
