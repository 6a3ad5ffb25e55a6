/**
 * `deno task checkpoints [DIR]`: the runs, checkpoints and codec exports
 * under `checkpoints/` (or DIR).
 *
 * @module
 */
import { formatRuns } from "../lib/checkpoint/format_runs.ts";
import { listRuns } from "../lib/checkpoint/list_runs.ts";
import { parseFlags, UsageError } from "../lib/runtime/args.ts";

const HELP = `Usage: deno task checkpoints [DIR] [--json]

List the training runs under DIR (default: checkpoints/) and folders of codec
exports: for each checkpoint its step, held-out SNR (the last one it records,
with its step when older), sample rate, generator sha256 (what a token file
records) and the exports of its codec (deno task export, or the copy encode
keeps in the run's exports/); then the exports whose checkpoint is gone.

  --json      print the listing as JSON on stdout
  -h, --help  show this help`;

/**
 * Run the checkpoints task.
 *
 * @param args Flags and the folder.
 * @returns The exit code.
 */
export async function run(args: readonly string[]): Promise<number> {
  const flags = parseFlags(args, { boolean: ["json"] });
  if (flags.booleans.get("help") === true) {
    console.log(HELP);
    return 0;
  }
  if (flags.positional.length > 1) throw new UsageError(`Cannot list checkpoints: give one folder\n${HELP}`);
  const dir = flags.positional[0] ?? "checkpoints";
  const runs = await listRuns(dir);
  if (flags.booleans.get("json") === true) console.log(JSON.stringify(runs, null, 1));
  else if (runs.length === 0) console.log(`no checkpoints or codec exports under ${dir}`);
  else for (const line of formatRuns(runs, { cwd: Deno.cwd() })) console.log(line);
  return 0;
}
