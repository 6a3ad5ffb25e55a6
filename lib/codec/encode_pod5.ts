/**
 * `encodePod5()`: POD5 files → token files. Every sample of every read is
 * coded (short reads and tails included); the model work runs in this
 * thread or on a pool of Workers, and the file is written in read order,
 * byte-identical for any worker count. The files go through the codec's one
 * file pipeline (`_file_pipeline.ts`); this module is its per-read mapper.
 *
 * @module
 */
import { sampleRateToleranceHz } from "../data/mod.ts";
import { adcToPa } from "../pod5/calibration.ts";
import { Pod5Reader } from "../pod5/reader.ts";
import type { Pod5Read } from "../pod5/pod5_read.ts";
import type { RunInfo } from "../pod5/types.ts";
import { type SignalMetrics, SignalMetricsAccumulator } from "../signal/signal_metrics.ts";
import { CodecMismatchError } from "./errors.ts";
import type { CodecPool } from "./codec_pool.ts";
import type { LoadedCodec } from "./load_codec.ts";
import { TokenFileWriter } from "./token_file_writer.ts";
import type { Shard } from "../runtime/shard.ts";
import type { FilePair } from "./_codec_paths.ts";
import { type FileMapper, type ReadWork, runFilePipeline } from "./_file_pipeline.ts";
import type { ModelRunner } from "./_model_runner.ts";
import { decodeReadWith, encodeReadWith, jobCount } from "./_read_jobs.ts";
import {
  type CodecProgress,
  type CodesEncoding,
  DEFAULT_TAIL,
  type EncodedRead,
  type TailStrategy,
  type TokenFileHeader,
} from "./types.ts";

/** Options of {@linkcode encodePod5}. */
export interface EncodePod5Options {
  /** The codec (from `loadCodec`). */
  readonly codec: LoadedCodec;
  /** `packed` (default) or `plain` codes. */
  readonly codes?: CodesEncoding;
  /** How tails are coded. Default {@linkcode DEFAULT_TAIL}. */
  readonly tail?: TailStrategy;
  /** Deno Workers running the model, each with its own backend; 0 (default): this thread. */
  readonly workers?: number;
  /**
   * Run the model on this long-lived pool (of `codec`) instead: `workers` is
   * then ignored, and the pool stays open after the call.
   */
  readonly pool?: CodecPool;
  /** Replace existing outputs. Default false. */
  readonly overwrite?: boolean;
  /** Skip reads at another sample rate (with a warning each) instead of failing. Default false. */
  readonly skipMismatched?: boolean;
  /** Also decode the codes and measure the reconstruction against the input. Default false. */
  readonly verify?: boolean;
  /** Called after every read. */
  readonly onProgress?: (progress: CodecProgress) => void;
  /** Receives warnings (skipped reads). */
  readonly onWarning?: (message: string) => void;
  /** Aborting stops at the next read; no output of the unfinished file is left. */
  readonly signal?: AbortSignal;
  /**
   * Encode only this shard's files (a size-balanced split of the sorted list)
   * and write `shard-I-of-N.json` in the output folder. Default: all files, no manifest.
   */
  readonly shard?: Shard;
}

/** What encoding one file gave. */
export interface EncodedFile {
  /** The POD5 file read (absolute). */
  readonly input: string;
  /** The token file written (absolute), complete: it appears only when whole. */
  readonly output: string;
  /** Reads written to the token file (every sample of each). */
  readonly reads: number;
  /** Reads left out because their sample rate is not the model's (with `skipMismatched`). */
  readonly skippedReads: number;
  /** Samples of the reads written (what decoding gives back). */
  readonly numSamples: number;
  /** Codes written: whole windows' codes plus the tails'. */
  readonly numCodes: number;
  /** Bytes of the codes as stored (range-coded with `packed`, 2 per code with `plain`). */
  readonly codesBytes: number;
  /** Bytes of the whole token file: codes, per-read metadata and the Arrow framing. */
  readonly fileBytes: number;
  /** Bytes of the input POD5 file. */
  readonly inputBytes: number;
  /** Bytes of the input's signal table (VBZ or raw). */
  readonly inputSignalBytes: number;
  /** With `verify`: the reconstruction against the input, in pA, pooled over the file's samples. */
  readonly verification: SignalMetrics | null;
}

