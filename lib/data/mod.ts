/**
 * Training data: finding POD5 files (later: the streaming dataset).
 *
 * @example Find the files of a run
 * ```ts ignore
 * import { discoverPod5Files } from "./mod.ts";
 * const files = await discoverPod5Files({ root: "data", subdirs: ["FC01/pod5", "FC02/pod5"] });
 * ```
 *
 * @module
 */
export { discoverPod5Files, type Pod5Source } from "./discover_pod5_files.ts";
export { DatasetWorkerError, DataSourceError } from "./errors.ts";
export { DEFAULT_SPLIT_SALT, isHeldOutRead, readSplitFilter, type ReadSplitOptions } from "./read_split.ts";
export type { ReadFilter, ReadInfo } from "./types.ts";
