/**
 * How the server words a library error for its client: the HTTP status by
 * the error's `reason`, the body file named `body` instead of its server
 * path, and the query parameter that does what the CLI's flag would. The
 * error's fields are read; its message is never taken apart.
 *
 * @module
 */
import { CodecMismatchError } from "../codec/errors.ts";
import { InputError } from "../runtime/errors.ts";
import { HttpError } from "./errors.ts";

/** HTTP status by reason; any other `InputError` is a 400. */
export const REASON_STATUS: Readonly<Record<string, number>> = {
  // A read at another sample rate: a valid POD5 file that this checkpoint cannot encode.
  sample_rate: 422,
  // Tokens of another checkpoint (or geometry): they conflict with the server's checkpoint.
  other_checkpoint: 409,
  geometry: 409,
  normalisation: 409,
  worker_checkpoint: 409,
};

/** What an endpoint takes instead of the flag the CLI names, by reason. */
export const QUERY_HINTS: Readonly<Record<string, string>> = {
  sample_rate: " (?skip_mismatched=1 skips such reads)",
};

/** Where a request's files are, so that messages name them as the client knows them. */
export interface RefusalContext {
  /** The operation's verb, for messages. */
  readonly verb: string;
  /** The spooled body's path (named `body`). */
  readonly bodyPath: string | undefined;
  /** The request's workspace (named `(temp)`). */
  readonly workspaceDir: string | undefined;
}

/**
 * The refusal a client sees for `error`: an {@linkcode HttpError} as it is,
 * an `InputError` with the status of its reason, anything else a 500 that
 * says only "internal error".
 *
 * @param error What the operation threw.
 * @param context The verb and the request's paths.
 * @returns The refusal.
 */
export function refusalOf(error: unknown, context: RefusalContext): HttpError {
  if (error instanceof HttpError) return error;
  if (!(error instanceof InputError)) {
    return new HttpError(500, `Cannot ${context.verb}: internal error (see the server log)`, { cause: error });
  }
  const status = REASON_STATUS[error.reason] ?? 400;
  if (error instanceof CodecMismatchError && error.mismatch.reason === "other_checkpoint") {
    const { recorded, given } = error.mismatch;
    return new HttpError(
      status,
      `Cannot decode: the tokens were made by checkpoint sha256 ${recorded.sha256} (step ${recorded.step}), ` +
        `this server's checkpoint has sha256 ${given.sha256} (step ${given.step})`,
      { cause: error },
    );
  }
  const detail = error.detail.split("\n")[0] ?? "";
  const line = error.path === undefined ? detail : `${shownPath(error.path, context)}: ${detail}`;
  return new HttpError(status, line + (QUERY_HINTS[error.reason] ?? ""), { cause: error });
}

function shownPath(path: string, context: RefusalContext): string {
  if (path === context.bodyPath) return "body";
  const dir = context.workspaceDir;
  return dir !== undefined && path.startsWith(dir) ? `(temp)${path.slice(dir.length)}` : path;
}
