/**
 * `BearerToken`: checks an `Authorization: Bearer <token>` header against
 * the server's token in constant time. Both sides are hashed (SHA-256)
 * first, so the comparison takes the same time whatever the token's length
 * and wherever the first difference is (node:crypto's `timingSafeEqual`).
 *
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function digest(text: string): Uint8Array {
  return createHash("sha256").update(text, "utf8").digest();
}

/**
 * The server's token.
 *
 * @example
 * ```ts
 * import { BearerToken } from "./bearer_token.ts";
 *
 * const token = new BearerToken("s3cret");
 * if (!token.accepts("Bearer s3cret") || token.accepts("Bearer s3cres") || token.accepts(null)) {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export class BearerToken {
  readonly #digest: Uint8Array;

  /**
   * Hold `token` (only its SHA-256 is kept).
   *
   * @param token The token, non-empty.
   * @throws {RangeError} When it is empty.
   */
  constructor(token: string) {
    if (token === "") throw new RangeError("Cannot use an empty bearer token");
    this.#digest = digest(token);
  }

  /**
   * Whether an `Authorization` header carries this token.
   *
   * @param authorization The header's value, or null when absent.
   * @returns True only for `Bearer <the token>` (the scheme in any case).
   */
  accepts(authorization: string | null): boolean {
    const presented = authorization === null ? null : BEARER.exec(authorization)?.[1];
    // A missing or malformed header is compared too, so it takes the same time.
    const equal = timingSafeEqual(digest(presented ?? ""), this.#digest);
    return presented !== null && presented !== undefined && equal;
  }
}
