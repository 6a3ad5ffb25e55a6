/**
 * The one line `deno task validate` prints when it is done.
 *
 * @module
 */
import type { ValidationReport } from "./types.ts";

/**
 * `N reads: SNR x dB pooled (median baseline y dB), MAE z pA; codes b bits/sample[; basecall identity i % (median)]`.
 *
 * @param report The validation report.
 * @returns The line.
 */
export function formatValidationSummary(
  report: Pick<ValidationReport, "reads" | "overall" | "codes">,
): string {
  const o = report.overall;
  return `${report.reads.length} reads: SNR ${o.pooled.snr_db.toFixed(2)} dB pooled (median baseline ` +
    `${o.pooled.baseline_snr_db.toFixed(2)} dB), MAE ${o.pooled.mae_pa.toFixed(2)} pA; codes ` +
    `${report.codes.bits_per_sample.toFixed(4)} bits/sample` +
    (o.identity === null ? "" : `; basecall identity ${(100 * (o.identity.bonito.median ?? 0)).toFixed(2)} % (median)`);
}
