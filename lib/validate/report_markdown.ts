/**
 * `report.md`: the validation report for people — the picture, then the
 * overall metrics and the per-read table.
 *
 * @module
 */
import type { Summary, ValidationReport } from "./types.ts";

const fmt = (value: number | null | undefined, digits = 2): string =>
  value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits);
const pct = (value: number | null | undefined): string =>
  value === null || value === undefined ? "–" : `${(100 * value).toFixed(2)} %`;
const both = (s: Summary, digits = 2) => `${fmt(s.mean, digits)} / ${fmt(s.median, digits)}`;

/**
 * Render a report as Markdown (it embeds `reconstruction.svg`, beside it).
 *
 * @param report The report.
 * @returns The Markdown text.
 */
export function reportMarkdown(report: ValidationReport): string {
  const lines = [
    ...headAndSignal(report),
    ...tokensSection(report),
    "## Basecalls",
    "",
    ...basecallsSection(report),
    ...referenceSection(report),
    ...readsSection(report),
  ];
  return lines.join("\n") + "\n";
}

function headAndSignal(report: ValidationReport): string[] {
  const o = report.overall;
  return [
    `# Validation of ${report.checkpoint.path}`,
    "",
    `Checkpoint step ${report.checkpoint.step}, generator sha256 \`${report.checkpoint.sha256}\`, SimVQGAN ${report.version}.`,
    `${report.selection.reads} reads, ${report.selection.num_samples.toLocaleString("en-US")} samples ` +
    `(trim mode \`${report.trim_mode}\`) from ${report.inputs.join(", ")}.`,
    "",
    "![real and generated current](reconstruction.svg)",
    "",
    "## Signal",
    "",
    `SNR: ${o.snr_definition}.`,
    "",
    "| metric | codec, pooled | codec, per read (mean / median) | median baseline, pooled |",
    "| --- | --- | --- | --- |",
    `| SNR (dB) | ${fmt(o.pooled.snr_db)} | ${both(o.per_read.snr_db)} | ${fmt(o.pooled.baseline_snr_db)} |`,
    `| MAE (pA) | ${fmt(o.pooled.mae_pa)} | ${both(o.per_read.mae_pa)} | ${fmt(o.pooled.baseline_mae_pa)} |`,
    `| RMSE (pA) | ${fmt(o.pooled.rmse_pa)} | ${both(o.per_read.rmse_pa)} | |`,
    `| Pearson r | ${fmt(o.pooled.pearson_r, 3)} | ${both(o.per_read.pearson_r, 3)} | |`,
    "",
  ];
}

function tokensSection(report: ValidationReport): string[] {
  return [
    "## Tokens",
    "",
    `Code usage ${pct(report.codes.usage)} of ${report.codes.codebook_size}, perplexity ${
      fmt(report.codes.perplexity, 1)
    }; ` +
    `${fmt(report.codes.bits_per_sample, 4)} bits/sample for the codes, ${
      fmt(report.codes.bits_per_sample_file, 4)
    } for ` +
    `the token file (nominal ${fmt(report.codes.nominal_bits_per_sample, 4)}).`,
    "",
  ];
}

function basecallsSection(report: ValidationReport): string[] {
  const identity = report.overall.identity;
  if (identity === null) return [`Not basecalled: ${report.dorado.reason ?? "Dorado did not run"}.`];
  const lines = [
    `Dorado \`${report.dorado.bin}\`, model \`${report.dorado.model}\`: ${report.dorado.reads_called_real} real and ` +
    `${report.dorado.reads_called_generated} generated reads called, ${identity.reads} in both ` +
    `(mapped fraction ${pct(identity.mapped_fraction)}).`,
    "",
    "| identity of the generated calls to the real calls | mean / median |",
    "| --- | --- |",
    `| Bonito: M / (M + X + I + D) | ${pct(identity.bonito.mean)} / ${pct(identity.bonito.median)} |`,
    `| 1 − edit distance / max length | ${pct(identity.edit.mean)} / ${pct(identity.edit.median)} |`,
    `| length ratio (generated / real) | ${both(identity.length_ratio, 3)} |`,
  ];
  if (report.dorado.only_in_real.length + report.dorado.only_in_generated.length > 0) {
    lines.push(
      "",
      `Called only in real: ${report.dorado.only_in_real.length}; only in generated: ` +
        `${report.dorado.only_in_generated.length} (listed in report.json).`,
    );
  }
  return lines;
}

function referenceSection(report: ValidationReport): string[] {
  const reference = report.overall.reference;
  if (reference === null) {
    return report.minimap2.reason === undefined ? [] : ["", `Not mapped to the reference: ${report.minimap2.reason}.`];
  }
  return [
    "",
    `Mapped to \`${report.minimap2.reference}\` with minimap2: ${reference.mapped_real} real and ` +
    `${reference.mapped_generated} generated reads, ${reference.paired_reads} paired.`,
    "",
    "| identity to the reference | mean / median |",
    "| --- | --- |",
    `| real | ${pct(reference.real.mean)} / ${pct(reference.real.median)} |`,
    `| generated | ${pct(reference.generated.mean)} / ${pct(reference.generated.median)} |`,
    `| generated − real (paired) | ${pct(reference.difference.mean)} / ${pct(reference.difference.median)} |`,
  ];
}

function readsSection(report: ValidationReport): string[] {
  return [
    "",
    "## Reads",
    "",
    "| read | samples | SNR (dB) | baseline SNR (dB) | MAE (pA) | Pearson r | identity |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...report.reads.map((r) =>
      `| ${r.read_id} | ${r.num_samples.toLocaleString("en-US")} | ${fmt(r.snr_db)} | ${fmt(r.baseline_snr_db)} | ` +
      `${fmt(r.mae_pa)} | ${fmt(r.pearson_r, 3)} | ${r.identity === null ? "–" : pct(r.identity.bonito)} |`
    ),
  ];
}
