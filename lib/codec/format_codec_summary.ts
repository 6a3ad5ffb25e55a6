/**
 * What `deno task encode` and `deno task decode` print when they are done.
 *
 * @module
 */
import { formatDuration } from "../runtime/progress.ts";
import type { DecodeSummary } from "./decode_tokens.ts";
import type { EncodeSummary } from "./encode_pod5.ts";

/**
 * The lines of an encode run: counts, rates against the nominal and the
 * input's, the manifest, and the reconstruction with `verify`.
 *
 * @param summary What `encodePod5` returned.
 * @returns The lines, joined by newlines.
 */
export function formatEncodeSummary(summary: EncodeSummary): string {
  const v = summary.verification;
  return `encoded ${summary.files.length} file(s), ${summary.reads} reads, ${
    summary.numSamples.toLocaleString("en-US")
  } samples ` +
    `in ${formatDuration(summary.seconds)}` +
    (summary.skippedReads > 0 ? ` (${summary.skippedReads} reads skipped)` : "") +
    `\nbits/sample: codes ${summary.bitsPerSampleCodes.toFixed(4)}, file ${summary.bitsPerSampleFile.toFixed(4)} ` +
    `(nominal ${summary.nominalBitsPerSample.toFixed(4)}; input signal ${summary.inputBitsPerSample.toFixed(2)}); ` +
    `${summary.compressionRatio.toFixed(1)}x smaller than the input files` +
    (summary.shardManifest === null ? "" : `\nshard manifest ${summary.shardManifest}`) +
    (v === null
      ? ""
      : `\nreconstruction: SNR ${v.snrDb.toFixed(2)} dB, MAE ${v.mae.toFixed(2)} pA, Pearson r ${
        v.pearsonR.toFixed(3)
      }`);
}

/**
 * The lines of a decode run: counts, the tokens' rate, the manifest.
 *
 * @param summary What `decodeTokens` returned.
 * @returns The lines, joined by newlines.
 */
export function formatDecodeSummary(summary: DecodeSummary): string {
  return `decoded ${summary.files.length} file(s), ${summary.reads} reads, ` +
    `${summary.numSamples.toLocaleString("en-US")} samples in ${formatDuration(summary.seconds)} ` +
    `(tokens at ${summary.bitsPerSampleInput.toFixed(4)} bits/sample; the POD5 output is ` +
    `${summary.expansionRatio.toFixed(1)}x their size)` +
    (summary.shardManifest === null ? "" : `\nshard manifest ${summary.shardManifest}`);
}
