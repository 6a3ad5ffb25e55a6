/**
 * `deno task subset IN.pod5 OUT.pod5 [--read-ids FILE | --first N]`: copy
 * selected reads and their runs into a new POD5 file.
 *
 * @module
 */
import { parseFlags, UsageError } from "../lib/runtime/args.ts";
import { parseReadIdList, subsetPod5 } from "../lib/pod5/mod.ts";

const HELP = `Usage: deno task subset IN.pod5 OUT.pod5 [--read-ids FILE | --first N] [options]

Copy reads, with all their metadata and their run_info rows, into a new POD5
file written in the current official layout (VBZ signal).

  --read-ids FILE   copy the reads listed in FILE (one id per line, or a CSV
                    whose first column is read_id), in input order
  --first N         copy the first N reads (after --read-ids, if given)
  --missing-ok      skip listed ids that IN does not have
  --uncompressed    store the signal uncompressed instead of VBZ
  --force           replace OUT if it exists
  -h, --help        show this help

OUT appears only when the copy is complete.`;

/**
 * Run the subset task.
 *
 * @param args Flags and the two paths.
 * @returns The exit code.
 */
export async function run(args: readonly string[]): Promise<number> {
  const flags = parseFlags(args, { string: ["read-ids", "first"], boolean: ["missing-ok", "uncompressed", "force"] });
  if (flags.booleans.get("help") === true) {
    console.log(HELP);
    return 0;
  }
  const [input, output, ...extra] = flags.positional;
  if (input === undefined || output === undefined || extra.length > 0) {
    throw new UsageError(`Cannot subset: give exactly IN.pod5 and OUT.pod5\n${HELP}`);
  }
  const firstText = flags.strings.get("first");
  const first = firstText === undefined ? undefined : Number(firstText);
  if (first !== undefined && (!Number.isInteger(first) || first < 0)) {
    throw new UsageError(`Cannot subset: --first needs a non-negative integer, got "${firstText}"`);
  }
  const idsPath = flags.strings.get("read-ids");
  const readIds = idsPath === undefined ? undefined : parseReadIdList(await Deno.readTextFile(idsPath), idsPath);
  const result = await subsetPod5(input, output, {
    ...(readIds === undefined ? {} : { readIds }),
    ...(first === undefined ? {} : { first }),
    missingOk: flags.booleans.get("missing-ok") === true,
    writer: {
      overwrite: flags.booleans.get("force") === true,
      signalCompression: flags.booleans.get("uncompressed") === true ? "uncompressed" : "vbz",
    },
  });
  console.error(`wrote ${output}: ${result.readCount} reads, ${result.numSamples} samples, ${result.runCount} runs`);
  return 0;
}
