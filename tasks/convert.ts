/**
 * `deno task convert IN.fast5|DIR... -o OUT.pod5 [--force]`: FAST5 files into
 * one POD5 file, as ONT's `pod5 convert fast5` does.
 *
 * @module
 */
import { convertFast5ToPod5 } from "../lib/fast5/mod.ts";
import { parseFlags, UsageError } from "../lib/runtime/args.ts";

const HELP = `Usage: deno task convert IN.fast5|DIR... -o OUT.pod5 [--force]

Convert FAST5 files, single-read or multi-read, with plain or gzip-compressed
signal, into one POD5 file (VBZ signal): every read with its calibration,
channel, mux, read number, start, median_before and end reason, and each run
(tracking_id and context_tags become its run_info), as ONT's
\`pod5 convert fast5\` maps them. A folder is searched recursively for
*.fast5 files.

  -o, --output FILE  the POD5 file to create
  --uncompressed     store the signal uncompressed instead of VBZ
  --force            replace FILE if it exists
  -h, --help         show this help

FAST5 files whose signal is VBZ-compressed (HDF5 filter 32020) are refused
with the command that repacks them. OUT appears only when every read is written.`;

/**
 * Run the convert task.
 *
 * @param args Flags and input paths.
 * @returns The exit code.
 */
export async function run(args: readonly string[]): Promise<number> {
  const flags = parseFlags(args, { string: ["output"], boolean: ["force", "uncompressed"], alias: { o: "output" } });
  if (flags.booleans.get("help") === true) {
    console.log(HELP);
    return 0;
  }
  const output = flags.strings.get("output");
  if (flags.positional.length === 0 || output === undefined) {
    throw new UsageError(`Cannot convert: give FAST5 files or folders and -o OUT.pod5\n${HELP}`);
  }
  const result = await convertFast5ToPod5(flags.positional, output, {
    overwrite: flags.booleans.get("force") === true,
    writer: { signalCompression: flags.booleans.get("uncompressed") === true ? "uncompressed" : "vbz" },
  });
  console.error(
    `wrote ${output}: ${result.readCount} reads, ${result.numSamples.toLocaleString("en-US")} samples, ` +
      `${result.runCount} run(s) from ${result.files.length} FAST5 file(s)`,
  );
  return 0;
}
