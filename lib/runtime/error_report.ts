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
 * The line printed for `error`: `error: FILE: reason` when the error names a
 * file, `error: reason` otherwise; with `SIMVQGAN_DEBUG=1` (and permission to
 * read it) the stack follows.
 *
 * @param error Anything thrown.
 * @returns The text to print on stderr.
 */
export function formatError(error: unknown): string {
  let line: string;
  if (error instanceof Error) {
    const path = hasPath(error) ? error.path : undefined;
    const message = error.message.split("\n")[0] ?? "";
    line = path === undefined || message.startsWith(`${path}:`) ? message : `${path}: ${message}`;
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
