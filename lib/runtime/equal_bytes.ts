/**
 * Byte-array equality.
 *
 * @module
 */

/**
 * Whether two byte arrays are equal.
 *
 * @param a One array.
 * @param b The other.
 * @returns True when lengths and bytes match.
 *
 * @example
 * ```ts
 * import { equalBytes } from "./equal_bytes.ts";
 * if (!equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2)) || equalBytes(Uint8Array.of(1), Uint8Array.of(2))) {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
