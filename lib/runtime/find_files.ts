/**
 * Recursive file discovery by extension, in a stable order.
 *
 * @module
 */
import { join } from "@std/path";

/**
 * Every regular file under `dir` (recursively) whose name ends with
 * `extension` (case-insensitive), sorted by code point. Symbolic links are
 * followed, except those leading back up the tree; dangling links are skipped.
 *
 * @example
 * ```ts
 * import { findFiles } from "./find_files.ts";
 * const found = await findFiles("tests/fixtures/pod5", ".pod5");
 * if (!found.some((path) => path.endsWith("z1.pod5"))) throw new Error("z1.pod5 not found");
 * ```
 *
 * @param dir The folder to search.
 * @param extension The name ending, e.g. `.pod5`.
 * @returns Paths (joined onto `dir`), sorted.
 */
export async function findFiles(dir: string, extension: string): Promise<string[]> {
  const found: string[] = [];
  await walk(dir, extension.toLowerCase(), found, new Set());
  return found.sort(compareCodePoints);
}

async function walk(dir: string, extension: string, out: string[], ancestors: Set<string>): Promise<void> {
  const real = await Deno.realPath(dir);
  if (ancestors.has(real)) return; // a symbolic link back up the tree
  ancestors.add(real);
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    let isDirectory = entry.isDirectory;
    let isFile = entry.isFile;
    if (entry.isSymlink) {
      try {
        const target = await Deno.stat(path);
        isDirectory = target.isDirectory;
        isFile = target.isFile;
      } catch {
        continue; // a dangling link is not data
      }
    }
    if (isDirectory) await walk(path, extension, out, ancestors);
    else if (isFile && entry.name.toLowerCase().endsWith(extension)) out.push(path);
  }
  ancestors.delete(real);
}

function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
