/**
 * Turning errors into the one line users see: `error: FILE: reason`.
 *
 * @module
 */
import { UsageError } from "./args.ts";
import { BackendSetupError, InputError } from "./errors.ts";

/** Name of the environment variable that turns on stack traces. */
export const DEBUG_ENV = "SIMVQGAN_DEBUG";

/**
 * Whether `error` is about bad input (exit code 2): an {@linkcode InputError}
 * (config, POD5 format, ...), a usage error, a missing input file, or a
 * backend that is not set up ({@linkcode BackendSetupError}).
 *
 * @param error Anything thrown.
 * @returns True for bad input.
 */
export function isInputError(error: unknown): boolean {
  return error instanceof InputError || error instanceof UsageError || error instanceof Deno.errors.NotFound ||
    error instanceof BackendSetupError;
}

/**
 * What a task adds to the line of an {@linkcode InputError}, by its `reason`:
 * the flag that changes the outcome, with its separator, e.g.
 * `{ output_exists: " (use --force to replace it)" }`. The library's
 * messages name no flags; the task that has the flags names them.
 */
export type FlagHints = Readonly<Record<string, string>>;

/** Options of {@linkcode formatError}. */
export interface FormatErrorOptions {
  /** The task's flag hints. Default: none. */
  readonly hints?: FlagHints;
}

/**
 * The line printed for `error`: `error: FILE: reason` when the error names a
 * file, `error: reason` otherwise, then the task's hint for its reason; with
 * `SIMVQGAN_DEBUG=1` (and permission to read it) the stack follows.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatError } from "./error_report.ts";
 * import { InputError } from "./errors.ts";
 * const error = new InputError("Cannot write output: the file exists", { path: "a.tokens", reason: "output_exists" });
 * assertEquals(
 *   formatError(error, { hints: { output_exists: " (use --force to replace it)" } }),
 *   "error: a.tokens: Cannot write output: the file exists (use --force to replace it)",
 * );
 * ```
 *
 * @param error Anything thrown.
 * @param options The task's flag hints.
 * @returns The text to print on stderr.
 */
export function formatError(error: unknown, options: FormatErrorOptions = {}): string {
  let line: string;
  if (error instanceof Error) {
    const path = hasPath(error) ? error.path : undefined;
    const message = error.message.split("\n")[0] ?? "";
    line = path === undefined || message.startsWith(`${path}:`) ? message : `${path}: ${message}`;
    if (error instanceof InputError) line += options.hints?.[error.reason] ?? "";
    const rest = error.message.split("\n").slice(1).join("\n");
    if (rest !== "") line += `\n${rest}`;
  } else {
    line = String(error);
  }
  let text = `error: ${line}`;
  if (debugEnabled() && error instanceof Error && error.stack !== undefined) text += `\n${error.stack}`;
  return text;
}

function hasPath(error: Error): error is Error & { readonly path: string } {
  return "path" in error && typeof error.path === "string";
}

function debugEnabled(): boolean {
  try {
    if (Deno.permissions.querySync({ name: "env", variable: DEBUG_ENV }).state !== "granted") return false;
    return Deno.env.get(DEBUG_ENV) === "1";
  } catch {
    return false;
  }
}
