/**
 * `deno task decode IN.tokens|DIR -o OUT.pod5|DIR [--ckpt CKPT] [flags]`:
 * restore POD5 files from token files.
 *
 * @module
 */
import { decodeTokens } from "../lib/codec/decode_tokens.ts";
import { resolveDecoder } from "../lib/codec/resolve_decoder.ts";
import { loadCodec } from "../lib/codec/load_codec.ts";
import { describeBackend } from "../lib/runtime/backend.ts";
import { parseFileTaskFlags } from "../lib/runtime/file_task_flags.ts";
import { progressPrinter } from "../lib/runtime/progress.ts";
import { formatDecodeSummary } from "../lib/codec/format_codec_summary.ts";
import type { FlagHints } from "../lib/runtime/error_report.ts";

/** What this task's flags change about the library's refusals, by reason. */
export const FLAG_HINTS: FlagHints = {
  output_exists: " (use --force to replace it)",
  other_checkpoint: "; use that checkpoint, or --force",
  no_decoder: " (deno task checkpoints lists the runs and exports there are)",
};

const HELP = `Usage: deno task decode IN.tokens|DIR -o OUT.pod5|DIR [--ckpt CKPT] [flags]

Restore POD5 files from token files: every read with all its metadata and
exactly its number of samples. A folder is searched recursively and its tree
mirrored under OUT.

  -o, --output PATH  the POD5 file, or a folder (created)
  --ckpt DIR         where the codec the tokens were made with is: a
                     checkpoint_<step> folder, a codec export, a run folder
                     (every checkpoint and export in it is searched for the
                     generator sha256 the token file records) or an exports
                     folder; default: the checkpoint the token file records,
                     or, when it is gone, its run folder (printed)
  --workers N        Deno Workers running the model (default: cores, at most 4;
                     0: this thread)
  --backend B        auto|tensorflow|webgpu|wasm|cpu (default auto)
  --shard I/N        decode only part I of N (0-based; a size-balanced split of
                     the sorted files) and write OUT/shard-I-of-N.json
  --force            replace existing outputs, and decode tokens made by another
                     checkpoint (whose sha256 differs from the recorded one)
  --json             print the summary as JSON on stdout
  -h, --help         show this help`;

/**
 * Run the decode task.
 *
 * @param args Flags and the input path.
 * @returns The exit code.
 */
export async function run(args: readonly string[]): Promise<number> {
  const flags = parseFileTaskFlags(args, {});
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  const choice = await resolveDecoder(flags.input, { ckpt: flags.ckpt, allowOther: flags.force });
  console.error(choice.note);
  const codec = await loadCodec(choice.path, { backend: flags.backend });
  console.error(`checkpoint sha256 ${codec.checkpoint.sha256.slice(0, 12)}…; ${describeBackend(codec.backend)}`);
  const stderr = new TextEncoder();
  const progress = progressPrinter((text) => Deno.stderr.writeSync(stderr.encode(text)), {
    terminal: Deno.stderr.isTerminal(),
  });
  const summary = await decodeTokens(flags.input, flags.output, {
    codec,
    workers: flags.workers,
    overwrite: flags.force,
    ...(flags.shard === undefined ? {} : { shard: flags.shard }),
    allowOtherCheckpoint: flags.force,
    onProgress: progress.report,
  });
  progress.done();
  if (flags.json) console.log(JSON.stringify(summary, null, 1));
  console.error(formatDecodeSummary(summary));
  return 0;
}
