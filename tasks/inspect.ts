/**
 * `deno task inspect FILE.pod5 [--jsonl] [--signal-sha256]`: a human summary
 * of each file, or one JSON object per read (SPEC §3.4).
 *
 * @module
 */
import { parseFlags, UsageError } from "../lib/runtime/args.ts";
import { formatPod5Summary, inspectRecords, Pod5Reader, summarisePod5 } from "../lib/pod5/mod.ts";

const HELP = `Usage: deno task inspect FILE.pod5... [--jsonl] [--signal-sha256]

Summarise POD5 files: reads, samples, duration, sample rates, runs,
compression and format version.

  --jsonl          print one JSON object per read instead (read_id, num_samples,
                   sample_rate, calibration_offset, calibration_scale, channel,
                   well, read_number, start_sample, median_before, end_reason,
                   acquisition_id)
  --signal-sha256  with --jsonl: add signal_sha256, the SHA-256 of the raw int16
                   samples as little-endian bytes (decodes every read)
  -h, --help       show this help

A file that is not a readable POD5 prints "error: FILE: reason" and exits 2.`;

/**
 * Run the inspect task.
 *
 * @param args Flags and file names.
 * @returns The exit code.
 */
export async function run(args: readonly string[]): Promise<number> {
  const flags = parseFlags(args, { boolean: ["jsonl", "signal-sha256"] });
  if (flags.booleans.get("help") === true) {
    console.log(HELP);
    return 0;
  }
  if (flags.positional.length === 0) throw new UsageError(`Cannot inspect: no POD5 file given\n${HELP}`);
  const jsonl = flags.booleans.get("jsonl") === true;
  const signalSha256 = flags.booleans.get("signal-sha256") === true;
  if (signalSha256 && !jsonl) throw new UsageError("Cannot inspect: --signal-sha256 needs --jsonl");
  const encoder = new TextEncoder();
  for (const [i, path] of flags.positional.entries()) {
    await using reader = await Pod5Reader.open(path);
    if (!jsonl) {
      console.log((i > 0 ? "\n" : "") + formatPod5Summary(summarisePod5(reader)));
      continue;
    }
    let chunk = "";
    for await (const record of inspectRecords(reader, { signalSha256 })) {
      chunk += JSON.stringify(record) + "\n";
      if (chunk.length > 65536) {
        await Deno.stdout.write(encoder.encode(chunk));
        chunk = "";
      }
    }
    await Deno.stdout.write(encoder.encode(chunk));
  }
  return 0;
}
