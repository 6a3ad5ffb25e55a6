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

/** Where a run stood when its rate starts being measured (after its warm-up). */
export interface ProgressMark {
  /** Samples done then. */
  readonly samples: number;
  /** Fraction done then, [0, 1]. */
  readonly fraction: number;
  /** Milliseconds since the start, then. */
  readonly elapsedMs: number;
}

/** Options of {@linkcode formatFileProgress}. */
export interface FormatFileProgressOptions {
  /**
   * Measure the rate and the ETA from this point on (e.g. the first read
   * done: model loading and warm-up are behind it); both are left out until
   * {@linkcode MIN_ESTIMATE_MS} of work has been measured. Default: from the
   * start, shown at once.
   */
  readonly since?: ProgressMark;
}

/** How much work after the warm-up an estimate needs, ms. */
export const MIN_ESTIMATE_MS = 2000;

/**
 * `file 2/5  1,204 reads  3.1 M samples  412 k samples/s  ETA 1m05s`.
 *
 * @param progress Where the run is.
 * @param options Where the rate's measurement starts.
 * @returns The line (no newline).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatFileProgress } from "./progress.ts";
 * const line = formatFileProgress({ fileIndex: 0, files: 2, reads: 3, samples: 2e6, fraction: 0.5, elapsedMs: 4000 });
 * assertEquals(line, "file 1/2  3 reads  2.00 M samples  500 k samples/s  ETA 4s");
 * // Measured from the first read on: 3 s for 1.9 M samples and 0.45 of the work.
 * const since = { samples: 1e5, fraction: 0.05, elapsedMs: 1000 };
 * assertEquals(
 *   formatFileProgress({ fileIndex: 0, files: 2, reads: 3, samples: 2e6, fraction: 0.5, elapsedMs: 4000 }, { since }),
 *   "file 1/2  3 reads  2.00 M samples  633 k samples/s  ETA 3s",
 * );
 * ```
 */
export function formatFileProgress(progress: FileProgress, options: FormatFileProgressOptions = {}): string {
  const since = options.since ?? { samples: 0, fraction: 0, elapsedMs: 0 };
  const measuredMs = progress.elapsedMs - since.elapsedMs;
  const parts = [
    `file ${progress.fileIndex + 1}/${progress.files}`,
    `${progress.reads.toLocaleString("en-US")} reads`,
    `${(progress.samples / 1e6).toFixed(2)} M samples`,
  ];
  if (options.since !== undefined && (measuredMs < MIN_ESTIMATE_MS || !(progress.fraction > since.fraction))) {
    return parts.join("  ");
  }
  const seconds = measuredMs / 1000;
  const rate = (progress.samples - since.samples) / Math.max(seconds, 1e-9);
  const done = progress.fraction - since.fraction;
  const remaining = done > 0 ? seconds * (1 - progress.fraction) / done : Infinity;
  parts.push(`${Math.round(rate / 1000).toLocaleString("en-US")} k samples/s`, `ETA ${formatDuration(remaining)}`);
  return parts.join("  ");
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
 * `everySec` seconds; `done()` ends the in-place line. The rate and ETA are
 * measured from the first report on (the first read done, so the model's
 * loading and warm-up do not count), and shown once
 * {@linkcode MIN_ESTIMATE_MS} of work has been measured.
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
  let since: ProgressMark | undefined;
  return {
    report: (progress) => {
      const now = progress.elapsedMs;
      since ??= { samples: progress.samples, fraction: progress.fraction, elapsedMs: now };
      if (options.terminal) {
        if (now - last < 100 && progress.fraction < 1) return;
        write(`\r\x1b[2K${formatFileProgress(progress, { since })}`);
        shown = true;
      } else {
        if (now - last < every) return;
        write(`${formatFileProgress(progress, { since })}\n`);
      }
      last = now;
    },
    done: () => {
      if (shown) write("\r\x1b[2K");
      shown = false;
    },
  };
}
