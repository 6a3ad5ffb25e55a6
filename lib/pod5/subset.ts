/**
 * Copy selected reads (and the runs they belong to) into a new POD5 file,
 * like `pod5 subset` / `pod5 filter`.
 *
 * @module
 */
import { Pod5Error } from "./errors.ts";
import { Pod5Reader } from "./reader.ts";
import { isUuid } from "./uuid.ts";
import { Pod5Writer, type Pod5WriterOptions } from "./writer.ts";

/** Options of {@linkcode subsetPod5}. */
export interface SubsetOptions {
  /** Copy only these read ids (in file order). Default: every read. */
  readonly readIds?: Iterable<string>;
  /** Copy only the first N reads (after `readIds`, if given). */
  readonly first?: number;
  /** Skip listed ids that are not in the input instead of failing. Default false. */
  readonly missingOk?: boolean;
  /** Writer options (`overwrite`, `signalCompression`, ...). */
  readonly writer?: Pod5WriterOptions;
}

/** What {@linkcode subsetPod5} copied. */
export interface SubsetResult {
  /** Reads copied. */
  readonly readCount: number;
  /** Runs (run_info rows) copied. */
  readonly runCount: number;
  /** Samples copied, over all reads. */
  readonly numSamples: number;
}

/**
 * Copy reads from `input` to a new file `output`, keeping all their metadata
 * and the run_info rows they refer to. Nothing appears at `output` unless
 * the copy completes.
 *
 * @param input The source POD5 file.
 * @param output The file to create.
 * @param options Which reads to copy, and writer options.
 * @returns Counts of what was copied.
 * @throws {Pod5ReadNotFoundError} When a listed id is not in the input (unless `missingOk`).
 *
 * @example The first two reads of the quickstart sample
 * ```ts
 * import { subsetPod5 } from "./subset.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const result = await subsetPod5("tests/fixtures/pod5/z1.pod5", `${dir}/two.pod5`, { first: 2 });
 * if (result.readCount !== 2 || result.numSamples !== 21_734 + 78_129) throw new Error("wrong subset");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function subsetPod5(input: string, output: string, options: SubsetOptions = {}): Promise<SubsetResult> {
  if (options.first !== undefined && (!Number.isInteger(options.first) || options.first < 0)) {
    throw new RangeError(`Cannot subset: first must be a non-negative integer, got ${options.first}`);
  }
  await using reader = await Pod5Reader.open(input);
  await using writer = await Pod5Writer.create(output, options.writer);
  const runs = new Map(reader.runInfos.map((run) => [run.acquisitionId, run]));
  const added = new Set<string>();
  let readCount = 0, numSamples = 0;
  const selection = options.readIds === undefined ? undefined : [...options.readIds];
  const reads = reader.reads({
    ...(selection === undefined ? {} : { selection }),
    missingOk: options.missingOk ?? false,
  });
  for await (const read of reads) {
    if (options.first !== undefined && readCount >= options.first) break;
    const run = runs.get(read.acquisitionId);
    if (run === undefined) throw new Pod5Error(input, `read ${read.readId} has no run_info row`);
    if (!added.has(run.acquisitionId)) {
      await writer.addRunInfo(run);
      added.add(run.acquisitionId);
    }
    await writer.addRead(read);
    readCount++;
    numSamples += read.numSamples;
  }
  await writer.close();
  return { readCount, runCount: added.size, numSamples };
}

/**
 * Parse a read-id list: one id per line, or a CSV whose first column is
 * `read_id` (as `pod5 view` writes); blank lines and `#` comments are skipped.
 *
 * @param text The file's contents.
 * @param path The file's name, for error messages.
 * @returns The ids, lower-cased, in file order.
 * @throws {Pod5Error} Naming the line that is not a read id.
 *
 * @example
 * ```ts
 * import { parseReadIdList } from "./subset.ts";
 *
 * const ids = parseReadIdList("read_id,target\n07E9C086-2B8E-4BEA-8B91-1E3A783C77BB,x\n# done\n", "ids.csv");
 * if (ids.join() !== "07e9c086-2b8e-4bea-8b91-1e3a783c77bb") throw new Error(ids.join());
 * ```
 */
export function parseReadIdList(text: string, path: string): string[] {
  const ids: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const first = line.split(/[,\t ]/)[0] ?? "";
    if (i === 0 && first === "read_id") return;
    if (!isUuid(first)) throw new Pod5Error(path, `Cannot read id list: line ${i + 1} "${first}" is not a read id`);
    ids.push(first.toLowerCase());
  });
  return ids;
}
