/**
 * `resolveDecoder()`: which checkpoint or codec export decodes a token file.
 * The file records its generator's sha256 and the path it was loaded from;
 * that path may be gone (a resume's `keep_last` pruned it, `--overwrite`
 * moved it), so the generator is looked for by sha256 — in the folders
 * `--ckpt` names, or else around the recorded path: its run folder (every
 * checkpoint, earlier runs moved aside, the `exports/` that `encode` keeps)
 * or its exports folder.
 *
 * @module
 */
import { basename, dirname, resolve } from "@std/path";
import { CheckpointError } from "../checkpoint/errors.ts";
import { type CodecCandidate, findCodec } from "../checkpoint/find_codec.ts";
import { PREVIOUS_RUN_PREFIX } from "../checkpoint/checkpoint.ts";
import { EXPORTS_FOLDER } from "../checkpoint/codec_export.ts";
import { resolveCheckpointDir } from "../checkpoint/resolve_checkpoint_dir.ts";
import { findFiles } from "../runtime/find_files.ts";
import { pathExists } from "../runtime/path_exists.ts";
import { TokenFileReader } from "./token_file_reader.ts";
import type { CheckpointIdentity } from "./types.ts";

/** Options of {@linkcode resolveDecoder}. */
export interface ResolveDecoderOptions {
  /**
   * Where to look (`--ckpt`): a checkpoint, a codec export, a run folder or
   * an exports folder. Default: around the path the token file records.
   */
  readonly ckpt?: string | undefined;
  /**
   * When `ckpt` holds no generator with the tokens' sha256, use its newest
   * checkpoint anyway (decode then needs `allowOtherCheckpoint`). Default false.
   */
  readonly allowOther?: boolean;
}

/** The codec to decode with, and how it was found. */
export interface DecoderChoice {
  /** The checkpoint or export folder to load (absolute). */
  readonly path: string;
  /** What the token file records. */
  readonly recorded: CheckpointIdentity;
  /** One line for the user: where the decoder came from. */
  readonly note: string;
}

/**
 * Choose the checkpoint or export that decodes `input` (a token file, or the
 * first token file under a folder).
 *
 * @example After the recorded checkpoint was pruned, its export decodes
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { resolveDecoder } from "./resolve_decoder.ts";
 * import { encodePod5 } from "./encode_pod5.ts";
 * import { loadCodec } from "./load_codec.ts";
 * import { keepCodecExport } from "../checkpoint/export_codec.ts";
 * import { TINY_CODEC_CONFIG, writeGeneratorCheckpoint } from "../checkpoint/write_generator_checkpoint.ts";
 * const DORADO_5KHZ = "tests/fixtures/pod5/dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5";
 * const dir = await Deno.makeTempDir();
 * const codec = await loadCodec(await writeGeneratorCheckpoint(`${dir}/run`, { config: TINY_CODEC_CONFIG, step: 1 }), { backend: "wasm" });
 * await encodePod5(DORADO_5KHZ, `${dir}/reads.tokens`, { codec });
 * const kept = await keepCodecExport(codec.checkpoint.path);
 * codec.dispose();
 * await Deno.remove(`${dir}/run/checkpoint_1`, { recursive: true }); // pruned
 * const choice = await resolveDecoder(`${dir}/reads.tokens`);
 * assertEquals(choice.path, kept.kind === "kept" ? kept.export.path : "");
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param input A token file or a folder of them.
 * @param options Where to look.
 * @returns The folder to load and a note.
 * @throws {CheckpointError} When no checkpoint or export there has the tokens' sha256 (reason `no_decoder`
 *   without `ckpt`, `other_checkpoint` with a folder to search), naming what was searched. A `ckpt` that is
 *   one checkpoint or export is returned as it is: decoding then refuses another generator, naming both.
 * @throws {TokenFileError} When the input is not a token file.
 */
export async function resolveDecoder(input: string, options: ResolveDecoderOptions = {}): Promise<DecoderChoice> {
  return await locateDecoder(await recordedIdentity(input), { ...options, tokenFile: input });
}

/**
 * {@linkcode resolveDecoder} for a token file's recorded generator (its
 * header's `checkpoint`): the search alone, for callers that hold the header.
 *
 * @param recorded The identity the token file records.
 * @param options Where to look, and the token file (for the message).
 * @returns The folder to load and a note.
 * @throws {CheckpointError} As {@linkcode resolveDecoder} does.
 */