/** What an encode run gave, per file and in total. */
export interface EncodeSummary {
  /** Per file, in input order. */
  readonly files: readonly EncodedFile[];
  /** Reads written, over all files. */
  readonly reads: number;
  /** Reads left out for their sample rate, over all files. */
  readonly skippedReads: number;
  /** Samples of the reads written, over all files. */
  readonly numSamples: number;
  /** Bits of the stored codes per sample. */
  readonly bitsPerSampleCodes: number;
  /** Bits of the whole token files per sample. */
  readonly bitsPerSampleFile: number;
  /** The codec's nominal rate: log2(codebook) / hop. */
  readonly nominalBitsPerSample: number;
  /** Bits of the inputs' signal tables per sample (VBZ's rate for VBZ files). */
  readonly inputBitsPerSample: number;
  /** Input bytes / output bytes. */
  readonly compressionRatio: number;
  /** With `verify`: pooled over all files. */
  readonly verification: SignalMetrics | null;
  /** Wall time of the whole call (planning, model and writing), seconds. */
  readonly seconds: number;
  /** With `shard`: the manifest written; otherwise null. */
  readonly shardManifest: string | null;
}

/**
 * Encode a POD5 file, or every POD5 file under a folder (mirrored under
 * `output`), into token files.
 *
 * @example Encode a POD5 file with a checkpoint
 * ```ts
 * import { encodePod5 } from "./encode_pod5.ts";
 * import { loadCodec } from "./load_codec.ts";
 * import { assertEquals } from "@std/assert";
 * import { TINY_CODEC_CONFIG, writeGeneratorCheckpoint } from "../checkpoint/write_generator_checkpoint.ts";
 *
 * const DORADO_5KHZ = "tests/fixtures/pod5/dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5";
 * const dir = await Deno.makeTempDir();
 * await writeGeneratorCheckpoint(dir, { config: TINY_CODEC_CONFIG, step: 1 }); // random weights: enough to run
 * const codec = await loadCodec(dir, { backend: "wasm" });
 * const summary = await encodePod5(DORADO_5KHZ, `${dir}/reads.tokens`, { codec });
 * // One read of 2,048 samples, shorter than a window: coded whole, in ceil(2048 / 20) codes.
 * assertEquals([summary.reads, summary.files[0]?.numCodes], [1, 103]);
 * codec.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param input A POD5 file or a folder.
 * @param output A token file, or a folder.
 * @param options The codec, codes encoding, workers and more.
 * @returns Counts, rates and sizes.
 * @throws {CodecMismatchError} When a read's sample rate is not the model's (unless `skipMismatched`).
 * @throws {InputError} When an output exists (unless `overwrite`) or an input is not POD5.
 */
export async function encodePod5(input: string, output: string, options: EncodePod5Options): Promise<EncodeSummary> {
  const pooled = options.verify === true ? new SignalMetricsAccumulator() : undefined;
  const run = await runFilePipeline(input, output, {
    task: "encode",
    from: ".pod5",
    to: ".tokens",
    open: (pair, { runner }) => EncodeFileMapper.open(pair, runner, { ...options, pooled }),
    tokenBytes: (file) => file.fileBytes,
  }, options);
  return { ...summarise(options.codec, run.files, pooled, run.seconds), shardManifest: run.shardManifest };
}

/** A read's model results, and its samples (for verification). */
interface EncodeResult {
  readonly adc: Int16Array;
  readonly encoded: EncodedRead;
  /** With `verify`: the decoded codes. */
  readonly reconstruction: Int16Array | undefined;
}

