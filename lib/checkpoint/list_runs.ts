/**
 * `listRuns()`: the training runs, checkpoints and codec exports under a
 * folder (what `deno task checkpoints` prints): for each checkpoint its
 * step, held-out SNR, sample rate and generator sha256, and the export of
 * its codec if there is one; and the exports whose checkpoint is gone.
 * `format_runs.ts` prints it.
 *
 * @module
 */
import { join, resolve } from "@std/path";
import { pathExists } from "../runtime/path_exists.ts";
import { sha256Hex } from "../runtime/sha256_hex.ts";
import { GENERATOR_FILE, listCheckpoints, STATE_FILE } from "./checkpoint.ts";
import { type CodecExport, listCodecExports } from "./codec_export.ts";
import { EXPORTS_FOLDER } from "./_export_names.ts";

/** One checkpoint or export, as listed. */
export interface CodecRow {
  /** Its folder (absolute). */
  readonly path: string;
  /** A training checkpoint, or an export whose checkpoint is not beside it any more. */
  readonly kind: "checkpoint" | "export";
  /** The training step. */
  readonly step: number;
  /** sha256 of `generator.safetensors`; null when it cannot be read. */
  readonly sha256: string | null;
  /** `data.sample_rate` of its config, Hz; null when not recorded. */
  readonly sampleRateHz: number | null;
  /** The last held-out SNR it records (`val_snr_db`), dB; null when none. */
  readonly heldOutSnrDb: number | null;
  /** The step that held-out score was taken at; null when none. */
  readonly heldOutStep: number | null;
  /** The exports of the same generator found under the folder listed (absolute), for a checkpoint. */
  readonly exports: readonly string[];
  /** For an export: the checkpoint it was made from (absolute). */
  readonly source: string | null;
  /** For an export: whether that checkpoint is still there. */
  readonly sourcePresent: boolean;
}

/** A folder with checkpoints or exports. */
export interface RunListing {
  /** The folder (absolute). */
  readonly path: string;
  /** Its checkpoints (oldest first), then the exports in it (or its `exports/`) whose checkpoint it no longer holds. */
  readonly rows: readonly CodecRow[];
}

/** How deep {@linkcode listRuns} looks for runs under the folder. */
const MAX_DEPTH = 4;

/**
 * The runs (folders holding `checkpoint_<step>` folders or exports) under
 * `dir`, itself included, in path order.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { listRuns } from "./list_runs.ts";
 * import { exportCodec } from "./export_codec.ts";
 * import { TINY_CODEC_CONFIG, writeGeneratorCheckpoint } from "./write_generator_checkpoint.ts";
 * const dir = await Deno.makeTempDir();
 * const first = await writeGeneratorCheckpoint(`${dir}/a`, { config: TINY_CODEC_CONFIG, step: 1, seed: 1 });
 * await writeGeneratorCheckpoint(`${dir}/a`, { config: TINY_CODEC_CONFIG, step: 2, seed: 2 });
 * await exportCodec(first, `${dir}/a/exports`);
 * const [run] = await listRuns(dir);
 * assertEquals(run?.rows.map((r) => [r.kind, r.step, r.exports.length]), [["checkpoint", 1, 1], ["checkpoint", 2, 0]]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param dir The folder (default of the task: `checkpoints/`).
 * @returns The runs; none when the folder is missing.
 */
export async function listRuns(dir: string): Promise<RunListing[]> {
  const folders = await runFolders(resolve(dir), 0);
  const allExports = (await Promise.all(folders.map(exportsOf))).flat();
  const runs: RunListing[] = [];
  for (const folder of folders) {
    const rows: CodecRow[] = [];
    for (const entry of await listCheckpoints(folder)) {
      rows.push(await checkpointRow(entry.path, entry.step, allExports));
    }
    const shas = new Set(rows.map((row) => row.sha256));
    for (const found of await exportsOf(folder)) {
      if (!shas.has(found.sha256)) rows.push(await exportRow(found));
    }
    if (rows.length > 0) runs.push({ path: folder, rows });
  }
  return runs;
}

/** `dir` and the folders under it (to {@linkcode MAX_DEPTH}) that may hold runs; not checkpoints or exports themselves. */
async function runFolders(dir: string, depth: number): Promise<string[]> {
  const out = [dir];
  if (depth >= MAX_DEPTH) return out;
  const children: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const skip = entry.name.startsWith(".") || /^checkpoint_\d+$/.test(entry.name) ||
        /^codec_[0-9a-f]+$/.test(entry.name) || entry.name === EXPORTS_FOLDER;
      if (entry.isDirectory && !skip) children.push(join(dir, entry.name));
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) return [];
    throw error;
  }
  for (const child of children.sort()) out.push(...await runFolders(child, depth + 1));
  return out;
}

/** The exports a folder holds itself and in its `exports/`. */
async function exportsOf(folder: string): Promise<CodecExport[]> {
  return [...await listCodecExports(folder), ...await listCodecExports(join(folder, EXPORTS_FOLDER))];
}

async function checkpointRow(path: string, step: number, exports: readonly CodecExport[]): Promise<CodecRow> {
  let sha256: string | null = null;
  try {
    sha256 = sha256Hex(await Deno.readFile(join(path, GENERATOR_FILE)));
  } catch {
    // Listed with an unknown identity.
  }
  const state = await Deno.readTextFile(join(path, STATE_FILE)).then(JSON.parse).catch(() => ({}));
  const validation = state?.metrics?.last_validation;
  return {
    path,
    kind: "checkpoint",
    step,
    sha256,
    sampleRateHz: numberOrNull(state?.config?.data?.sample_rate),
    heldOutSnrDb: numberOrNull(validation?.val_snr_db),
    heldOutStep: numberOrNull(validation?.step),
    exports: exports.filter((e) => e.sha256 === sha256).map((e) => e.path),
    source: null,
    sourcePresent: false,
  };
}

async function exportRow(found: CodecExport): Promise<CodecRow> {
  const data = (found.config["data"] ?? {}) as Record<string, unknown>;
  const source = found.source === "" ? null : found.source;
  return {
    path: found.path,
    kind: "export",
    step: found.step,
    sha256: found.sha256,
    sampleRateHz: numberOrNull(data["sample_rate"]),
    heldOutSnrDb: numberOrNull(found.lastValidation?.["val_snr_db"]),
    heldOutStep: numberOrNull(found.lastValidation?.["step"]),
    exports: [],
    source,
    sourcePresent: source !== null && await pathExists(join(source, GENERATOR_FILE)),
  };
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}
