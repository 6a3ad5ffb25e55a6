/**
 * The stages of `validateCheckpoint` (select, reconstruct, score, basecall,
 * map), each returning its section of the report.
 *
 * @module
 */
import { decodeTokens } from "../codec/decode_tokens.ts";
import { encodePod5, type EncodeSummary } from "../codec/encode_pod5.ts";
import type { LoadedCodec } from "../codec/load_codec.ts";
import { TokenFileReader } from "../codec/token_file_reader.ts";
import { sampleRateToleranceHz } from "../data/mod.ts";
import { codebookStats, countCodes } from "../model/codebook_stats.ts";
import { writeFileAtomic } from "../runtime/atomic_file.ts";
import { InputError } from "../runtime/errors.ts";
import {
  basecallAndAlign,
  type Basecaller,
  type BasecallResult,
  doradoBasecaller,
  type ReadReferenceIdentity,
  referenceIdentity,
} from "./basecall_identity.ts";
import type { OUTPUT_FILES } from "./output_files.ts";
import { reconstructionSvg } from "./reconstruction_svg.ts";
import { compareSignals, type SignalComparison } from "./signal_report.ts";
import { type SelectedReads, writeRealPod5 } from "./select_reads.ts";
import type { ValidateConfig } from "./validate_config.ts";

/** What every stage works with: the options, the checked inputs and the output paths. */
export interface ValidationRun {
  /** Codec Workers, the basecaller given (if any), force. */
  readonly options: { readonly workers?: number; readonly basecaller?: Basecaller };
  readonly config: ValidateConfig;
  readonly codec: LoadedCodec;
  readonly inputs: readonly string[];
  readonly outDir: string;
  readonly out: Readonly<Record<keyof typeof OUTPUT_FILES, string>>;
  readonly stage: (message: string) => void;
  readonly warn: (message: string) => void;
}

/** Select: the reads to validate, cut as `trim_mode` says, into real.pod5. */
export async function selectStage(run: ValidationRun): Promise<SelectedReads> {
  const { config, codec } = run;
  run.stage(`selecting reads (${config.trim_mode})`);
  return await writeRealPod5(run.inputs, run.out.real_pod5, {
    windowSamples: codec.windowSamples,
    trimMode: config.trim_mode,
    sampleRateHz: codec.sampleRateHz,
    toleranceHz: sampleRateToleranceHz(codec.sampleRateHz),
    reads: config.reads,
    readIdsFile: config.read_ids,
    onWarning: run.warn,
  });
}

/** Reconstruct: real.pod5 → real.tokens → generated.pod5, through the codec's own pipelines. */
export async function reconstructStage(run: ValidationRun, selection: SelectedReads): Promise<EncodeSummary> {
  const { codec } = run;
  run.stage(`reconstructing ${selection.reads} reads (${selection.numSamples.toLocaleString("en-US")} samples)`);
  const workers = run.options.workers ?? 0;
  const encoded = await encodePod5(run.out.real_pod5, run.out.tokens, { codec, workers, overwrite: true });
  await decodeTokens(run.out.tokens, run.out.generated_pod5, { codec, workers, overwrite: true });
  return encoded;
}

/** What the score stage gives: the signal comparison and the codebook's use. */
export interface ScoreSection {
  readonly signal: SignalComparison;
  readonly usage: number;
  readonly perplexity: number;
}

/** Score: the signal per read and pooled, the picture, and the codes' usage and perplexity. */
export async function scoreStage(run: ValidationRun): Promise<ScoreSection> {
  run.stage("scoring the signal");
  const signal = await compareSignals(run.out.real_pod5, run.out.generated_pod5);
  const { path: ckptPath, step, sha256 } = run.codec.checkpoint;
  const caption = `checkpoint ${ckptPath} · step ${step} · generator sha256 ${sha256.slice(0, 12)}`;
  await writeFileAtomic(run.out.svg, reconstructionSvg(signal.traces, { caption }));
  const counts = new Uint32Array(run.codec.codebookSize);
  {
    await using tokens = await TokenFileReader.open(run.out.tokens);
    for await (const read of tokens.reads()) {
      const c = countCodes(read.codes, run.codec.codebookSize);
      for (let i = 0; i < c.length; i++) counts[i]! += c[i]!;
    }
  }
  const stats = codebookStats(counts);
  return { signal, usage: stats.usage, perplexity: stats.perplexity };
}

/** What the basecall stage gives: the calls and identities, or why there are none. */
export interface BasecallSection {
  readonly basecalls: BasecallResult | undefined;
  /** Why basecalling was skipped. */
  readonly reason: string | undefined;
  /** The Dorado binary the report names (null when none was given nor found). */
  readonly bin: string | null;
}

/** Basecall: both files with the given basecaller, or Dorado as configured (skipped when it is not there). */
export async function basecallStage(run: ValidationRun): Promise<BasecallSection> {
  const { config } = run;
  const doradoBin = config.dorado.bin ?? "dorado";
  let basecaller = run.options.basecaller;
  if (basecaller === undefined) {
    if (config.dorado.bin === null && !await toolAvailable(doradoBin)) {
      const reason = "dorado is not on PATH; install ONT Dorado and a model, or give --dorado-bin, to basecall";
      run.warn(`skipped basecalling: ${reason}`);
      return { basecalls: undefined, reason, bin: null };
    }
    basecaller = doradoBasecaller({
      bin: doradoBin,
      model: config.dorado.model,
      device: config.dorado.device,
      outDir: run.outDir,
    });
  }
  try {
    const basecalls = await basecallAndAlign(run.out.real_pod5, run.out.generated_pod5, {
      basecaller,
      outDir: run.outDir,
      onStage: run.stage,
    });
    return { basecalls, reason: undefined, bin: doradoBin };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      const program = run.options.basecaller === undefined ? doradoBin : basecaller.label;
      throw new InputError("Cannot basecall: no such program", { path: program, reason: "program_not_found" });
    }
    throw error;
  }
}

/** What the map stage gives: identities to the reference, or why there are none. */
export interface MapSection {
  readonly reference: ReadonlyMap<string, ReadReferenceIdentity> | undefined;
  readonly reason: string | undefined;
}

/** Map: both call sets to `reference` with minimap2, when one is given. */
export async function mapStage(run: ValidationRun, basecalls: BasecallResult | undefined): Promise<MapSection> {
  const { config } = run;
  if (config.reference === null) return { reference: undefined, reason: undefined };
  let reason: string | undefined;
  if (basecalls === undefined) {
    reason = "no basecalls to map (Dorado did not run)";
  } else if (!await toolAvailable("minimap2")) {
    reason = "minimap2 is not on PATH; install it (Debian: apt-get install minimap2) to map to the reference";
  } else {
    run.stage(`mapping both basecall sets to ${config.reference} with minimap2`);
    const reference = await referenceIdentity(basecalls, {
      bin: "minimap2",
      reference: config.reference,
      outDir: run.outDir,
    });
    return { reference, reason: undefined };
  }
  run.warn(`skipped the reference identity: ${reason}`);
  return { reference: undefined, reason };
}

/** Whether `bin` runs (`bin --version`). */
export async function toolAvailable(bin: string): Promise<boolean> {
  try {
    await new Deno.Command(bin, { args: ["--version"], stdin: "null", stdout: "null", stderr: "null" }).output();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
