/**
 * `resolveCheckpointDir()`: which folder a checkpoint argument names (a
 * `checkpoint_<step>` folder, a codec export, or a run folder's newest
 * complete checkpoint), and, when it names none, what is there instead.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "@std/path";
import { listCheckpoints, STATE_FILE } from "./checkpoint.ts";
import { listCodecExports } from "./codec_export.ts";
import { CheckpointError } from "./errors.ts";
import { CODEC_EXPORT_FILE, EXPORTS_FOLDER } from "./_export_names.ts";
import { pathExists } from "../runtime/path_exists.ts";

/**
 * Resolve a checkpoint argument: a `checkpoint_<step>` directory, a codec
 * export (`codec.json`), a run directory (its newest complete checkpoint),
 * or an exports folder holding exactly one export.
 *
 * @example A folder that is not there names what is
 * ```ts
 * import { assertRejects } from "@std/assert";
 * import { resolveCheckpointDir } from "./resolve_checkpoint_dir.ts";
 * import { TINY_CODEC_CONFIG, writeGeneratorCheckpoint } from "./write_generator_checkpoint.ts";
 * const dir = await Deno.makeTempDir();
 * const path = await writeGeneratorCheckpoint(dir, { config: TINY_CODEC_CONFIG, step: 3 });
 * if (await resolveCheckpointDir(dir) !== path) throw new Error("not the newest");
 * await assertRejects(() => resolveCheckpointDir(`${dir}/checkpoint_2`), Error, "holds checkpoint_3");
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param path The directory given.
 * @returns The absolute checkpoint or export directory.
 * @throws {CheckpointError} When it holds none; a missing one names the checkpoints of its parent folder.
 */
export async function resolveCheckpointDir(path: string): Promise<string> {
  const dir = resolve(path);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? `no such directory (${await describeFolder(dirname(dir))})`
      : String(error);
    throw new CheckpointError(path, `Cannot load checkpoint: ${reason}`, { cause: error });
  }
  if (!info.isDirectory) throw new CheckpointError(path, "Cannot load checkpoint: not a directory");
  if (await pathExists(join(dir, STATE_FILE)) || await pathExists(join(dir, CODEC_EXPORT_FILE))) return dir;
  const latest = (await listCheckpoints(dir)).at(-1);
  if (latest !== undefined) return latest.path;
  const exports = await listCodecExports(dir);
  if (exports.length === 1) return exports[0]!.path;
  if (exports.length > 1) {
    throw new CheckpointError(
      path,
      `Cannot load checkpoint: the folder holds ${exports.length} codec exports (${
        exports.map((e) => basename(e.path)).join(", ")
      }); give one of them`,
    );
  }
  throw new CheckpointError(
    path,
    "Cannot load checkpoint: neither a checkpoint_<step> directory, a codec export, nor a run directory holding one",
  );
}

/**
 * What a folder holds, for the message about a missing checkpoint: its
 * checkpoints and exports (`FOLDER holds checkpoint_5, checkpoint_6 and
 * exports/codec_…`), or that it holds none, or does not exist.
 *
 * @param dir The folder.
 * @returns The description.
 */
async function describeFolder(dir: string): Promise<string> {
  if (!await pathExists(dir)) return `its folder ${dir} does not exist either`;
  const names = [
    ...(await listCheckpoints(dir)).map((c) => basename(c.path)),
    ...(await listCodecExports(join(dir, EXPORTS_FOLDER))).map((e) => `${EXPORTS_FOLDER}/${basename(e.path)}`),
    ...(await listCodecExports(dir)).map((e) => basename(e.path)),
  ];
  return names.length === 0 ? `${dir} holds no checkpoint` : `${dir} holds ${names.join(", ")}`;
}
