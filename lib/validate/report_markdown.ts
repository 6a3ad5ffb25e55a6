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
  const o = report.overall;
  const lines = [
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
    "## Basecalls",
    "",
  ];
  if (o.identity === null) {
    lines.push(`Not basecalled: ${report.dorado.reason ?? "Dorado did not run"}.`);
  } else {
    lines.push(
      `Dorado \`${report.dorado.bin}\`, model \`${report.dorado.model}\`: ${report.dorado.reads_called_real} real and ` +
        `${report.dorado.reads_called_generated} generated reads called, ${o.identity.reads} in both ` +
        `(mapped fraction ${pct(o.identity.mapped_fraction)}).`,
      "",
      "| identity of the generated calls to the real calls | mean / median |",
      "| --- | --- |",
      `| Bonito: M / (M + X + I + D) | ${pct(o.identity.bonito.mean)} / ${pct(o.identity.bonito.median)} |`,
      `| 1 − edit distance / max length | ${pct(o.identity.edit.mean)} / ${pct(o.identity.edit.median)} |`,
      `| length ratio (generated / real) | ${both(o.identity.length_ratio, 3)} |`,
    );
    if (report.dorado.only_in_real.length + report.dorado.only_in_generated.length > 0) {
      lines.push(
        "",
        `Called only in real: ${report.dorado.only_in_real.length}; only in generated: ` +
          `${report.dorado.only_in_generated.length} (listed in report.json).`,
      );
    }
  }
  if (o.reference !== null) {
    lines.push(
      "",
      `Mapped to \`${report.minimap2.reference}\` with minimap2: ${o.reference.mapped_real} real and ` +
        `${o.reference.mapped_generated} generated reads, ${o.reference.paired_reads} paired.`,
      "",
      "| identity to the reference | mean / median |",
      "| --- | --- |",
      `| real | ${pct(o.reference.real.mean)} / ${pct(o.reference.real.median)} |`,
      `| generated | ${pct(o.reference.generated.mean)} / ${pct(o.reference.generated.median)} |`,
      `| generated − real (paired) | ${pct(o.reference.difference.mean)} / ${pct(o.reference.difference.median)} |`,
    );
  } else if (report.minimap2.reason !== undefined) {
    lines.push("", `Not mapped to the reference: ${report.minimap2.reason}.`);
  }
  lines.push(
    "",
    "## Reads",
    "",
    "| read | samples | SNR (dB) | baseline SNR (dB) | MAE (pA) | Pearson r | identity |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const r of report.reads) {
    lines.push(
      `| ${r.read_id} | ${r.num_samples.toLocaleString("en-US")} | ${fmt(r.snr_db)} | ${fmt(r.baseline_snr_db)} | ` +
        `${fmt(r.mae_pa)} | ${fmt(r.pearson_r, 3)} | ${r.identity === null ? "–" : pct(r.identity.bonito)} |`,
    );
  }
  return lines.join("\n") + "\n";
}
