/**
 * `deno task export --ckpt CKPT -o DIR`: freeze a checkpoint's codec into a
 * folder that training never prunes.
 *
 * @module
 */
import { exportCodec } from "../lib/checkpoint/export_codec.ts";
import { parseFlags, UsageError } from "../lib/runtime/args.ts";

const HELP = `Usage: deno task export --ckpt CKPT -o DIR [--json]

Freeze a checkpoint's codec: copy its generator (the same bytes, so the same
sha256) and what loading it needs (config, step, data plan, held-out scores)
into DIR/codec_<first 16 hex digits of the sha256>/. Training never prunes an
export; encode, decode, validate and serve take it wherever they take a
checkpoint, and decode --ckpt DIR finds it by the sha256 a token file records.
An export of the same generator already in DIR is kept as it is.

  --ckpt CKPT    a checkpoint_<step> folder, a run folder (its newest) or an export
  -o, --output DIR  the exports folder (created)
  --json         print the export's record as JSON on stdout
  -h, --help     show this help`;

/**
 * Run the export task.
 *
 * @param args Flags.
 * @returns The exit code.
 */
export async function run(args: readonly string[]): Promise<number> {
  const flags = parseFlags(args, { string: ["ckpt", "output"], boolean: ["json"], alias: { o: "output" } });
  if (flags.booleans.get("help") === true) {
    console.log(HELP);
    return 0;
  }
  const ckpt = flags.strings.get("ckpt"), output = flags.strings.get("output");
  if (ckpt === undefined || output === undefined || flags.positional.length > 0) {
    throw new UsageError(`Cannot export: give --ckpt CKPT and -o DIR\n${HELP}`);
  }
  const result = await exportCodec(ckpt, output);
  const { export: codec } = result;
  if (flags.booleans.get("json") === true) console.log(JSON.stringify({ ...codec, created: result.created }, null, 1));
  console.error(
    `${result.created ? "exported" : "already exported:"} ${codec.source} (step ${codec.step}, sha256 ` +
      `${codec.sha256.slice(0, 12)}…) ${result.created ? "to" : "is"} ${codec.path}`,
  );
  return 0;
}
