/**
 * Which outputs the codec writes: a file gives one output (a named file, or
 * a file of the same stem in an existing folder); a folder is walked
 * recursively and its tree mirrored under the output folder (as DAC does).
 * Every output is checked before any work starts, so an existing file stops
 * the run at once (unless overwriting) instead of after hours of encoding.
 *
 * @module
 */
import { basename, dirname, join, relative, resolve } from "@std/path";
import { InputError } from "../runtime/errors.ts";
import { findFiles } from "../runtime/find_files.ts";
import { pathExists } from "../runtime/path_exists.ts";

/** One input file and the output it becomes. */
export interface FilePair {
  /** The input file (absolute). */
  readonly input: string;
  /** The output file (absolute). */
  readonly output: string;
  /** The input relative to the input root (its name for a single file). */
  readonly relative: string;
}

/** Options of {@linkcode planFilePairs}. */
export interface PlanFilePairsOptions {
  /** Input extension, e.g. `.pod5`. */
  readonly from: string;
  /** Output extension, e.g. `.tokens`. */
  readonly to: string;
  /** Allow existing outputs (they are replaced). Default false. */
  readonly overwrite?: boolean;
}

/**
 * Plan the outputs for `input` (a file or a folder).
 *
 * @param input A file, or a folder searched recursively for `from` files.
 * @param output The output file, or folder.
 * @param options Extensions and overwrite.
 * @returns The pairs, sorted by input.
 * @throws {InputError} When the input is missing or empty, an output exists (without overwrite), or an output
 * would replace its input.
 */
export async function planFilePairs(input: string, output: string, options: PlanFilePairsOptions): Promise<FilePair[]> {
  const inputPath = resolve(input);
  const outputPath = resolve(output);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(inputPath);
  } catch (error) {
    throw new InputError(
      `${input}: Cannot read input: ${error instanceof Deno.errors.NotFound ? "not found" : error}`,
      {
        path: input,
        cause: error,
      },
    );
  }
  const rename = (name: string) =>
    (name.toLowerCase().endsWith(options.from) ? name.slice(0, -options.from.length) : name) + options.to;
  let pairs: FilePair[];
  if (info.isDirectory) {
    const outInfo = await Deno.stat(outputPath).catch(() => undefined);
    if (outInfo !== undefined && !outInfo.isDirectory) {
      throw new InputError(`${output}: Cannot write outputs: the input is a folder, so the output must be one too`, {
        path: output,
      });
    }
    const files = await findFiles(inputPath, options.from);
    if (files.length === 0) {
      throw new InputError(`${input}: Cannot find input: no ${options.from} files under it`, { path: input });
    }
    pairs = files.map((file) => {
      const rel = relative(inputPath, file);
      return { input: file, output: join(outputPath, dirname(rel), rename(basename(rel))), relative: rel };
    });
  } else {
    const outInfo = await Deno.stat(outputPath).catch(() => undefined);
    const target = outInfo?.isDirectory === true ? join(outputPath, rename(basename(inputPath))) : outputPath;
    pairs = [{ input: inputPath, output: target, relative: basename(inputPath) }];
  }
  for (const pair of pairs) {
    if (pair.output === pair.input) {
      throw new InputError(`${pair.output}: Cannot write output: it would replace its input`, { path: pair.output });
    }
    if (options.overwrite !== true && await pathExists(pair.output)) {
      throw new InputError(`${pair.output}: Cannot write output: the file exists (use --force to replace it)`, {
        path: pair.output,
      });
    }
  }
  return pairs;
}

/**
 * Create the folders the outputs go into.
 *
 * @param pairs The planned pairs.
 */
export async function makeOutputFolders(pairs: readonly FilePair[]): Promise<void> {
  for (const dir of new Set(pairs.map((pair) => dirname(pair.output)))) await Deno.mkdir(dir, { recursive: true });
}
