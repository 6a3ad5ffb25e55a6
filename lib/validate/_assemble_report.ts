/**
 * The last stage of `validateCheckpoint`: the report, assembled from the
 * other stages' sections.
 *
 * @module
 */
import type { EncodeSummary } from "../codec/encode_pod5.ts";
import { VERSION } from "../version.ts";
import type { BasecallResult } from "./basecall_identity.ts";
import { SNR_DEFINITION } from "./output_files.ts";
import type { SignalComparison } from "./signal_report.ts";
import type { SelectedReads } from "./select_reads.ts";
import type { ReportRead, Summary, ValidationReport } from "./types.ts";
import type { BasecallSection, MapSection, ScoreSection, ValidationRun } from "./_validate_stages.ts";

/** Every stage's section. */
export interface Sections {
  readonly selection: SelectedReads;
  readonly encoded: EncodeSummary;
  readonly score: ScoreSection;
  readonly basecall: BasecallSection;
  readonly mapping: MapSection;
}

/** Assemble: the report from the stages' sections. */
export function assembleReport(run: ValidationRun, sections: Sections): ValidationReport {
  const { config, codec } = run;
  const { selection, encoded, score, basecall } = sections;
  const basecalls = basecall.basecalls;
  const reads: ReportRead[] = score.signal.reads.map((read) => ({
    ...read,
    identity: basecalls?.identity.get(read.read_id) ?? null,
    reference: sections.mapping.reference?.get(read.read_id) ?? null,
  }));
  return {
    version: VERSION,
    checkpoint: { path: codec.checkpoint.path, sha256: codec.checkpoint.sha256, step: codec.checkpoint.step },
    inputs: run.inputs,
    trim_mode: config.trim_mode,
    selection: {
      reads: selection.reads,
      reads_seen: selection.readsSeen,
      dropped_short: selection.droppedShort,
      skipped_sample_rate: selection.skippedRate,
      num_samples: selection.numSamples,
    },
    reads,
    overall: overallSection(score.signal, basecalls, sections.mapping),
    codes: {
      usage: score.usage,
      perplexity: score.perplexity,
      bits_per_sample: encoded.bitsPerSampleCodes,
      bits_per_sample_file: encoded.bitsPerSampleFile,
      nominal_bits_per_sample: encoded.nominalBitsPerSample,
      codebook_size: codec.codebookSize,
    },
    dorado: {
      ran: basecalls !== undefined,
      bin: basecall.bin,
      model: config.dorado.model,
      device: config.dorado.device,
      ...(basecall.reason === undefined ? {} : { reason: basecall.reason }),
      real_fastq: basecalls?.realFastq ?? null,
      generated_fastq: basecalls?.generatedFastq ?? null,
      reads_called_real: basecalls?.calledReal ?? 0,
      reads_called_generated: basecalls?.calledGenerated ?? 0,
      only_in_real: basecalls?.onlyReal ?? [],
      only_in_generated: basecalls?.onlyGenerated ?? [],
    },
    minimap2: {
      ran: sections.mapping.reference !== undefined,
      reference: config.reference,
      ...(sections.mapping.reason === undefined ? {} : { reason: sections.mapping.reason }),
    },
    outputs: run.out,
  };
}

/** The report's `overall`: pooled and per-read signal, basecall identity and reference identity. */
function overallSection(
  signal: SignalComparison,
  basecalls: BasecallResult | undefined,
  mapping: MapSection,
): ValidationReport["overall"] {
  const identities = [...(basecalls?.identity.values() ?? [])];
  const referenceValues = [...(mapping.reference?.values() ?? [])];
  return {
    snr_definition: SNR_DEFINITION,
    pooled: signal.pooled,
    per_read: {
      snr_db: summary(signal.reads.map((r) => r.snr_db)),
      baseline_snr_db: summary(signal.reads.map((r) => r.baseline_snr_db)),
      mae_pa: summary(signal.reads.map((r) => r.mae_pa)),
      rmse_pa: summary(signal.reads.map((r) => r.rmse_pa)),
      pearson_r: summary(signal.reads.map((r) => r.pearson_r)),
    },
    identity: basecalls === undefined ? null : {
      reads: identities.length,
      bonito: summary(identities.map((i) => i.bonito)),
      edit: summary(identities.map((i) => i.edit)),
      mapped_fraction: basecalls.calledReal === 0 ? 0 : identities.length / basecalls.calledReal,
      length_ratio: summary(identities.map((i) => (i.real_length === 0 ? null : i.generated_length / i.real_length))),
    },
    reference: mapping.reference === undefined ? null : {
      real: summary(referenceValues.map((r) => r.real)),
      generated: summary(referenceValues.map((r) => r.generated)),
      difference: summary(referenceValues.map((r) => r.difference)),
      mapped_real: referenceValues.filter((r) => r.real !== null).length,
      mapped_generated: referenceValues.filter((r) => r.generated !== null).length,
      paired_reads: referenceValues.filter((r) => r.difference !== null).length,
    },
  };
}

function summary(values: readonly (number | null)[]): Summary {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return { mean: null, median: null };
  const mid = finite.length >> 1;
  return {
    mean: finite.reduce((a, b) => a + b, 0) / finite.length,
    median: finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2,
  };
}
