/**
 * Finding the POD5 files of a data source: an explicit list, or every
 * `.pod5` file under `root` (or under each of its `subdirs`), recursively,
 * in a deterministic order (notes/simvqgan_model.md §7).
 *
 * @module
 */
import { resolve } from "@std/path";
import { findFiles } from "../runtime/find_files.ts";
import { DataSourceError } from "./errors.ts";

/** Where the files are: the `data` config keys `root`, `subdirs` and `files`. */
export interface Pod5Source {
  /** Folder searched when `files` is not given. */
  readonly root: string;
  /** Folders under `root` searched in turn, each recursively. Default `["."]`. */
  readonly subdirs?: readonly string[];
  /** An explicit list that replaces discovery; null or absent: discover. */
  readonly files?: readonly string[] | null;
}

/** Extension of POD5 files (matched case-insensitively). */
const POD5_EXTENSION = ".pod5";

/**
 * The POD5 files of a source. An explicit `files` list is returned as given
 * (each must be a file). Otherwise each `root/subdir` is walked recursively,
 * following symbolic links, and its `.pod5` files are sorted by path (code
 * point order); subdirs are concatenated in the order given, duplicates kept
 * once.
 *
 * @example
 * ```ts ignore
 * import { discoverPod5Files } from "./discover_pod5_files.ts";
 * const files = await discoverPod5Files({ root: "/data/run1", subdirs: ["FC01/pod5", "FC02/pod5"] });
 * ```
 *
 * @param source Root and subdirs, or a file list.
 * @returns Absolute paths, in the order the dataset streams them.
 * @throws {DataSourceError} When the root, a subdir or a listed file is missing, or no file is found.
 * @throws {RangeError} When `files` is an empty list.
 */
export async function discoverPod5Files(source: Pod5Source): Promise<string[]> {
  if (source.files !== undefined && source.files !== null) {
    const files: string[] = [];
    for (const file of source.files) {
      const path = resolve(file);
      const info = await statOrThrow(path, "Cannot read data file");
      if (!info.isFile) throw new DataSourceError(path, "Cannot read data file: not a regular file");
      files.push(path);
    }
    if (files.length === 0) throw new RangeError("Cannot find data: the file list is empty");
    return files;
  }
  const root = resolve(source.root);
  const rootInfo = await statOrThrow(root, "Cannot find data root");
  if (!rootInfo.isDirectory) throw new DataSourceError(root, "Cannot find data root: not a directory");
  const seen = new Set<string>();
  const files: string[] = [];
  for (const subdir of source.subdirs ?? ["."]) {
    const dir = resolve(root, subdir);
    const info = await statOrThrow(dir, "Cannot find data folder");
    if (!info.isDirectory) throw new DataSourceError(dir, "Cannot find data folder: not a directory");
    for (const file of await findFiles(dir, POD5_EXTENSION)) {
      if (!seen.has(file)) {
        seen.add(file);
        files.push(file);
      }
    }
  }
  if (files.length === 0) {
    throw new DataSourceError(
      root,
      `Cannot find data: no ${POD5_EXTENSION} files under it (subdirs ${(source.subdirs ?? ["."]).join(", ")})`,
    );
  }
  return files;
}

async function statOrThrow(path: string, action: string): Promise<Deno.FileInfo> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "no such file or directory" : String(error);
    throw new DataSourceError(path, `${action}: ${reason}`, { cause: error });
  }
}
