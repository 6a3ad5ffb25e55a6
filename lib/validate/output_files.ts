/**
 * The files `validateCheckpoint` writes, and how its report defines SNR.
 *
 * @module
 */

/** The output files, by role. */
export const OUTPUT_FILES = {
  real_pod5: "real.pod5",
  tokens: "real.tokens",
  generated_pod5: "generated.pod5",
  svg: "reconstruction.svg",
  report_json: "report.json",
  report_md: "report.md",
} as const;

/** How the report's SNRs are defined (written into it). */
export const SNR_DEFINITION = "per read: 10·log10(variance of the real read in pA / mean squared error); pooled: " +
  "10·log10(Σ over reads of Σ (x − mean of its read)² / Σ (x − x̂)²); the baseline predicts each read's median";
