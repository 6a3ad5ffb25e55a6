/**
 * `validateCheckpoint()`: what a checkpoint is worth on real reads. It cuts
 * the selected reads into `real.pod5`, reconstructs them through exactly the
 * codec's encode → decode path (`real.tokens`, `generated.pod5`), scores the
 * signal, draws `reconstruction.svg`, basecalls both files with Dorado when
 * it is there, maps both to a reference with minimap2 when one is given, and
 * writes `report.json` and `report.md`.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "@std/path";
import { decodeTokens } from "../codec/decode_tokens.ts";
import { encodePod5 } from "../codec/encode_pod5.ts";
import type { LoadedCodec } from "../codec/load_codec.ts";
import { TokenFileReader } from "../codec/token_file_reader.ts";
import { sampleRateToleranceHz } from "../data/mod.ts";
import { codebookStats, countCodes } from "../model/codebook_stats.ts";
import { writeFileAtomic } from "../runtime/atomic_file.ts";
import { ConfigError, InputError } from "../runtime/errors.ts";
import { findFiles } from "../runtime/find_files.ts";
import { VERSION } from "../version.ts";
import {
  basecallAndAlign,
  type BasecallResult,
  type ReadReferenceIdentity,
  referenceIdentity,
} from "./basecall_identity.ts";
import { reconstructionSvg } from "./reconstruction_svg.ts";
import { reportMarkdown } from "./report_markdown.ts";
import { compareSignals } from "./signal_report.ts";
import { writeRealPod5 } from "./select_reads.ts";
import type { ReportRead, Summary, ValidationReport } from "./types.ts";
import type { ValidateConfig } from "./validate_config.ts";

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
  /** Stage messages (reconstructing, basecalling, ...). */
  readonly onStage?: (message: string) => void;
  /** Warnings and skipped steps. */
  readonly onWarning?: (message: string) => void;
}

/** The output files, by role. */
export const OUTPUT_FILES = {
  real_pod5: "real.pod5",
  tokens: "real.tokens",
  generated_pod5: "generated.pod5",
  svg: "reconstruction.svg",
  report_json: "report.json",
  report_md: "report.md",
} as const;

/** How the report's SNRs are defined (written into it). */
export const SNR_DEFINITION = "per read: 10·log10(variance of the real read in pA / mean squared error); pooled: " +
  "10·log10(Σ over reads of Σ (x − mean of its read)² / Σ (x − x̂)²); the baseline predicts each read's median";