/** What the mapper of one file needs beside the pipeline's context. */
interface EncodeFileOptions extends EncodePod5Options {
  /** With `verify`: the run's pooled metrics. */
  readonly pooled: SignalMetricsAccumulator | undefined;
}

/** One POD5 file → one token file, read by read. */
class EncodeFileMapper implements FileMapper<Pod5Read, EncodeResult, EncodedFile> {
  readonly #pair: FilePair;
  readonly #runner: ModelRunner;
  readonly #options: EncodeFileOptions;
  readonly #reader: Pod5Reader;
  readonly #writer: TokenFileWriter;
  readonly #tail: TailStrategy;
  readonly #runs: ReadonlyMap<string, RunInfo>;
  readonly #fileSamples: number;
  readonly #toleranceHz: number;
  readonly #metrics: SignalMetricsAccumulator | undefined;
  #reads = 0;
  #skipped = 0;
  #samples = 0;

  private constructor(
    pair: FilePair,
    runner: ModelRunner,
    options: EncodeFileOptions,
    files: { readonly reader: Pod5Reader; readonly writer: TokenFileWriter },
  ) {
    this.#pair = pair;
    this.#runner = runner;
    this.#options = options;
    this.#reader = files.reader;
    this.#writer = files.writer;
    this.#tail = options.tail ?? DEFAULT_TAIL;
    this.#runs = new Map(files.reader.runInfos.map((run) => [run.acquisitionId, run]));
    this.#fileSamples = files.reader.readMetadata().reduce((n, m) => n + m.numSamples, 0);
    this.#toleranceHz = sampleRateToleranceHz(options.codec.sampleRateHz);
    this.#metrics = options.verify === true ? new SignalMetricsAccumulator() : undefined;
  }

  /** Open the POD5 file and start its token file. */
  static async open(
    pair: FilePair,
    runner: ModelRunner,
    options: EncodeFileOptions,
  ): Promise<EncodeFileMapper> {
    const reader = await Pod5Reader.open(pair.input);
    try {
      const header = tokenHeaderOf(options.codec, reader, {
        codes: options.codes ?? "packed",
        tail: options.tail ?? DEFAULT_TAIL,
      });
      const writer = await TokenFileWriter.create(pair.output, header, { overwrite: options.overwrite === true });
      return new EncodeFileMapper(pair, runner, options, { reader, writer });
    } catch (error) {
      await reader.close();
      throw error;
    }
  }

  reads(): AsyncIterable<Pod5Read> {
    return this.#reader.reads();
  }

