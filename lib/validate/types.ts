/**
 * The validation report (`report.json`, SPEC §5 and the validate issue's
 * contract: scripts read these names).
 *
 * @module
 */
import type { ReadIdentity, ReadReferenceIdentity } from "./basecall_identity.ts";
import type { PooledSignalMetrics, ReadSignalMetrics } from "./signal_report.ts";
import type { TrimMode } from "./validate_config.ts";

/** One read of the report. */
export interface ReportRead extends ReadSignalMetrics {
  /** Basecall identity of the generated call to the real call; null when not basecalled in both. */
  readonly identity: ReadIdentity | null;
  /** Identity to the reference; null without a reference, or when mapped in neither. */
  readonly reference: ReadReferenceIdentity | null;
}

/** Mean and median of per-read values. */
export interface Summary {
  /** Mean over the reads with a value. */
  readonly mean: number | null;
  /** Median over the same reads. */
  readonly median: number | null;
}

/** The whole report. */
export interface ValidationReport {
  /** Library version. */
  readonly version: string;
  /** The checkpoint validated. */
  readonly checkpoint: { readonly path: string; readonly sha256: string; readonly step: number };
  /** The input POD5 files. */
  readonly inputs: readonly string[];
  /** How reads were cut. */
  readonly trim_mode: TrimMode;
  /** What was selected. */
  readonly selection: {
    readonly reads: number;
    readonly reads_seen: number;
    readonly dropped_short: number;
    readonly skipped_sample_rate: number;
    readonly num_samples: number;
  };
  /** Per read, in real.pod5's order. */
  readonly reads: readonly ReportRead[];
  /** Over all reads. */
  readonly overall: {
    /** How the SNRs are defined. */
    readonly snr_definition: string;
    /** Pooled over all samples, each read centred on its own mean. */
    readonly pooled: PooledSignalMetrics;
    /** Mean and median of the per-read values. */
    readonly per_read: {
      readonly snr_db: Summary;
      readonly baseline_snr_db: Summary;
      readonly mae_pa: Summary;
      readonly rmse_pa: Summary;
      readonly pearson_r: Summary;
    };
    /** Basecall identity; null when Dorado did not run. */
    readonly identity: {
      readonly reads: number;
      readonly bonito: Summary;
      readonly edit: Summary;
      readonly mapped_fraction: number;
      readonly length_ratio: Summary;
    } | null;
    /** Identity to the reference; null without one. */
    readonly reference: {
      readonly real: Summary;
      readonly generated: Summary;
      readonly difference: Summary;
      readonly mapped_real: number;
      readonly mapped_generated: number;
      readonly paired_reads: number;
    } | null;
  };
  /** The token stream. */
  readonly codes: {
    readonly usage: number;
    readonly perplexity: number;
    readonly bits_per_sample: number;
    readonly bits_per_sample_file: number;
    readonly nominal_bits_per_sample: number;
    readonly codebook_size: number;
  };
  /** Basecalling. */
  readonly dorado: {
    readonly ran: boolean;
    readonly bin: string | null;
    readonly model: string;
    readonly device: string | null;
    readonly reason?: string;
    readonly real_fastq: string | null;
    readonly generated_fastq: string | null;
    readonly reads_called_real: number;
    readonly reads_called_generated: number;
    readonly only_in_real: readonly string[];
    readonly only_in_generated: readonly string[];
  };
  /** Mapping to the reference. */
  readonly minimap2: { readonly ran: boolean; readonly reference: string | null; readonly reason?: string };
  /** Files written. */
  readonly outputs: Readonly<Record<string, string>>;
}
