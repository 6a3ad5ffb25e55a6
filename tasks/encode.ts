/**
 * `deno task encode IN.pod5|DIR -o OUT.tokens|DIR --ckpt CKPT [flags]`:
 * compress POD5 files into token files.
 *
 * @module
 */
import { loadCodec } from "../lib/codec/load_codec.ts";
import { formatKeptExport, keepCodecExport } from "../lib/checkpoint/export_codec.ts";
import { encodePod5 } from "../lib/codec/encode_pod5.ts";
import { DEFAULT_TAIL, TAIL_STRATEGIES, type TailStrategy } from "../lib/codec/types.ts";
import { describeBackend } from "../lib/runtime/backend.ts";
import { parseFileTaskFlags } from "../lib/runtime/file_task_flags.ts";
import { progressPrinter } from "../lib/runtime/progress.ts";
import { formatEncodeSummary } from "../lib/codec/format_codec_summary.ts";
import { UsageError } from "../lib/runtime/args.ts";
import type { FlagHints } from "../lib/runtime/error_report.ts";

/** What this task's flags change about the library's refusals, by reason. */
export const FLAG_HINTS: FlagHints = {
  output_exists: " (use --force to replace it)",
  sample_rate: " (--skip-mismatched skips such reads)",
};

const HELP = `Usage: deno task encode IN.pod5|DIR -o OUT.tokens|DIR --ckpt CKPT [flags]

Compress POD5 files into token files (.tokens, Arrow IPC). A folder is
searched recursively and its tree mirrored under OUT. Every sample of every
read is coded; decode gives back exactly as many samples per read.

  -o, --output PATH      the token file, or a folder (created)
  --ckpt DIR             a checkpoint_<step> folder, a run folder (its newest)
                         or a codec export; encoding from a run's checkpoint
                         keeps a copy of the codec in the run's exports/,
                         which pruning never removes
  --codes packed|plain   packed: entropy-coded (default); plain: list<uint16>
  --workers N            Deno Workers running the model (default: cores, at
                         most 4; 0: this thread); the output is the same for any N
  --backend B            auto|tensorflow|webgpu|wasm|cpu (default auto)
  --shard I/N            encode only part I of N (0-based; a size-balanced split
                         of the sorted files) and write OUT/shard-I-of-N.json
  --skip-mismatched      skip reads at another sample rate (a warning each)
  --verify               also decode and report SNR against the input
  --tail short|pad|end_align   how the samples after the last whole window are
                         coded (default short; see the README)
  --force                replace existing outputs
  --json                 print the summary as JSON on stdout
  -h, --help             show this help`;

/**
 * Run the encode task.
 *
 * @param args Flags and the input path.
 * @returns The exit code.
 */
export async function run(args: readonly string[]): Promise<number> {
  const flags = parseFileTaskFlags(args, { string: ["codes", "tail"], boolean: ["skip-mismatched", "verify"] });
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  const codes = flags.strings.get("codes") ?? "packed";
  if (codes !== "packed" && codes !== "plain") {
    throw new UsageError(`Cannot encode: --codes is packed or plain, not "${codes}"`);
  }
  const tail = flags.strings.get("tail") ?? DEFAULT_TAIL;
  if (!(TAIL_STRATEGIES as readonly string[]).includes(tail)) {
    throw new UsageError(`Cannot encode: --tail is one of ${TAIL_STRATEGIES.join(", ")}, not "${tail}"`);
  }
  if (flags.ckpt === undefined) throw new UsageError("Cannot encode: --ckpt is required (see --help)");
  const codec = await loadCodec(flags.ckpt, { backend: flags.backend });
  console.error(
    `checkpoint ${codec.checkpoint.path} (step ${codec.checkpoint.step}, sha256 ${
      codec.checkpoint.sha256.slice(0, 12)
    }…); ${describeBackend(codec.backend)}`,
  );
  const kept = formatKeptExport(
    await keepCodecExport(codec.checkpoint.path, { sha256: codec.checkpoint.sha256 }),
    codec.checkpoint.path,
  );
  if (kept !== undefined) console.error(kept);
  const stderr = new TextEncoder();
  const progress = progressPrinter((text) => Deno.stderr.writeSync(stderr.encode(text)), {
    terminal: Deno.stderr.isTerminal(),
  });
  const summary = await encodePod5(flags.input, flags.output, {
    codec,
    codes,
    tail: tail as TailStrategy,
    workers: flags.workers,
    overwrite: flags.force,
    ...(flags.shard === undefined ? {} : { shard: flags.shard }),
    skipMismatched: flags.booleans.get("skip-mismatched") === true,
    verify: flags.booleans.get("verify") === true,
    onProgress: progress.report,
    onWarning: (message) => console.error(`[warn] ${message}`),
  });
  progress.done();
  if (flags.json) console.log(JSON.stringify(summary, null, 1));
  console.error(formatEncodeSummary(summary));
  return 0;
}
