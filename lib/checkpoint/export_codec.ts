/**
 * `exportCodec()` and `keepCodecExport()`: write a codec export (see
 * `codec_export.ts`) of a checkpoint, into a folder the user names (`deno
 * task export`) or into the checkpoint's run folder (`<run>/exports/`, what
 * `encode` keeps so that no token file outlives its decoder).
 *
 * @module
 */
import { basename, dirname, join, resolve } from "@std/path";
import { removeIfPresent, tempPathOf } from "../runtime/atomic_file.ts";
import { pathExists } from "../runtime/path_exists.ts";
import { sha256Hex } from "../runtime/sha256_hex.ts";
import { writeAll } from "../runtime/write_all.ts";
import { VERSION } from "../version.ts";
import { GENERATOR_FILE, STATE_FILE } from "./checkpoint.ts";
import { type CodecExport, isCodecExport, readCodecExport } from "./codec_export.ts";
import { CheckpointError } from "./errors.ts";
import { resolveCheckpointDir } from "./resolve_checkpoint_dir.ts";
import { CODEC_EXPORT_FILE, CODEC_EXPORT_FORMAT, codecExportName, EXPORTS_FOLDER } from "./_export_names.ts";

/** What {@linkcode exportCodec} did. */
export interface ExportResult {
  /** The export. */
  readonly export: CodecExport;
  /** False when an export of this generator was there already (it is left as it was). */
  readonly created: boolean;
}

/** Options of {@linkcode exportCodec}. */
export interface ExportCodecOptions {
  /**
   * The sha256 the generator must have (the codec a caller loaded): a
   * checkpoint replaced since is refused instead of exported. Default: any.
   */
  readonly sha256?: string;
}

/**
 * Export a checkpoint's codec into an exports folder: `DIR/codec_<sha>/`,
 * written to a temporary folder and renamed, so it appears only complete.
 * An export of the same generator already there is kept (and returned).
 *
 * @example Export the newest checkpoint of a run, and load it
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { exportCodec } from "./export_codec.ts";
 * import { TINY_CODEC_CONFIG, writeGeneratorCheckpoint } from "./write_generator_checkpoint.ts";
 * const dir = await Deno.makeTempDir();
 * await writeGeneratorCheckpoint(`${dir}/run`, { config: TINY_CODEC_CONFIG, step: 3 });
 * const first = await exportCodec(`${dir}/run`, `${dir}/models`);
 * const again = await exportCodec(`${dir}/run`, `${dir}/models`);
 * assertEquals([first.created, again.created, first.export.step], [true, false, 3]);
 * assertEquals(first.export.path, `${dir}/models/codec_${first.export.sha256.slice(0, 16)}`);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param checkpoint A `checkpoint_<step>` folder, a run folder (its newest) or an export.
 * @param exportsDir The folder the export goes into (created).
 * @param options The sha256 the generator must have.
 * @returns The export, and whether it was written now.
 * @throws {CheckpointError} When the checkpoint cannot be read, or its generator is not the one expected.
 */
export async function exportCodec(
  checkpoint: string,
  exportsDir: string,
  options: ExportCodecOptions = {},
): Promise<ExportResult> {
  const source = await resolveCheckpointDir(checkpoint);
  const generator = await readSourceFile(source, GENERATOR_FILE);
  const sha256 = sha256Hex(generator);
  if (options.sha256 !== undefined && options.sha256 !== sha256) {
    throw new CheckpointError(
      source,
      `Cannot export codec: its ${GENERATOR_FILE} has sha256 ${sha256}, not ${options.sha256} (replaced since it was loaded)`,
    );
  }
  const record = await sourceRecord(source, sha256);
  const target = join(resolve(exportsDir), codecExportName(sha256));
  const existing = await readCodecExport(target).catch(() => undefined);
  if (existing !== undefined && existing.sha256 === sha256 && await generatorMatches(target, sha256)) {
    return { export: existing, created: false };
  }
  await Deno.mkdir(dirname(target), { recursive: true });
  const temp = tempPathOf(target, { hidden: true });
  await removeIfPresent(temp, { recursive: true });
  try {
    await Deno.mkdir(temp);
    await writeSynced(join(temp, GENERATOR_FILE), generator);
    await writeSynced(join(temp, CODEC_EXPORT_FILE), new TextEncoder().encode(JSON.stringify(record, null, 1) + "\n"));
    await replaceFolder(temp, target);
  } catch (error) {
    await removeIfPresent(temp, { recursive: true });
    // Another process (a sharded encode) may have put the same export in place meanwhile: that one will do.
    const raced = await readCodecExport(target).catch(() => undefined);
    if (raced?.sha256 === sha256 && await generatorMatches(target, sha256)) return { export: raced, created: false };
    throw new CheckpointError(target, `Cannot export codec: ${error instanceof Error ? error.message : error}`, {
      cause: error,
    });
  }
  return { export: await readCodecExport(target), created: true };
}

/** What keeping an export of the codec an encode used came to. */
export type KeptExport =
  | { readonly kind: "kept"; readonly export: CodecExport; readonly created: boolean }
  | { readonly kind: "not_needed"; readonly why: string }
  | { readonly kind: "failed"; readonly reason: string };

