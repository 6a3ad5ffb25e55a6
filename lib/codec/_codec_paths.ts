/**
 * Which outputs the codec writes: a file gives one output (a named file, or
 * a file of the same stem in an existing folder); a folder is walked
 * recursively and its tree mirrored under the output folder (as DAC does).
 * Every output is checked before any work starts, so an existing file stops
 * the run at once (unless overwriting) instead of after hours of encoding.
 * With a shard, only that shard's files are planned (and checked).
 *
 * @module
 */
import { basename, dirname, join, relative, resolve } from "@std/path";
import { InputError } from "../runtime/errors.ts";
import { findFiles } from "../runtime/find_files.ts";
import { pathExists } from "../runtime/path_exists.ts";
import { selectShard, type Shard } from "../runtime/shard.ts";

/** One input file and the output it becomes. */
export interface FilePair {
  /** The input file (absolute). */
  readonly input: string;
  /** The output file (absolute). */
  readonly output: string;
  /** The input relative to the input root (its name for a single file). */
  readonly relative: string;
}

/** Options of {@linkcode planFiles}. */
export interface PlanFilesOptions {
  /** Input extension, e.g. `.pod5`. */
  readonly from: string;
  /** Output extension, e.g. `.tokens`. */
  readonly to: string;
  /** Allow existing outputs (they are replaced). Default false. */
  readonly overwrite?: boolean;
  /** Plan only this shard's files (split by relative path and size). Default: all. */
  readonly shard?: Shard | undefined;
}

/** What {@linkcode planFiles} found. */
export interface FilePlan {
  /** The pairs to process (this shard's, with a shard), sorted by input. */
  readonly pairs: FilePair[];
  /** Input files found, over all shards. */
  readonly totalFiles: number;
  /** The folder the inputs are relative to: the input folder, or a single input's parent. */
  readonly inputRoot: string;
  /** The folder the outputs go under: the output folder, or a single output's parent. */
  readonly outputRoot: string;
}

/**
 * Plan the outputs for `input`, with the totals a shard manifest records.
 *
 * @param input A file, or a folder searched recursively for `from` files.
 * @param output The output file, or folder.
 * @param options Extensions, overwrite and shard.
 * @returns The pairs, the input count over all shards and the output root.
 * @throws {InputError} When the input is missing or empty, an output exists (without overwrite), or an output
 * would replace its input.
 */
export async function planFiles(input: string, output: string, options: PlanFilesOptions): Promise<FilePlan> {
  const inputPath = resolve(input);
  const outputPath = resolve(output);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(inputPath);
  } catch (error) {
    throw new InputError(
      `Cannot read input: ${error instanceof Deno.errors.NotFound ? "not found" : error}`,
      {
        path: input,
        cause: error,
      },
    );
  }
  const rename = (name: string) =>
    (name.toLowerCase().endsWith(options.from) ? name.slice(0, -options.from.length) : name) + options.to;
  let pairs: FilePair[];
  let outputRoot: string;
  if (info.isDirectory) {
    const outInfo = await Deno.stat(outputPath).catch(() => undefined);
    if (outInfo !== undefined && !outInfo.isDirectory) {
      throw new InputError(
        `Cannot write outputs: the input is a folder, so the output must be one too`,
        {
          path: output,
        },
      );
    }
    const files = await findFiles(inputPath, options.from);
    if (files.length === 0) {
      throw new InputError(
        `Cannot find input: no ${options.from} files under it`,
        { path: input },
      );
    }
    outputRoot = outputPath;
    pairs = files.map((file) => {
      const rel = relative(inputPath, file);
      return { input: file, output: join(outputPath, dirname(rel), rename(basename(rel))), relative: rel };
    });
  } else {
    const outInfo = await Deno.stat(outputPath).catch(() => undefined);
    const target = outInfo?.isDirectory === true ? join(outputPath, rename(basename(inputPath))) : outputPath;
    pairs = [{ input: inputPath, output: target, relative: basename(inputPath) }];
    outputRoot = dirname(target);
  }
  const totalFiles = pairs.length;
  if (options.shard !== undefined) {
    const sized = await Promise.all(
      pairs.map(async (pair) => ({ pair, path: pair.relative, sizeBytes: (await Deno.stat(pair.input)).size })),
    );
    pairs = selectShard(sized, options.shard).map((item) => item.pair);
  }
  for (const pair of pairs) {
    if (pair.output === pair.input) {
      throw new InputError(
        `Cannot write output: it would replace its input`,
        { path: pair.output },
      );
    }
    if (options.overwrite !== true && await pathExists(pair.output)) {
      throw new InputError(
        "Cannot write output: the file exists",
        {
          path: pair.output,
          reason: "output_exists",
        },
      );
    }
  }
  return { pairs, totalFiles, inputRoot: info.isDirectory ? inputPath : dirname(inputPath), outputRoot };
}

/**
 * Create the folders the outputs go into.
 *
 * @param pairs The planned pairs.
 */
export async function makeOutputFolders(pairs: readonly FilePair[]): Promise<void> {
  for (const dir of new Set(pairs.map((pair) => dirname(pair.output)))) await Deno.mkdir(dir, { recursive: true });
}
