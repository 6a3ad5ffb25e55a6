/**
 * `resolveCheckpointDir()`: which `checkpoint_<step>` folder a checkpoint
 * argument names (the folder itself, or a run folder's newest complete one).
 *
 * @module
 */
import { join, resolve } from "@std/path";
import { latestCheckpoint, STATE_FILE } from "./checkpoint.ts";
import { CheckpointError } from "./errors.ts";

/**
 * Resolve a checkpoint argument: a `checkpoint_<step>` directory, or a run
 * directory (then its newest complete checkpoint).
 *
 * @param path The directory given.
 * @returns The absolute `checkpoint_<step>` directory.
 * @throws {CheckpointError} When neither holds a checkpoint.
 */
export async function resolveCheckpointDir(path: string): Promise<string> {
  const dir = resolve(path);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "no such directory" : String(error);
    throw new CheckpointError(path, `Cannot load checkpoint: ${reason}`, { cause: error });
  }
  if (!info.isDirectory) throw new CheckpointError(path, "Cannot load checkpoint: not a directory");
  try {
    await Deno.stat(join(dir, STATE_FILE));
    return dir;
  } catch {
    const latest = await latestCheckpoint(dir);
    if (latest === undefined) {
      throw new CheckpointError(
        path,
        "Cannot load checkpoint: neither a checkpoint_<step> directory nor a run directory holding one",
      );
    }
    return latest;
  }
}
