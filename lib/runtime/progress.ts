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

/** What a file-processing run reports (the codec's progress, in plain numbers). */
export interface FileProgress {
  /** Index of the current file (0-based). */
  readonly fileIndex: number;
  /** Files in the run. */
  readonly files: number;
  /** Reads done. */
  readonly reads: number;
  /** Samples done. */
  readonly samples: number;
  /** Fraction done, [0, 1]. */
  readonly fraction: number;
  /** Milliseconds since the start. */
  readonly elapsedMs: number;
}

/**
 * `file 2/5  1,204 reads  3.1 M samples  412 k samples/s  ETA 1m05s`.
 *
 * @param progress Where the run is.
 * @returns The line (no newline).
 *
 * @example
 * ```ts
 * import { formatFileProgress } from "./progress.ts";
 * const line = formatFileProgress({ fileIndex: 0, files: 2, reads: 3, samples: 2e6, fraction: 0.5, elapsedMs: 4000 });
 * if (line !== "file 1/2  3 reads  2.00 M samples  500 k samples/s  ETA 4s") throw new Error(line);
 * ```
 */
export function formatFileProgress(progress: FileProgress): string {
  const seconds = progress.elapsedMs / 1000;
  const rate = progress.samples / Math.max(seconds, 1e-9);
  const remaining = progress.fraction > 0 ? seconds * (1 - progress.fraction) / progress.fraction : Infinity;
  return [
    `file ${progress.fileIndex + 1}/${progress.files}`,
    `${progress.reads.toLocaleString("en-US")} reads`,
    `${(progress.samples / 1e6).toFixed(2)} M samples`,
    `${Math.round(rate / 1000).toLocaleString("en-US")} k samples/s`,
    `ETA ${formatDuration(remaining)}`,
  ].join("  ");
}

/** Options of {@linkcode progressPrinter}. */
export interface ProgressPrinterOptions {
  /** Redraw one line in place (`\r`) instead of printing lines. */
  readonly terminal: boolean;
  /** Seconds between plain lines when not on a terminal. Default 10. */
  readonly everySec?: number;
}

/**
 * A progress sink that writes to `write`: on a terminal it redraws one line
 * at most 10 times a second, otherwise it writes a plain line every
 * `everySec` seconds; `done()` ends the in-place line.
 *
 * @param write Where text goes (e.g. stderr).
 * @param options Terminal or not, and the line interval.
 * @returns The sink and its `done`.
 */
export function progressPrinter(
  write: (text: string) => void,
  options: ProgressPrinterOptions,
): { readonly report: (progress: FileProgress) => void; readonly done: () => void } {
  const every = (options.everySec ?? 10) * 1000;
  let last = -Infinity;
  let shown = false;
  return {
    report: (progress) => {
      const now = progress.elapsedMs;
      if (options.terminal) {
        if (now - last < 100 && progress.fraction < 1) return;
        write(`\r\x1b[2K${formatFileProgress(progress)}`);
        shown = true;
      } else {
        if (now - last < every) return;
        write(`${formatFileProgress(progress)}\n`);
      }
      last = now;
    },
    done: () => {
      if (shown) write("\r\x1b[2K");
      shown = false;
    },
  };
}
