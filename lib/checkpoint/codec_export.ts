/**
 * Codec exports: a frozen copy of one checkpoint's generator, named by its
 * sha256 (`codec_<first 16 hex digits>/`), holding `generator.safetensors`
 * (the same bytes, so the same identity) and `codec.json` (what loading
 * needs: the config, the step, where it came from, its data plan and last
 * held-out scores). Training never prunes an export. This module reads
 * them; `export_codec.ts` writes them.
 *
 * @module
 */
import { join, resolve } from "@std/path";
import { pathExists } from "../runtime/path_exists.ts";
import { CheckpointError } from "./errors.ts";
import { CODEC_EXPORT_FILE, CODEC_EXPORT_FORMAT } from "./_export_names.ts";

export { CODEC_EXPORT_FILE, CODEC_EXPORT_FORMAT, codecExportName, EXPORTS_FOLDER } from "./_export_names.ts";

/** What `codec.json` records. */
export interface CodecExport {
  /** The export's folder (absolute). */
  readonly path: string;
  /** sha256 of its `generator.safetensors` (as recorded; loading checks it). */
  readonly sha256: string;
  /** The training step of the checkpoint it was exported from. */
  readonly step: number;
  /** The checkpoint it was exported from (absolute; it may be gone). */
  readonly source: string;
  /** The lineage (`run_id`) of that checkpoint, or null. */
  readonly runId: string | null;
  /** The checkpoint's merged config (model, data, ...). */
  readonly config: Readonly<Record<string, unknown>>;
  /** The checkpoint's data plan (which files it trained on), or null. */
  readonly dataPlan: unknown;
  /** The checkpoint's last held-out scores (`val_*`), or null. */
  readonly lastValidation: Readonly<Record<string, unknown>> | null;
}

/**
 * Read an export's `codec.json`.
 *
 * @param dir The export's folder.
 * @returns What it records.
 * @throws {CheckpointError} When it is not an export, or its record is damaged.
 */
export async function readCodecExport(dir: string): Promise<CodecExport> {
  const path = resolve(dir);
  let raw: unknown;
  try {
    raw = JSON.parse(await Deno.readTextFile(join(path, CODEC_EXPORT_FILE)));
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "is missing" : "is not valid JSON";
    throw new CheckpointError(path, `Cannot read codec export: ${CODEC_EXPORT_FILE} ${reason}`, { cause: error });
  }
  const record = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? raw as Record<string, unknown> : {};
  const sha256 = record["generator_sha256"], step = record["step"], config = record["config"];
  if (
    record["format"] !== CODEC_EXPORT_FORMAT || typeof sha256 !== "string" || !/^[0-9a-f]{64}$/.test(sha256) ||
    !Number.isInteger(step) || typeof config !== "object" || config === null
  ) {
    throw new CheckpointError(
      path,
      `Cannot read codec export: ${CODEC_EXPORT_FILE} is not a ${CODEC_EXPORT_FORMAT} record`,
    );
  }
  const validation = record["last_validation"];
  return {
    path,
    sha256,
    step: step as number,
    source: String(record["source"] ?? ""),
    runId: typeof record["run_id"] === "string" ? record["run_id"] : null,
    config: config as Record<string, unknown>,
    dataPlan: record["data_plan"] ?? null,
    lastValidation: typeof validation === "object" && validation !== null
      ? validation as Record<string, unknown>
      : null,
  };
}

/**
 * The exports in a folder (its `codec_<sha>` folders with a readable
 * `codec.json`), by step then name.
 *
 * @param dir An exports folder (missing: none).
 * @returns The exports.
 */
export async function listCodecExports(dir: string): Promise<CodecExport[]> {
  const found: CodecExport[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isDirectory || !/^codec_[0-9a-f]{16}$/.test(entry.name)) continue;
      const record = await readCodecExport(join(dir, entry.name)).catch(() => undefined);
      if (record !== undefined) found.push(record);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) return [];
    throw error;
  }
  return found.sort((a, b) => a.step - b.step || (a.path < b.path ? -1 : 1));
}

/**
 * Whether a folder is an export (it holds `codec.json`).
 *
 * @param dir The folder.
 * @returns True for an export.
 */
export async function isCodecExport(dir: string): Promise<boolean> {
  return await pathExists(join(dir, CODEC_EXPORT_FILE));
}
