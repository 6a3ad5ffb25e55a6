/**
 * `formatRuns()`: the table `deno task checkpoints` prints from
 * `listRuns()`'s result (`list_runs.ts`).
 *
 * @module
 */
import { basename } from "@std/path";
import type { RunListing } from "./list_runs.ts";

/**
 * The table `deno task checkpoints` prints: per run, one line per
 * checkpoint or export.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatRuns } from "./format_runs.ts";
 * const row = {
 *   path: "/w/checkpoints/q/checkpoint_450", kind: "checkpoint" as const, step: 450, sha256: "ab".repeat(32),
 *   sampleRateHz: 5000, heldOutSnrDb: 4.32, heldOutStep: 450, exports: [], source: null, sourcePresent: false,
 * };
 * assertEquals(formatRuns([{ path: "/w/checkpoints/q", rows: [row] }], { cwd: "/w" }), [
 *   "checkpoints/q: 1 checkpoint",
 *   "  checkpoint      step  held-out SNR  sample rate  generator sha256  exported",
 *   "  checkpoint_450   450       4.32 dB      5000 Hz  abababababab…     no",
 * ]);
 * ```
 *
 * @param runs What `listRuns()` found.
 * @param options The folder paths are shown relative to (default: none, absolute).
 * @returns The lines.
 */
export function formatRuns(runs: readonly RunListing[], options: { readonly cwd?: string } = {}): string[] {
  const show = (path: string) => {
    const cwd = options.cwd;
    return cwd !== undefined && path.startsWith(`${cwd}/`) ? path.slice(cwd.length + 1) : path;
  };
  const lines: string[] = [];
  for (const run of runs) {
    const checkpoints = run.rows.filter((r) => r.kind === "checkpoint").length;
    const exports = run.rows.length - checkpoints;
    const counts = [
      checkpoints > 0 ? `${checkpoints} checkpoint${checkpoints === 1 ? "" : "s"}` : "",
      exports > 0 ? `${exports} export${exports === 1 ? "" : "s"}` : "",
    ].filter((part) => part !== "");
    if (lines.length > 0) lines.push("");
    lines.push(`${show(run.path)}: ${counts.join(", ")}`);
    const runPath = show(run.path);
    const cells = run.rows.map((row) => [
      row.kind === "checkpoint" ? basename(row.path) : show(row.path).slice(runPath.length + 1),
      String(row.step),
      row.heldOutSnrDb === null ? "—" : `${row.heldOutSnrDb.toFixed(2)} dB` +
        (row.heldOutStep !== null && row.heldOutStep !== row.step ? ` (step ${row.heldOutStep})` : ""),
      row.sampleRateHz === null ? "—" : `${row.sampleRateHz} Hz`,
      row.sha256 === null ? "unreadable" : `${row.sha256.slice(0, 12)}…`,
      row.kind === "export"
        ? `(an export${row.source === null ? "" : ` of ${show(row.source)}${row.sourcePresent ? "" : ", gone"}`})`
        : row.exports.length === 0
        ? "no"
        : row.exports.map(show).join(", "),
    ]);
    lines.push(...table(["checkpoint", "step", "held-out SNR", "sample rate", "generator sha256", "exported"], cells));
  }
  return lines;
}

/** Columns padded to their widest cell (numbers and dB values right-aligned), indented by two spaces. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const right = new Set([1, 2, 3]);
  const line = (cells: readonly string[]) =>
    "  " +
    cells.map((cell, i) =>
      i === cells.length - 1 ? cell : right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)
    ).join("  ");
  return [line(header), ...rows.map(line)];
}
