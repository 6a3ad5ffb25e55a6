/**
 * Errors of the basecaller adapters: a missing program, reads of a pore its
 * models were not trained for. Both are the user's to fix (exit code 2).
 *
 * @module
 */
import { InputError } from "../runtime/errors.ts";

/** The basecaller's program is not installed (or not on PATH). */
export class BasecallerNotFoundError extends InputError {
  /** The program looked for. */
  readonly bin: string;

  /**
   * Create the error.
   *
   * @param bin The program.
   * @param message What is missing and how to install it.
   * @param options The `cause`, if any.
   */
  constructor(bin: string, message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, reason: "basecaller_missing" });
    this.name = "BasecallerNotFoundError";
    this.bin = bin;
  }
}

/** The reads are of a pore (or a kind of run) the basecaller's models do not cover. */
export class UnsupportedPoreError extends InputError {
  /** The pore found, e.g. `R10.x`, `RNA` or `unknown`. */
  readonly pore: string;

  /**
   * Create the error.
   *
   * @param path The POD5 file.
   * @param pore The pore found.
   * @param message What was found and how to go on.
   */
  constructor(path: string, pore: string, message: string) {
    super(message, { path, reason: "unsupported_pore" });
    this.name = "UnsupportedPoreError";
    this.pore = pore;
  }
}
