/**
 * `deno task validate [flags]`: reconstruct reads with a checkpoint, score
 * them, and basecall both with Dorado where it is installed.
 *
 * @module
 */
import { fromFileUrl } from "@std/path";
import { loadCodec } from "../lib/codec/load_codec.ts";
import { formatKeptExport, keepCodecExport } from "../lib/checkpoint/export_codec.ts";
import { parseFlags, UsageError } from "../lib/runtime/args.ts";
import { describeBackend } from "../lib/runtime/backend.ts";
import type { FlagHints } from "../lib/runtime/error_report.ts";
import { ConfigError } from "../lib/runtime/errors.ts";
import { defaultWorkers } from "../lib/runtime/file_task_flags.ts";
import { flagSpecOf, type FlagTable, overridesFromFlags } from "../lib/runtime/flag_table.ts";
import { resolveValidateConfig } from "../lib/validate/validate_config.ts";
import { formatValidationSummary } from "../lib/validate/format_validation_summary.ts";
import { validateCheckpoint } from "../lib/validate/validate_checkpoint.ts";

const DEFAULT_CONFIG = fromFileUrl(new URL("../configs/validate_dorado.json", import.meta.url));

const HELP = `Usage: deno task validate [flags]

Reconstruct reads through a checkpoint's encode -> decode path and report what
it is worth: signal metrics against a per-read-median baseline, a picture, and,
where ONT Dorado is installed, basecall identity of the reconstruction to the
real signal. Flags override the config (default configs/validate_dorado.json).

  --config FILE           JSON config (sections pod5, ckpt_final, out_dir,
                          window, model, dorado, ...)
  --pod5 FILE|DIR         [pod5] the reads (a folder: every .pod5 under it)
  --ckpt DIR              [ckpt_final] a checkpoint_<step> folder, a run folder
                          (its newest) or a codec export
  --out-dir DIR           [out_dir] where real.pod5, generated.pod5, report.json,
                          report.md, reconstruction.svg (and FASTQs) go
  --reads N               [reads] the first N reads
  --read-ids FILE         [read_ids] the reads listed (one id per line, or CSV)
  --trim-mode full|drop|pad   [trim_mode] full: every sample (default);
                          drop/pad: the original project's modes
  --dorado-bin PATH       [dorado.bin] Dorado (default: dorado on PATH)
  --dorado-model NAME     [dorado.model] model name or folder (default hac)
  --device D              [dorado.device] e.g. cuda:all or cpu
  --reference REF.fa      [reference] map both basecall sets with minimap2
  --backend B             [backend] auto|tensorflow|webgpu|wasm|cpu
  --workers N             [workers] codec Workers (default: cores, at most 4)
  --force                 write into a non-empty output folder
  -h, --help              show this help`;

/** What this task's flags change about the library's refusals, by reason. */
export const FLAG_HINTS: FlagHints = {
  output_in_input_folder: ": choose another --out-dir",
  output_not_empty: " (use --force to write into it)",
  no_pod5: " (--pod5)",
  no_out_dir: " (--out-dir)",
  program_not_found: " (check --dorado-bin)",
};

/** The flags that set config keys. */
const VALIDATE_FLAGS: FlagTable = [
  { flag: "pod5", key: "pod5", kind: "path" },
  { flag: "ckpt", key: "ckpt_final", kind: "path" },
  { flag: "out-dir", key: "out_dir", kind: "path" },
  { flag: "reads", key: "reads", kind: "integer", min: 1 },
  { flag: "read-ids", key: "read_ids", kind: "path" },
  { flag: "reference", key: "reference", kind: "path" },
  { flag: "trim-mode", key: "trim_mode", kind: "string" },
  { flag: "backend", key: "backend", kind: "string" },
  { flag: "workers", key: "workers", kind: "integer", min: 0 },
  { flag: "dorado-model", key: "dorado.model", kind: "string" },
  { flag: "device", key: "dorado.device", kind: "string" },
  // A path-like Dorado binary resolves against the working folder; a bare name is looked up on PATH.
  { flag: "dorado-bin", key: "dorado.bin", kind: "program" },
];

/**
 * Run the validate task.
 *
 * @param args Flags.
 * @returns The exit code.
 */
export async function run(args: readonly string[]): Promise<number> {
  const flags = parseFlags(args, flagSpecOf(VALIDATE_FLAGS, { string: ["config"], boolean: ["force"] }));
  if (flags.booleans.get("help") === true) {
    console.log(HELP);
    return 0;
  }
  if (flags.positional.length > 0) {
    throw new UsageError(`Cannot validate: unexpected argument "${flags.positional[0]}"`);
  }
  const overrides = overridesFromFlags(VALIDATE_FLAGS, flags, { verb: "validate" });
  const file = flags.strings.get("config") ?? DEFAULT_CONFIG;
  const config = await resolveValidateConfig({ file, overrides });
  if (config.ckpt_final === null) {
    throw new ConfigError("ckpt_final", "give the checkpoint to validate (--ckpt)", { path: file });
  }
  const codec = await loadCodec(config.ckpt_final, { backend: config.backend });
  console.error(
    `checkpoint ${codec.checkpoint.path} (step ${codec.checkpoint.step}); ${describeBackend(codec.backend)}`,
  );
  const kept = formatKeptExport(
    await keepCodecExport(codec.checkpoint.path, { sha256: codec.checkpoint.sha256 }),
    codec.checkpoint.path,
  );
  if (kept !== undefined) console.error(kept);
  const report = await validateCheckpoint({
    config,
    codec,
    configFile: file,
    workers: config.workers ?? defaultWorkers(),
    force: flags.booleans.get("force") === true,
    onStage: (message) => console.error(`${message} ...`),
    onWarning: (message) => console.error(`[warn] ${message}`),
  });
  console.error(formatValidationSummary(report));
  console.log(`report: ${report.outputs["report_md"]}, ${report.outputs["report_json"]}`);
  return 0;
}