  start(read: Pod5Read): ReadWork<EncodeResult> | undefined {
    const { codec } = this.#options;
    if (Math.abs(read.sampleRateHz - codec.sampleRateHz) > this.#toleranceHz) return this.#mismatched(read);
    const adc = read.signal();
    const encoded = encodeReadWith(this.#runner, codec, { adc, calibration: read.calibration }, this.#tail);
    const run = this.#runs.get(read.acquisitionId)!;
    const result = this.#options.verify !== true
      ? encoded.then((e) => ({ adc, encoded: e, reconstruction: undefined }))
      : encoded.then(async (e) => ({
        adc,
        encoded: e,
        reconstruction: await decodeReadWith(
          this.#runner,
          codec,
          { ...e, calibration: read.calibration, numSamples: adc.length, run },
          this.#tail,
        ),
      }));
    return { jobs: jobCount(adc.length, codec, this.#tail), result };
  }

  async finish(read: Pod5Read, result: EncodeResult): Promise<{ numSamples: number; fileFraction: number }> {
    const { codes, normalisation } = result.encoded;
    await this.#writer.addRead({ ...read, normalisation, codes });
    if (result.reconstruction !== undefined) {
      const real = adcToPa(result.adc, read.calibration);
      const generated = adcToPa(result.reconstruction, read.calibration);
      this.#metrics?.add(real, generated);
      this.#options.pooled?.add(real, generated);
    }
    this.#reads++;
    this.#samples += read.numSamples;
    return {
      numSamples: read.numSamples,
      fileFraction: this.#fileSamples === 0 ? 1 : this.#samples / this.#fileSamples,
    };
  }

  async close(): Promise<EncodedFile> {
    const stats = await this.#writer.close();
    const info = this.#reader.info;
    return {
      input: this.#pair.input,
      output: this.#pair.output,
      reads: this.#reads,
      skippedReads: this.#skipped,
      numSamples: stats.numSamples,
      numCodes: stats.numCodes,
      codesBytes: stats.codesBytes,
      fileBytes: stats.fileBytes,
      inputBytes: info.sizeBytes,
      inputSignalBytes: info.signalTableBytes,
      verification: this.#metrics?.result() ?? null,
    };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#writer.abort();
    await this.#reader.close();
  }

  /** A read at another sample rate: refused, or skipped with a warning. */
  #mismatched(read: Pod5Read): undefined {
    const { codec } = this.#options;
    const what = `read ${read.readId} has a sample rate of ${read.sampleRateHz} Hz, the model's is ` +
      `${codec.sampleRateHz} Hz`;
    if (this.#options.skipMismatched !== true) {
      throw new CodecMismatchError(this.#pair.input, `Cannot encode: ${what}`, {
        reason: "sample_rate",
        readId: read.readId,
        sampleRateHz: read.sampleRateHz,
        modelSampleRateHz: codec.sampleRateHz,
      });
    }
    this.#options.onWarning?.(`${this.#pair.input}: ${what}; skipped`);
    this.#skipped++;
    return undefined;
  }
}

/** What a token file made by `codec` from `reader`'s file records once. */
function tokenHeaderOf(
  codec: LoadedCodec,
  reader: Pod5Reader,
  options: { readonly codes: CodesEncoding; readonly tail: TailStrategy },
): TokenFileHeader {
  return {
    codesEncoding: options.codes,
    checkpoint: codec.checkpoint,
    model: codec.model,
    windowSamples: codec.windowSamples,
    hopSamples: codec.hopSamples,
    sampleRateHz: codec.sampleRateHz,
    codebookSize: codec.codebookSize,
    normalisation: codec.normalisation,
    clip: codec.clip,
    tail: options.tail,
    backend: codec.backend.name,
    runInfos: reader.runInfos,
    source: {
      fileIdentifier: reader.info.fileIdentifier,
      software: reader.info.software,
      pod5Version: reader.info.pod5Version,
    },
  };
}

function summarise(
  codec: LoadedCodec,
  files: readonly EncodedFile[],
  pooled: SignalMetricsAccumulator | undefined,
  seconds: number,
): Omit<EncodeSummary, "shardManifest"> {
  const sum = (
    key: keyof Pick<
      EncodedFile,
      "reads" | "skippedReads" | "numSamples" | "codesBytes" | "fileBytes" | "inputBytes" | "inputSignalBytes"
    >,
  ) => files.reduce((n, f) => n + f[key], 0);
  const numSamples = sum("numSamples");
  const perSample = (bytes: number) => numSamples === 0 ? 0 : (8 * bytes) / numSamples;
  return {
    files,
    reads: sum("reads"),
    skippedReads: sum("skippedReads"),
    numSamples,
    bitsPerSampleCodes: perSample(sum("codesBytes")),
    bitsPerSampleFile: perSample(sum("fileBytes")),
    nominalBitsPerSample: Math.log2(codec.codebookSize) / codec.hopSamples,
    inputBitsPerSample: perSample(sum("inputSignalBytes")),
    compressionRatio: sum("fileBytes") === 0 ? 0 : sum("inputBytes") / sum("fileBytes"),
    verification: pooled?.result() ?? null,
    seconds,
  };
}
