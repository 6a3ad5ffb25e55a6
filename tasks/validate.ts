/**
 * `deno task validate [flags]`: reconstruct reads with a checkpoint, score
 * them, and basecall both with Dorado where it is installed.
 *
 * @module
 */
import { fromFileUrl, resolve } from "@std/path";
import { loadCodec } from "../lib/codec/load_codec.ts";
import { parseFlags, UsageError } from "../lib/runtime/args.ts";
import { describeBackend } from "../lib/runtime/backend.ts";
import type { RawConfig } from "../lib/runtime/config.ts";
import type { FlagHints } from "../lib/runtime/error_report.ts";
import { ConfigError } from "../lib/runtime/errors.ts";
import { defaultWorkers } from "../lib/runtime/file_task_flags.ts";
import { resolveValidateConfig } from "../lib/validate/validate_config.ts";
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
  --ckpt DIR              [ckpt_final] a checkpoint_<step> folder or a run folder
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

const FLAG_KEYS: Readonly<Record<string, readonly [string, ...string[]]>> = {
  "pod5": ["pod5"],
  "ckpt": ["ckpt_final"],
  "out-dir": ["out_dir"],
  "read-ids": ["read_ids"],
  "reference": ["reference"],
  "trim-mode": ["trim_mode"],
  "backend": ["backend"],
  "dorado-model": ["dorado", "model"],
  "device": ["dorado", "device"],
  "dorado-bin": ["dorado", "bin"],
};
const PATH_FLAGS = new Set(["pod5", "ckpt", "out-dir", "read-ids", "reference"]);

/**
 * Run the validate task.
 *
 * @param args Flags.
 * @returns The exit code.
 */
export async function run(args: readonly string[]): Promise<number> {
  const flags = parseFlags(args, {
    string: ["config", "reads", "workers", ...Object.keys(FLAG_KEYS)],
    boolean: ["force"],
  });
  if (flags.booleans.get("help") === true) {
    console.log(HELP);
    return 0;
  }
  if (flags.positional.length > 0) {
    throw new UsageError(`Cannot validate: unexpected argument "${flags.positional[0]}"`);
  }
  const overrides: Record<string, unknown> = {};
  for (const [flag, keys] of Object.entries(FLAG_KEYS)) {
    const text = flags.strings.get(flag);
    if (text === undefined) continue;
    // A path-like Dorado binary resolves against the working folder; a bare name is looked up on PATH.
    const value = PATH_FLAGS.has(flag) || (flag === "dorado-bin" && text.includes("/")) ? resolve(text) : text;
    const [first, second] = keys;
    if (second === undefined) overrides[first] = value;
    else overrides[first] = { ...(overrides[first] as RawConfig | undefined), [second]: value };
  }
  for (const flag of ["reads", "workers"]) {
    const text = flags.strings.get(flag);
    if (text === undefined) continue;
    const n = Number(text);
    if (!Number.isInteger(n) || n < (flag === "reads" ? 1 : 0)) {
      throw new UsageError(
        `Cannot validate: --${flag} needs ${flag === "reads" ? "a positive" : "a non-negative"} integer`,
      );
    }
    overrides[flag] = n;
  }
  const file = flags.strings.get("config") ?? DEFAULT_CONFIG;
  const config = await resolveValidateConfig({ file, overrides });
  if (config.ckpt_final === null) {
    throw new ConfigError("ckpt_final", "give the checkpoint to validate (--ckpt)", { path: file });
  }
  const codec = await loadCodec(config.ckpt_final, { backend: config.backend });
  console.error(
    `checkpoint ${codec.checkpoint.path} (step ${codec.checkpoint.step}); ${describeBackend(codec.backend)}`,
  );
  const report = await validateCheckpoint({
    config,
    codec,
    configFile: file,
    workers: config.workers ?? defaultWorkers(),
    force: flags.booleans.get("force") === true,
    onStage: (message) => console.error(`${message} ...`),
    onWarning: (message) => console.error(`[warn] ${message}`),
  });
  const o = report.overall;
  console.error(
    `${report.reads.length} reads: SNR ${o.pooled.snr_db.toFixed(2)} dB pooled (median baseline ` +
      `${o.pooled.baseline_snr_db.toFixed(2)} dB), MAE ${o.pooled.mae_pa.toFixed(2)} pA; codes ` +
      `${report.codes.bits_per_sample.toFixed(4)} bits/sample` +
      (o.identity === null
        ? ""
        : `; basecall identity ${(100 * (o.identity.bonito.median ?? 0)).toFixed(2)} % (median)`),
  );
  console.log(`report: ${report.outputs["report_md"]}, ${report.outputs["report_json"]}`);
  return 0;
}
