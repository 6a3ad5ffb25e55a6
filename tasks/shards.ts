/**
 * `deno task shards DIR --count N [--json]`: check that the N shard manifests
 * a sharded `encode` or `decode` wrote under DIR cover every file exactly once.
 *
 * @module
 */
import { checkShardManifests } from "../lib/codec/shard_manifest.ts";
import { parseFlags, UsageError } from "../lib/runtime/args.ts";

const HELP = `Usage: deno task shards DIR --count N [--json]

Check a sharded run: DIR (the output folder of N \`--shard I/N\` jobs of encode
or decode) holds shard-0-of-N.json ... shard-(N-1)-of-N.json, they record the
same task and input count, and every input file is in exactly one of them.
Exits 2, naming what is missing or repeated, when not.

  --count N   the N of --shard I/N
  --json      print the totals and the manifests as JSON on stdout`;

/**
 * Run the shards task.
 *
 * @param args Flags and the folder.
 * @returns The exit code.
 */
export async function run(args: readonly string[]): Promise<number> {
  const flags = parseFlags(args, { string: ["count"], boolean: ["json"] });
  if (flags.booleans.get("help") === true) {
    console.log(HELP);
    return 0;
  }
  const [dir, ...extra] = flags.positional;
  if (dir === undefined || extra.length > 0) throw new UsageError("Cannot parse flags: give exactly one folder");
  const countText = flags.strings.get("count");
  const count = Number(countText);
  if (countText === undefined || !Number.isInteger(count) || count < 1) {
    throw new UsageError(`Cannot parse flags: --count needs a positive integer, got "${countText ?? ""}"`);
  }
  const done = await checkShardManifests(dir, count);
  if (flags.booleans.get("json") === true) console.log(JSON.stringify(done, null, 1));
  const task = done.manifests[0]?.task ?? "encode";
  const seconds = done.manifests.map((m) => m.seconds);
  console.error(
    `${dir}: complete: ${count} shards of ${task}, ${done.files} files, ${done.reads} reads, ` +
      `${done.numSamples.toLocaleString("en-US")} samples; shard wall time ${Math.min(...seconds).toFixed(1)}` +
      `-${Math.max(...seconds).toFixed(1)} s`,
  );
  return 0;
}