function summary(values: readonly (number | null)[]): Summary {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return { mean: null, median: null };
  const mid = finite.length >> 1;
  return {
    mean: finite.reduce((a, b) => a + b, 0) / finite.length,
    median: finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2,
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

async function toolAvailable(bin: string): Promise<boolean> {
  try {
    await new Deno.Command(bin, { args: ["--version"], stdin: "null", stdout: "null", stderr: "null" }).output();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Validate a checkpoint on the configured reads.
 *
 * @param options The config, the codec, workers and sinks.
 * @returns The report (also written as report.json and report.md).
 * @throws {ConfigError} When the config's window or model does not match the checkpoint.
 * @throws {InputError} When the inputs or the output folder are unusable.
 * @throws {ToolError} When Dorado or minimap2 fails.
 */
export async function validateCheckpoint(options: ValidateCheckpointOptions): Promise<ValidationReport> {
  const { config, codec } = options;
  const stage = options.onStage ?? (() => {});
  const warn = options.onWarning ?? (() => {});
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
    throw new InputError(
      `Cannot read input: ${error instanceof Deno.errors.NotFound ? "not found" : error}`,
      {
        path: config.pod5 ?? undefined,
      },
    );
  });
  const inputs = info.isDirectory ? await findFiles(pod5, ".pod5") : [pod5];
  if (inputs.length === 0) {
    throw new InputError(
      `Cannot validate: no .pod5 files under it`,
      { path: pod5 },
    );
  }
  await checkOutDir(outDir, inputs, options.force === true);
  await Deno.mkdir(outDir, { recursive: true });
  const out = Object.fromEntries(Object.entries(OUTPUT_FILES).map(([k, v]) => [k, join(outDir, v)])) as Record<
    keyof typeof OUTPUT_FILES,
    string
  >;

  stage(`selecting reads (${config.trim_mode})`);
  const selection = await writeRealPod5(inputs, out.real_pod5, {
    windowSamples: codec.windowSamples,
    trimMode: config.trim_mode,
    sampleRateHz: codec.sampleRateHz,
    toleranceHz: sampleRateToleranceHz(codec.sampleRateHz),
    reads: config.reads,
    readIdsFile: config.read_ids,
    onWarning: warn,
  });
  stage(`reconstructing ${selection.reads} reads (${selection.numSamples.toLocaleString("en-US")} samples)`);
  const workers = options.workers ?? 0;
  const encoded = await encodePod5(out.real_pod5, out.tokens, { codec, workers, overwrite: true });
  await decodeTokens(out.tokens, out.generated_pod5, { codec, workers, overwrite: true });

  stage("scoring the signal");
  const signal = await compareSignals(out.real_pod5, out.generated_pod5);
  await writeFileAtomic(out.svg, reconstructionSvg(signal.traces));
  const counts = new Uint32Array(codec.codebookSize);
  {
    await using tokens = await TokenFileReader.open(out.tokens);
    for await (const read of tokens.reads()) {
      const c = countCodes(read.codes, codec.codebookSize);
      for (let i = 0; i < c.length; i++) counts[i]! += c[i]!;
    }
  }
  const codeStats = codebookStats(counts);

  // Dorado.
  const doradoBin = config.dorado.bin ?? "dorado";
  let basecalls: BasecallResult | undefined;
  let doradoReason: string | undefined;
  if (config.dorado.bin === null && !await toolAvailable(doradoBin)) {
    doradoReason = "dorado is not on PATH; install ONT Dorado and a model, or give --dorado-bin, to basecall";
    warn(`skipped basecalling: ${doradoReason}`);
  } else {
    try {
      basecalls = await basecallAndAlign(out.real_pod5, out.generated_pod5, {
        bin: doradoBin,
        model: config.dorado.model,
        device: config.dorado.device,
        outDir,
        onStage: stage,
      });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new InputError(
          "Cannot basecall: no such program",
          {
            path: doradoBin,
            reason: "program_not_found",
          },
        );
      }
      throw error;
    }
  }

  // minimap2.
  let reference: Map<string, ReadReferenceIdentity> | undefined;
  let minimapReason: string | undefined;
  if (config.reference !== null) {
    if (basecalls === undefined) {
      minimapReason = "no basecalls to map (Dorado did not run)";
    } else if (!await toolAvailable("minimap2")) {
      minimapReason = "minimap2 is not on PATH; install it (Debian: apt-get install minimap2) to map to the reference";
    } else {
      stage(`mapping both basecall sets to ${config.reference} with minimap2`);
      reference = await referenceIdentity(basecalls, { bin: "minimap2", reference: config.reference, outDir });
    }
    if (minimapReason !== undefined) warn(`skipped the reference identity: ${minimapReason}`);
  }

  const reads: ReportRead[] = signal.reads.map((read) => ({
    ...read,
    identity: basecalls?.identity.get(read.read_id) ?? null,
    reference: reference?.get(read.read_id) ?? null,
  }));
  const identities = [...(basecalls?.identity.values() ?? [])];
  const referenceValues = [...(reference?.values() ?? [])];
  const report: ValidationReport = {
    version: VERSION,
    checkpoint: { path: codec.checkpoint.path, sha256: codec.checkpoint.sha256, step: codec.checkpoint.step },
    inputs,
    trim_mode: config.trim_mode,
    selection: {
      reads: selection.reads,
      reads_seen: selection.readsSeen,
      dropped_short: selection.droppedShort,
      skipped_sample_rate: selection.skippedRate,
      num_samples: selection.numSamples,
    },
    reads,
    overall: {
      snr_definition: SNR_DEFINITION,
      pooled: signal.pooled,
      per_read: {
        snr_db: summary(signal.reads.map((r) => r.snr_db)),
        baseline_snr_db: summary(signal.reads.map((r) => r.baseline_snr_db)),
        mae_pa: summary(signal.reads.map((r) => r.mae_pa)),
        rmse_pa: summary(signal.reads.map((r) => r.rmse_pa)),
        pearson_r: summary(signal.reads.map((r) => r.pearson_r)),
      },
      identity: basecalls === undefined ? null : {
        reads: identities.length,
        bonito: summary(identities.map((i) => i.bonito)),
        edit: summary(identities.map((i) => i.edit)),
        mapped_fraction: basecalls.calledReal === 0 ? 0 : identities.length / basecalls.calledReal,
        length_ratio: summary(identities.map((i) => (i.real_length === 0 ? null : i.generated_length / i.real_length))),
      },
      reference: reference === undefined ? null : {
        real: summary(referenceValues.map((r) => r.real)),
        generated: summary(referenceValues.map((r) => r.generated)),
        difference: summary(referenceValues.map((r) => r.difference)),
        mapped_real: referenceValues.filter((r) => r.real !== null).length,
        mapped_generated: referenceValues.filter((r) => r.generated !== null).length,
        paired_reads: referenceValues.filter((r) => r.difference !== null).length,
      },
    },
    codes: {
      usage: codeStats.usage,
      perplexity: codeStats.perplexity,
      bits_per_sample: encoded.bitsPerSampleCodes,
      bits_per_sample_file: encoded.bitsPerSampleFile,
      nominal_bits_per_sample: encoded.nominalBitsPerSample,
      codebook_size: codec.codebookSize,
    },
    dorado: {
      ran: basecalls !== undefined,
      bin: basecalls === undefined && config.dorado.bin === null ? null : doradoBin,
      model: config.dorado.model,
      device: config.dorado.device,
      ...(doradoReason === undefined ? {} : { reason: doradoReason }),
      real_fastq: basecalls?.realFastq ?? null,
      generated_fastq: basecalls?.generatedFastq ?? null,
      reads_called_real: basecalls?.calledReal ?? 0,
      reads_called_generated: basecalls?.calledGenerated ?? 0,
      only_in_real: basecalls?.onlyReal ?? [],
      only_in_generated: basecalls?.onlyGenerated ?? [],
    },
    minimap2: {
      ran: reference !== undefined,
      reference: config.reference,
      ...(minimapReason === undefined ? {} : { reason: minimapReason }),
    },
    outputs: out,
  };
  await writeFileAtomic(out.report_json, JSON.stringify(report, null, 1) + "\n");
  await writeFileAtomic(out.report_md, reportMarkdown(report));
  return report;
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