export async function locateDecoder(
  recorded: CheckpointIdentity,
  options: ResolveDecoderOptions & { readonly tokenFile?: string } = {},
): Promise<DecoderChoice> {
  const short = `${recorded.sha256.slice(0, 12)}…`;
  if (options.ckpt !== undefined) {
    const search = await findCodec(recorded.sha256, [options.ckpt]);
    if (search.found !== undefined) {
      const where = search.found.path === (await resolveCheckpointDir(options.ckpt).catch(() => ""))
        ? ""
        : ` (found in ${options.ckpt} by the tokens' sha256 ${short})`;
      return { path: search.found.path, recorded, note: `${kindOf(search.found)} ${search.found.path}${where}` };
    }
    const single = search.candidates.length === 1 && search.candidates[0]!.path === resolve(options.ckpt);
    if (single || options.allowOther === true) {
      // One checkpoint named: decoding checks its sha256 against the tokens' and names both (unless allowed).
      const path = await resolveCheckpointDir(options.ckpt);
      return { path, recorded, note: `checkpoint ${path}` };
    }
    throw new CheckpointError(
      options.ckpt,
      `Cannot decode: the tokens were made by checkpoint sha256 ${recorded.sha256} (${recorded.path}); ` +
        `${describeSearch(search.candidates)} has it`,
      { reason: "other_checkpoint" },
    );
  }
  const search = await findCodec(recorded.sha256, placesAround(recorded.path));
  const found = search.found;
  if (found?.path === recorded.path) {
    return {
      path: found.path,
      recorded,
      note: `${kindOf(found)} ${found.path} (recorded in the token file; --ckpt overrides)`,
    };
  }
  if (found !== undefined) {
    const what = await pathExists(recorded.path) ? "holds another generator now" : "is gone";
    return {
      path: found.path,
      recorded,
      note: `checkpoint ${recorded.path} (recorded in the token file) ${what}; ` +
        `${kindOf(found)} ${found.path} has its sha256 ${short}`,
    };
  }
  throw new CheckpointError(
    options.tokenFile ?? recorded.path,
    `Cannot decode: no checkpoint or codec export with the tokens' sha256 ${recorded.sha256} is where the token ` +
      `file says (${recorded.path}): ${describeSearch(search.candidates)} has it; give --ckpt the checkpoint, ` +
      "run folder or exports folder that holds it",
    { reason: "no_decoder" },
  );
}

/** The generator identity a token file (or the first one under a folder) records. */
async function recordedIdentity(input: string): Promise<CheckpointIdentity> {
  const info = await Deno.stat(input).catch(() => undefined);
  const file = info?.isDirectory === true ? (await findFiles(input, ".tokens"))[0] ?? input : input;
  await using reader = await TokenFileReader.open(file);
  return reader.header.checkpoint;
}

/**
 * Where a generator recorded at `path` may be now: the path itself, and the
 * run folder around it (a `checkpoint_<step>`'s run, and the run an earlier
 * one was moved into `previous-<time>/` of; an export's exports folder and
 * its run).
 */
function placesAround(path: string): string[] {
  const places = [path];
  const parent = dirname(path);
  if (/^checkpoint_\d+$/.test(basename(path))) {
    places.push(parent);
    if (basename(parent).startsWith(PREVIOUS_RUN_PREFIX)) places.push(dirname(parent));
  } else if (/^codec_[0-9a-f]+$/.test(basename(path))) {
    places.push(parent);
    if (basename(parent) === EXPORTS_FOLDER) places.push(dirname(parent));
  }
  return places;
}

function kindOf(candidate: CodecCandidate): string {
  return candidate.kind === "export" ? "codec export" : "checkpoint";
}

/** "none of checkpoint_5 (sha256 ab12…), … " for a message. */
function describeSearch(candidates: readonly CodecCandidate[]): string {
  if (candidates.length === 0) return "nothing there";
  const shown = candidates.slice(0, 6).map((c) =>
    `${basename(c.path)} (${c.sha256 === null ? "unreadable" : `sha256 ${c.sha256.slice(0, 12)}…`})`
  );
  const more = candidates.length > shown.length ? ` and ${candidates.length - shown.length} more` : "";
  return `none of ${shown.join(", ")}${more}`;
}
