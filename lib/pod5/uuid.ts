/**
 * Read ids: 16-byte UUIDs stored in canonical string byte order
 * (notes/pod5_format.md §2.1), shown as lower-case canonical text.
 *
 * @module
 */

/** Bytes of a UUID. */
export const UUID_BYTES = 16;

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Format 16 bytes as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
 *
 * @param bytes The buffer holding the UUID.
 * @param offset Where the 16 bytes start.
 * @returns Lower-case canonical UUID text.
 *
 * @example
 * ```ts
 * import { uuidFromBytes, uuidToBytes } from "./uuid.ts";
 *
 * const id = "07e9c086-2b8e-4bea-8b91-1e3a783c77bb";
 * if (uuidFromBytes(uuidToBytes(id.toUpperCase())) !== id) throw new Error("round trip failed");
 * ```
 */
export function uuidFromBytes(bytes: Uint8Array, offset = 0): string {
  if (offset < 0 || offset + UUID_BYTES > bytes.length) {
    throw new RangeError(`Cannot read UUID: need ${UUID_BYTES} bytes at ${offset} of ${bytes.length}`);
  }
  let text = "";
  for (let i = 0; i < UUID_BYTES; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text += "-";
    text += HEX[bytes[offset + i]!]!;
  }
  return text;
}

/**
 * Whether `text` is a canonical UUID (any case).
 *
 * @param text Candidate text.
 * @returns True for `8-4-4-4-12` hex digits.
 *
 * @example
 * ```ts
 * import { isUuid } from "./uuid.ts";
 *
 * if (!isUuid("07e9c086-2b8e-4bea-8b91-1e3a783c77bb") || isUuid("07e9c086")) throw new Error("wrong");
 * ```
 */
export function isUuid(text: string): boolean {
  return UUID_PATTERN.test(text);
}

/**
 * Parse canonical UUID text into 16 bytes.
 *
 * @param text `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, any case.
 * @returns The bytes.
 * @throws {TypeError} When `text` is not a canonical UUID.
 *
 * @example
 * ```ts
 * import { uuidToBytes } from "./uuid.ts";
 *
 * if (uuidToBytes("07e9c086-2b8e-4bea-8b91-1e3a783c77bb")[0] !== 0x07) throw new Error("wrong byte order");
 * ```
 */
export function uuidToBytes(text: string): Uint8Array {
  if (!isUuid(text)) throw new TypeError(`Cannot parse UUID: "${text}" is not 8-4-4-4-12 hex digits`);
  const hex = text.replaceAll("-", "");
  const bytes = new Uint8Array(UUID_BYTES);
  for (let i = 0; i < UUID_BYTES; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
