/**
 * `validateCheckpoint()`: what a checkpoint is worth on real reads, in
 * stages that each return their section of the report: select the reads
 * into `real.pod5`; reconstruct them through exactly the codec's encode →
 * decode path (`real.tokens`, `generated.pod5`); score the signal (and draw
 * `reconstruction.svg`); basecall both files (Dorado, or any
 * {@linkcode Basecaller}); map both call sets to a reference with minimap2;
 * assemble and write `report.json` and `report.md`.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "@std/path";
import type { LoadedCodec } from "../codec/load_codec.ts";
import { writeFileAtomic } from "../runtime/atomic_file.ts";
import { ConfigError, InputError } from "../runtime/errors.ts";
import { findFiles } from "../runtime/find_files.ts";
import { assembleReport } from "./_assemble_report.ts";
import { OUTPUT_FILES } from "./output_files.ts";
import { reportMarkdown } from "./report_markdown.ts";
import type { ValidationReport } from "./types.ts";
import type { Basecaller } from "./basecall_identity.ts";
import type { ValidateConfig } from "./validate_config.ts";
import {
  basecallStage,
  mapStage,
  reconstructStage,
  scoreStage,
  selectStage,
  type ValidationRun,
} from "./_validate_stages.ts";

export { OUTPUT_FILES, SNR_DEFINITION } from "./output_files.ts";

/** Options of {@linkcode validateCheckpoint}. */
export interface ValidateCheckpointOptions {
  /** The parsed config (`pod5` and `out_dir` must be set). */
  readonly config: ValidateConfig;
  /** The codec of `config.ckpt_final`. */
  readonly codec: LoadedCodec;
  /** The config file the config came from (named in config errors). */
  readonly configFile?: string;
  /** Codec Workers. Default 0 (this thread). */
  readonly workers?: number;
  /** Write into a non-empty output folder. Default false. */
  readonly force?: boolean;
  /**
   * Who basecalls both files. Default: Dorado as `config.dorado` says (skipped,
   * with a warning, when no binary is given and `dorado` is not on PATH).
   */
  readonly basecaller?: Basecaller;
  /** Stage messages (reconstructing, basecalling, ...). */
  readonly onStage?: (message: string) => void;
  /** Warnings and skipped steps. */
  readonly onWarning?: (message: string) => void;
}

/**
 * Validate a checkpoint on the configured reads.
 *
 * @param options The config, the codec, workers, the basecaller and sinks.
 * @returns The report (also written as report.json and report.md).
 * @throws {ConfigError} When the config's window or model does not match the checkpoint.
 * @throws {InputError} When the inputs or the output folder are unusable.
 * @throws {ToolError} When the basecaller or minimap2 fails.
 */
export async function validateCheckpoint(options: ValidateCheckpointOptions): Promise<ValidationReport> {
  const run = await prepareRun(options);
  const selection = await selectStage(run);
  const encoded = await reconstructStage(run, selection);
  const score = await scoreStage(run);
  const basecall = await basecallStage(run);
  const mapping = await mapStage(run, basecall.basecalls);
  const report = assembleReport(run, { selection, encoded, score, basecall, mapping });
  await writeFileAtomic(run.out.report_json, JSON.stringify(report, null, 1) + "\n");
  await writeFileAtomic(run.out.report_md, reportMarkdown(report));
  return report;
}

/** Check the config against the checkpoint, find the inputs, check and create the output folder. */
async function prepareRun(options: ValidateCheckpointOptions): Promise<ValidationRun> {
  const { config, codec } = options;
  const path = options.configFile;
  if (config.pod5 === null) {
    throw new ConfigError("pod5", "give the POD5 file or folder to validate on", { path, reason: "no_pod5" });
  }
  if (config.out_dir === null) {
    throw new ConfigError("out_dir", "give the output folder", { path, reason: "no_out_dir" });
  }
  checkAgainstCheckpoint(config, codec, options.configFile);
  const outDir = resolve(config.out_dir);
  const pod5 = resolve(config.pod5);
  const info = await Deno.stat(pod5).catch((error) => {
    throw new InputError(`Cannot read input: ${error instanceof Deno.errors.NotFound ? "not found" : error}`, {
      path: config.pod5 ?? undefined,
    });
  });
  const inputs = info.isDirectory ? await findFiles(pod5, ".pod5") : [pod5];
  if (inputs.length === 0) throw new InputError("Cannot validate: no .pod5 files under it", { path: pod5 });
  await checkOutDir(outDir, inputs, options.force === true);
  await Deno.mkdir(outDir, { recursive: true });
  const out = Object.fromEntries(Object.entries(OUTPUT_FILES).map(([k, v]) => [k, join(outDir, v)])) as Record<
    keyof typeof OUTPUT_FILES,
    string
  >;
  return {
    options,
    config,
    codec,
    inputs,
    outDir,
    out,
    stage: options.onStage ?? (() => {}),
    warn: options.onWarning ?? (() => {}),
  };
}

async function checkOutDir(outDir: string, inputs: readonly string[], force: boolean): Promise<void> {
  for (const input of inputs) {
    if (resolve(dirname(input)) === outDir) {
      throw new InputError(
        `Cannot validate into the folder of the input ${basename(input)}`,
        { path: outDir, reason: "output_in_input_folder" },
      );
    }
  }
  try {
    for await (const _ of Deno.readDir(outDir)) {
      if (force) return;
      throw new InputError(
        "Cannot validate: the output folder is not empty",
        { path: outDir, reason: "output_not_empty" },
      );
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

function checkAgainstCheckpoint(config: ValidateConfig, codec: LoadedCodec, path: string | undefined): void {
  const { segment_sec, sample_rate } = config.window;
  if (sample_rate !== null && sample_rate !== codec.sampleRateHz) {
    throw new ConfigError(
      "window.sample_rate",
      `is ${sample_rate} Hz, the checkpoint was trained at ${codec.sampleRateHz} Hz`,
    );
  }
  if (segment_sec !== null) {
    const samples = Math.round(segment_sec * (sample_rate ?? codec.sampleRateHz));
    if (samples !== codec.windowSamples) {
      throw new ConfigError(
        "window.segment_sec",
        `${segment_sec} s is ${samples} samples, the checkpoint's window is ${codec.windowSamples}`,
        { path },
      );
    }
  }
  for (const [key, value] of Object.entries(config.model ?? {})) {
    const actual: unknown = Reflect.get(codec.model, key);
    if (JSON.stringify(actual) !== JSON.stringify(value)) {
      throw new ConfigError(
        `model.${key}`,
        `is ${JSON.stringify(value)}, the checkpoint's model has ${JSON.stringify(actual)}`,
      );
    }
  }
}
