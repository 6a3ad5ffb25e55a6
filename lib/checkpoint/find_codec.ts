/**
 * `findCodec()`: the checkpoint or codec export whose generator has a given
 * sha256, among the folders a user names — checkpoints and exports
 * themselves, run folders (every `checkpoint_<step>`, not only the newest,
 * the runs moved into `previous-<time>/` by `--overwrite`, and the run's
 * `exports/`), and exports folders. This is how a token file finds its
 * decoder after the checkpoint it records was pruned or moved.
 *
 * @module
 */
import { basename, join, resolve } from "@std/path";
import { pathExists } from "../runtime/path_exists.ts";
import { sha256Hex } from "../runtime/sha256_hex.ts";
import { GENERATOR_FILE, listCheckpoints, PREVIOUS_RUN_PREFIX, STATE_FILE } from "./checkpoint.ts";
import { listCodecExports } from "./codec_export.ts";
import { CODEC_EXPORT_FILE, EXPORTS_FOLDER } from "./_export_names.ts";

/** A checkpoint or export looked at, with its generator's sha256. */
export interface CodecCandidate {
  /** Its folder (absolute). */
  readonly path: string;
  /** A training checkpoint or a codec export. */
  readonly kind: "checkpoint" | "export";
  /** sha256 of its `generator.safetensors`; null when it cannot be read. */
  readonly sha256: string | null;
}

/** What {@linkcode findCodec} found. */
export interface CodecSearch {
  /** The first candidate with the sha256 asked for, or undefined. */
  readonly found: CodecCandidate | undefined;
  /** Every candidate looked at, in search order (for a message when none fits). */
  readonly candidates: readonly CodecCandidate[];
}

/**
 * Look for the generator with `sha256` in `places`, in order: a place that
 * is a checkpoint or an export is itself the candidate; any other folder
 * is searched for checkpoints (newest first, then those of earlier runs
 * moved into `previous-<time>/`) and exports (its own and its `exports/`).
 * The search stops at the first match; every candidate's generator is
 * hashed, so a damaged one never matches.
 *
 * @example Find a pruned checkpoint's codec among a run's exports
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { findCodec } from "./find_codec.ts";
 * import { exportCodec } from "./export_codec.ts";
 * import { TINY_CODEC_CONFIG, writeGeneratorCheckpoint } from "./write_generator_checkpoint.ts";
 * const dir = await Deno.makeTempDir();
 * const old = await writeGeneratorCheckpoint(dir, { config: TINY_CODEC_CONFIG, step: 1, seed: 1 });
 * const { export: kept } = await exportCodec(old, `${dir}/exports`);
 * await Deno.remove(old, { recursive: true });
 * await writeGeneratorCheckpoint(dir, { config: TINY_CODEC_CONFIG, step: 2, seed: 2 });
 * const search = await findCodec(kept.sha256, [dir]);
 * assertEquals(search.found?.path, kept.path);
 * assertEquals(search.candidates.map((c) => c.kind), ["checkpoint", "export"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param sha256 The generator's sha256 (hex), as a token file records it.
 * @param places Checkpoints, exports, run folders and exports folders.
 * @returns The match, if any, and what was looked at.
 */
export async function findCodec(sha256: string, places: readonly string[]): Promise<CodecSearch> {
  const candidates: CodecCandidate[] = [];
  const seen = new Set<string>();
  for (const place of places) {
    for (const { path, kind } of await candidatesIn(resolve(place))) {
      if (seen.has(path)) continue;
      seen.add(path);
      const candidate = { path, kind, sha256: await generatorSha256(path) };
      candidates.push(candidate);
      if (candidate.sha256 === sha256) return { found: candidate, candidates };
    }
  }
  return { found: undefined, candidates };
}

/** The checkpoints and exports a place stands for, in search order. */
async function candidatesIn(dir: string): Promise<Omit<CodecCandidate, "sha256">[]> {
  if (await pathExists(join(dir, STATE_FILE))) return [{ path: dir, kind: "checkpoint" }];
  if (await pathExists(join(dir, CODEC_EXPORT_FILE))) return [{ path: dir, kind: "export" }];
  const out: Omit<CodecCandidate, "sha256">[] = [];
  const checkpoints = (folder: string) => listCheckpoints(folder).then((found) => found.reverse());
  for (const entry of await checkpoints(dir)) out.push({ path: entry.path, kind: "checkpoint" });
  for (const previous of await previousRuns(dir)) {
    for (const entry of await checkpoints(previous)) out.push({ path: entry.path, kind: "checkpoint" });
  }
  for (const folder of [dir, join(dir, EXPORTS_FOLDER)]) {
    for (const found of (await listCodecExports(folder)).reverse()) out.push({ path: found.path, kind: "export" });
  }
  return out;
}

/** The `previous-<time>` folders of a run folder, newest first. */
async function previousRuns(dir: string): Promise<string[]> {
  const found: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory && entry.name.startsWith(PREVIOUS_RUN_PREFIX)) found.push(join(dir, entry.name));
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) return [];
    throw error;
  }
  return found.sort((a, b) => (basename(a) < basename(b) ? 1 : -1));
}

async function generatorSha256(dir: string): Promise<string | null> {
  try {
    return sha256Hex(await Deno.readFile(join(dir, GENERATOR_FILE)));
  } catch {
    return null;
  }
}