/**
 * Keep an export of the checkpoint a codec was loaded from in its run
 * folder (`<run>/exports/codec_<sha>/`), so that pruning the checkpoint
 * (a resume's `keep_last`) never leaves token files without their decoder.
 * Only `checkpoint_<step>` folders need one (training prunes nothing else);
 * a folder that cannot be written is reported, not thrown.
 *
 * @param checkpoint The codec's checkpoint folder (`LoadedCodec.checkpoint.path`).
 * @param options The sha256 it was loaded with.
 * @returns What was done.
 */
export async function keepCodecExport(checkpoint: string, options: ExportCodecOptions = {}): Promise<KeptExport> {
  const dir = resolve(checkpoint);
  if (!/^checkpoint_\d+$/.test(basename(dir))) {
    return { kind: "not_needed", why: "not a checkpoint_<step> folder of a run, which training could prune" };
  }
  try {
    const result = await exportCodec(dir, join(dirname(dir), EXPORTS_FOLDER), options);
    return { kind: "kept", ...result };
  } catch (error) {
    const cause = error instanceof CheckpointError && error.cause instanceof Error ? error.cause : error;
    return { kind: "failed", reason: cause instanceof Error ? cause.message : String(cause) };
  }
}

async function readSourceFile(dir: string, file: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(join(dir, file));
  } catch (error) {
    throw new CheckpointError(dir, `Cannot export codec: ${file} cannot be read (${error})`, { cause: error });
  }
}

/** The `codec.json` of an export of `source` (a checkpoint, or an export being copied). */
async function sourceRecord(source: string, sha256: string): Promise<Record<string, unknown>> {
  if (await isCodecExport(source)) {
    const from = await readCodecExport(source);
    return recordOf({ ...from, sha256 });
  }
  let state: Record<string, unknown>;
  try {
    state = JSON.parse(await Deno.readTextFile(join(source, STATE_FILE)));
  } catch (error) {
    throw new CheckpointError(source, `Cannot export codec: ${STATE_FILE} cannot be read (${error})`, { cause: error });
  }
  const config = state["config"];
  if (!Number.isInteger(state["step"]) || typeof config !== "object" || config === null) {
    throw new CheckpointError(source, `Cannot export codec: ${STATE_FILE} records no step or config`);
  }
  const metrics = state["metrics"] as { last_validation?: unknown } | undefined;
  const validation = metrics?.last_validation;
  return recordOf({
    sha256,
    step: state["step"] as number,
    source,
    runId: typeof state["run_id"] === "string" ? state["run_id"] : null,
    config: config as Record<string, unknown>,
    dataPlan: state["data_plan"] ?? null,
    lastValidation: typeof validation === "object" && validation !== null
      ? validation as Record<string, unknown>
      : null,
  });
}

function recordOf(fields: Omit<CodecExport, "path">): Record<string, unknown> {
  return {
    format: CODEC_EXPORT_FORMAT,
    version: VERSION,
    generator_sha256: fields.sha256,
    step: fields.step,
    source: fields.source,
    run_id: fields.runId,
    config: fields.config,
    data_plan: fields.dataPlan,
    last_validation: fields.lastValidation,
  };
}

async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  using file = await Deno.open(path, { write: true, createNew: true });
  await writeAll(file, bytes);
  await file.sync();
}

async function generatorMatches(dir: string, sha256: string): Promise<boolean> {
  try {
    return sha256Hex(await Deno.readFile(join(dir, GENERATOR_FILE))) === sha256;
  } catch {
    return false;
  }
}

/** Rename `temp` to `target`, moving a damaged folder already at `target` out of the way first. */
async function replaceFolder(temp: string, target: string): Promise<void> {
  if (!await pathExists(target)) {
    await Deno.rename(temp, target);
    return;
  }
  const old = `${tempPathOf(target, { hidden: true })}.old`;
  await Deno.rename(target, old);
  await Deno.rename(temp, target);
  await Deno.remove(old, { recursive: true });
}

/**
 * The line a task prints about {@linkcode keepCodecExport}'s result; undefined when there is nothing to say.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { formatKeptExport } from "./export_codec.ts";
 * assertEquals(
 *   formatKeptExport({ kind: "failed", reason: "Permission denied" }, "run/checkpoint_450"),
 *   "[warn] cannot keep a copy of this codec in run/exports (Permission denied): if training prunes " +
 *     "checkpoint_450, its token files decode only from an export (deno task export --ckpt run/checkpoint_450 -o DIR)",
 * );
 * ```
 *
 * @param kept What was done.
 * @param checkpoint The codec's checkpoint folder.
 * @returns The line, or undefined.
 */
export function formatKeptExport(kept: KeptExport, checkpoint: string): string | undefined {
  switch (kept.kind) {
    case "not_needed":
      return undefined;
    case "kept":
      return kept.created
        ? `kept a copy of this codec in ${kept.export.path}: pruning never removes it, so its token files stay decodable`
        : `a copy of this codec in ${kept.export.path} keeps its token files decodable when training prunes checkpoints`;
    case "failed":
      return `[warn] cannot keep a copy of this codec in ${join(dirname(checkpoint), EXPORTS_FOLDER)} ` +
        `(${kept.reason}): if training prunes ${basename(checkpoint)}, its token files decode only from an ` +
        `export (deno task export --ckpt ${checkpoint} -o DIR)`;
  }
}
