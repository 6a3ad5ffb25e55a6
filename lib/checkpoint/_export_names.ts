/**
 * The names of codec exports on disk (shared by the export writer, the
 * checkpoint resolver and the codec search, which the writer imports).
 *
 * @module
 */

/** The record of an export, beside its `generator.safetensors`. */
export const CODEC_EXPORT_FILE = "codec.json";
/** The format `codec.json` declares. */
export const CODEC_EXPORT_FORMAT = "simvqgan-codec/1";
/** Where a run folder keeps the exports of its checkpoints. */
export const EXPORTS_FOLDER = "exports";
/** Hex digits of the generator's sha256 in an export's folder name. */
const NAME_DIGITS = 16;

/**
 * The folder name of the export of a generator.
 *
 * @param sha256 The generator's sha256 (hex).
 * @returns `codec_<first 16 hex digits>`.
 */
export function codecExportName(sha256: string): string {
  return `codec_${sha256.slice(0, NAME_DIGITS)}`;
}
