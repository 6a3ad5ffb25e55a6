/**
 * Whether a path exists (without following a final symlink).
 *
 * @module
 */

/**
 * Whether `path` exists.
 *
 * @param path A file, directory or link.
 * @returns True when `lstat` finds it; other errors (e.g. permission) are thrown.
 *
 * @example
 * ```ts
 * import { pathExists } from "./path_exists.ts";
 * if (!(await pathExists("deno.json")) || (await pathExists("no/such/file"))) throw new Error("wrong");
 * ```
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
