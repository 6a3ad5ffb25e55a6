/**
 * Validation: what a checkpoint is worth on real reads — signal metrics
 * against a trivial baseline, a picture, Dorado basecalls of the real and
 * the reconstructed signal and their identity, and optionally identity to a
 * reference with minimap2 ({@linkcode validateCheckpoint}).
 *
 * @module
 */
export { type AlignmentCounts, type AlignOptions, alignSequences, bonitoIdentity, editIdentity } from "./align.ts";
export {
  basecallAndAlign,
  type BasecallAndAlignOptions,
  type Basecaller,
  type BasecallResult,
  doradoBasecaller,
  type DoradoOptions,
  type ReadIdentity,
  type ReadReferenceIdentity,
  referenceIdentity,
} from "./basecall_identity.ts";
export { ToolError } from "./errors.ts";
export { parsePaf, type ReferenceHit } from "./minimap2.ts";
export { parseFastq, readFastq } from "./read_fastq.ts";
export { reconstructionSvg } from "./reconstruction_svg.ts";
export { formatValidationSummary } from "./format_validation_summary.ts";
export { reportMarkdown } from "./report_markdown.ts";
export { runTool, type ToolRun } from "./run_tool.ts";
export { type SelectedReads, type SelectReadsOptions, writeRealPod5 } from "./select_reads.ts";
export {
  compareSignals,
  type CompareSignalsOptions,
  type PooledSignalMetrics,
  type ReadSignalMetrics,
  type SignalComparison,
  type Trace,
} from "./signal_report.ts";
export type { ReportRead, Summary, ValidationReport } from "./types.ts";
export {
  OUTPUT_FILES,
  SNR_DEFINITION,
  validateCheckpoint,
  type ValidateCheckpointOptions,
} from "./validate_checkpoint.ts";
export {
  parseValidateConfig,
  resolveValidateConfig,
  type ResolveValidateConfigOptions,
  type TrimMode,
  type ValidateConfig,
} from "./validate_config.ts";
