/**
 * The one line a task prints for a {@linkcode DatasetWarning}.
 *
 * @module
 */
import type { DatasetWarning } from "./types.ts";

/**
 * Format a dataset warning as `[warn] FILE: reason`.
 *
 * @example
 * ```ts
 * import { formatDatasetWarning } from "./format_dataset_warning.ts";
 * const line = formatDatasetWarning({ path: "a.pod5", message: "skipped file: bad signature" });
 * if (line !== "[warn] a.pod5: skipped file: bad signature") throw new Error(line);
 * ```
 *
 * @param warning The warning.
 * @returns The line, without a newline.
 */
export function formatDatasetWarning(warning: DatasetWarning): string {
  return `[warn] ${warning.path}: ${warning.message}`;
}
