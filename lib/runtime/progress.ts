/**
 * Text for progress reports: a one-line bar with rate and ETA for terminals,
 * and durations in words.
 *
 * @module
 */

/**
 * A duration as `1h02m`, `3m07s` or `42s`.
 *
 * @param seconds The duration.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./progress.ts";
 * if (formatDuration(187) !== "3m07s") throw new Error(formatDuration(187));
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m${String(r).padStart(2, "0")}s`;
  return `${r}s`;
}

/** What {@linkcode formatProgressBar} shows. */
export interface ProgressState {
  /** Units done. */
  readonly done: number;
  /** Units in all. */
  readonly total: number;
  /** Units done when timing started (a resumed run's first step). */
  readonly startDone: number;
  /** Seconds since timing started. */
  readonly elapsedSec: number;
  /** Extra text after the bar (e.g. `epoch 2`). */
  readonly label?: string;
}

/**
 * `[########------------]  120/400 steps  epoch 2  1.8 steps/s  ETA 2m35s`.
 *
 * @param state Progress and timing.
 * @param width Characters of the bar. Default 24.
 * @returns The line (no newline).
 *
 * @example
 * ```ts
 * import { formatProgressBar } from "./progress.ts";
 * const line = formatProgressBar({ done: 50, total: 100, startDone: 0, elapsedSec: 25 }, 10);
 * if (!line.startsWith("[#####-----]") || !line.endsWith("ETA 25s")) throw new Error(line);
 * ```
 */
export function formatProgressBar(state: ProgressState, width = 24): string {
  const fraction = state.total > 0 ? Math.min(1, state.done / state.total) : 0;
  const filled = Math.round(fraction * width);
  const rate = (state.done - state.startDone) / Math.max(state.elapsedSec, 1e-9);
  const remaining = rate > 0 ? (state.total - state.done) / rate : Infinity;
  const width10 = String(state.total).length;
  return [
    `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`,
    `${String(state.done).padStart(width10)}/${state.total} steps`,
    ...(state.label === undefined ? [] : [state.label]),
    `${rate.toFixed(rate < 10 ? 2 : 1)} steps/s`,
    `ETA ${formatDuration(remaining)}`,
  ].join("  ");
}
