/**
 * A test hook for crash tests: stop the process at a named point of a write,
 * deterministically, instead of killing it after a sleep.
 *
 * @module
 */

/** The environment variable naming the point to stop at. */
export const CRASH_AT_ENV = "SIMVQGAN_CRASH_AT";
/** The exit code of a process stopped by {@linkcode crashPoint}. */
export const CRASH_EXIT_CODE = 86;

/**
 * Test hook. When the environment variable `SIMVQGAN_CRASH_AT` equals `name`
 * (and the process may read it), end the process at once with exit code
 * {@linkcode CRASH_EXIT_CODE}: no `finally` block or cleanup runs, as after a
 * SIGKILL or a power cut at that point. Otherwise (always, for users) a no-op.
 *
 * Points: `checkpoint:tensors` (tensor files written, no state.json),
 * `checkpoint:state` (state.json written, not yet renamed),
 * `checkpoint:renamed` (renamed, not yet pruned), `pod5:tables` (every table
 * written, no footer), `pod5:footer` (footer written, not yet renamed).
 *
 * @param name The point reached.
 *
 * @example Nothing happens unless a test asked for this point
 * ```ts
 * import { crashPoint } from "./crash_point.ts";
 *
 * crashPoint("checkpoint:tensors");
 * ```
 */
export function crashPoint(name: string): void {
  if (Deno.permissions.querySync({ name: "env", variable: CRASH_AT_ENV }).state !== "granted") return;
  if (Deno.env.get(CRASH_AT_ENV) === name) Deno.exit(CRASH_EXIT_CODE);
}
