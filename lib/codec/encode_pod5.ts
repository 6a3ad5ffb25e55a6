/**
 * `encodePod5()`: POD5 files → token files. Every sample of every read is
 * coded (short reads and tails included); the model work runs in this
 * thread or on a pool of Workers, and the file is written in read order,
 * byte-identical for any worker count.
 *
 * @module
 */
import { sampleRateToleranceHz } from "../data/_file_plan.ts";
import { adcToPa } from "../pod5/calibration.ts";
import { Pod5Reader } from "../pod5/reader.ts";
import type { Pod5Read } from "../pod5/pod5_read.ts";
import { type SignalMetrics, SignalMetricsAccumulator } from "../signal/signal_metrics.ts";
import { CodecMismatchError } from "./errors.ts";
import type { CodecPool } from "./codec_pool.ts";
import type { LoadedCodec } from "./load_codec.ts";
import { TokenFileWriter } from "./token_file_writer.ts";
import type { Shard } from "../runtime/shard.ts";
import { shardManifestOf, shardManifestPath, writeShardManifest } from "./shard_manifest.ts";
import { makeOutputFolders, planFiles } from "./_codec_paths.ts";
import { type ModelRunner, startRunner } from "./_model_runner.ts";
import { decodeReadWith, encodeReadWith, jobCount } from "./_read_jobs.ts";
import type { EncodedRead } from "./read_codec.ts";
import type { CodecProgress, CodesEncoding, TailStrategy } from "./types.ts";

/** The tail strategy chosen by measurement (README, "How tails are coded"). */
export const DEFAULT_TAIL: TailStrategy = "short";

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
  /** The POD5 file. */
  readonly input: string;
  /** The token file written. */
  readonly output: string;
  /** Reads encoded. */
  readonly reads: number;
  /** Reads skipped (other sample rate). */
  readonly skippedReads: number;
  /** Samples encoded. */
  readonly numSamples: number;
  /** Codes written. */
  readonly numCodes: number;
  /** Bytes of the codes as stored. */
  readonly codesBytes: number;
  /** Bytes of the token file. */
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
  /** Reads encoded. */
  readonly reads: number;
  /** Reads skipped. */
  readonly skippedReads: number;
  /** Samples encoded. */
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
  /** Wall time, seconds. */
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
 * import { initBackend } from "../runtime/backend.ts";
 * import { parseConfig } from "../runtime/config.ts";
 * import { trainModel } from "../train/loop.ts";
 *
 * const DORADO_5KHZ = "tests/fixtures/pod5/dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5";
 * const dir = await Deno.makeTempDir();
 * const config = parseConfig({ // a tiny model, one training step: a real checkpoint in a second
 *   train: { max_steps: 1, batch_size: 2, grad_accum_steps: 1, backend: "wasm" },
 *   model: { enc_channels: [4, 4], enc_down_strides: [20], dec_channels: [4, 4], dec_up_strides: [20], latent_dim: 4 },
 *   data: { files: [DORADO_5KHZ], segment_samples: 400, segment_sec: null, loader_workers: 0 },
 *   checkpoint: { dir },
 * });
 * await trainModel({ config, backend: await initBackend("wasm") });
 * const codec = await loadCodec(dir, { backend: "wasm" });
 * const summary = await encodePod5(DORADO_5KHZ, `${dir}/reads.tokens`, { codec });
 * // One read of 2,048 samples, shorter than a window: coded whole, in ceil(2048 / 20) codes.
 * if (summary.reads !== 1 || summary.files[0]!.numCodes !== 103) throw new Error("unexpected");
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
  const started = performance.now();
  const plan = await planFiles(input, output, {
    from: ".pod5",
    to: ".tokens",
    shard: options.shard,
    ...(options.overwrite === undefined ? {} : { overwrite: options.overwrite }),
  });
  const { pairs } = plan;
  const manifest = options.shard === undefined
    ? null
    : await shardManifestPath(plan.outputRoot, options.shard, options.overwrite === true);
  await makeOutputFolders(pairs);
  const sizes = await Promise.all(pairs.map(async (pair) => (await Deno.stat(pair.input)).size));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const runner = options.pool?.runnerFor(options.codec, { signal: options.signal }) ??
    await startRunner(options.codec, options.workers ?? 0);
  const files: EncodedFile[] = [];
  const counters = { reads: 0, samples: 0, bytesDone: 0 };
  const pooled = options.verify === true ? new SignalMetricsAccumulator() : undefined;
  try {
    for (const [fileIndex, pair] of pairs.entries()) {
      const report = (fractionOfFile: number, file: string) =>
        options.onProgress?.({
          file,
          fileIndex,
          files: pairs.length,
          reads: counters.reads,
          samples: counters.samples,
          fraction: totalBytes === 0 ? 1 : (counters.bytesDone + fractionOfFile * sizes[fileIndex]!) / totalBytes,
          elapsedMs: performance.now() - started,
        });
      files.push(await encodeFile(pair.input, pair.output, { ...options, runner, counters, report, pooled }));
      counters.bytesDone += sizes[fileIndex]!;
    }
  } finally {
    await runner.close();
  }
  const seconds = (performance.now() - started) / 1000;
  if (manifest !== null && options.shard !== undefined) {
    await Deno.mkdir(plan.outputRoot, { recursive: true });
    const results = files.map((f) => ({ ...f, tokenBytes: f.fileBytes }));
    const job = { task: "encode", shard: options.shard, ...plan } as const;
    await writeShardManifest(manifest, shardManifestOf(job, results, seconds));
  }
  return { ...summarise(options.codec, files, pooled, seconds), shardManifest: manifest };
}

interface FileContext extends EncodePod5Options {
  readonly runner: ModelRunner;
  readonly counters: { reads: number; samples: number };
  readonly report: (fractionOfFile: number, file: string) => void;
  readonly pooled: SignalMetricsAccumulator | undefined;
}

interface InFlight {
  readonly read: Pod5Read;
  readonly adc: Int16Array;
  readonly encoded: Promise<EncodedRead>;
  readonly reconstruction: Promise<Int16Array> | undefined;
  readonly jobs: number;
}

async function encodeFile(input: string, output: string, context: FileContext): Promise<EncodedFile> {
  const { codec, runner } = context;
  await using reader = await Pod5Reader.open(input);
  const tail = context.tail ?? DEFAULT_TAIL;
  const header = {
    codesEncoding: context.codes ?? "packed",
    checkpoint: codec.checkpoint,
    model: codec.model,
    windowSamples: codec.windowSamples,
    hopSamples: codec.hopSamples,
    sampleRateHz: codec.sampleRateHz,
    codebookSize: codec.codebookSize,
    normalisation: codec.normalisation,
    clip: codec.clip,
    tail,
    backend: codec.backend.name,
    runInfos: reader.runInfos,
    source: {
      fileIdentifier: reader.info.fileIdentifier,
      software: reader.info.software,
      pod5Version: reader.info.pod5Version,
    },
  } as const;
  await using writer = await TokenFileWriter.create(output, header, { overwrite: context.overwrite === true });
  const runs = new Map(reader.runInfos.map((run) => [run.acquisitionId, run]));
  const fileSamples = reader.readMetadata().reduce((n, m) => n + m.numSamples, 0);
  const tolerance = sampleRateToleranceHz(codec.sampleRateHz);
  const fileMetrics = context.verify === true ? new SignalMetricsAccumulator() : undefined;
  const queue: InFlight[] = [];
  let queuedJobs = 0, reads = 0, skipped = 0, samples = 0;
  const finishOldest = async () => {
    const item = queue.shift()!;
    queuedJobs -= item.jobs;
    const { codes, normalisation } = await item.encoded;
    await writer.addRead({ ...item.read, normalisation, codes });
    if (item.reconstruction !== undefined) {
      const real = adcToPa(item.adc, item.read.calibration);
      const generated = adcToPa(await item.reconstruction, item.read.calibration);
      fileMetrics?.add(real, generated);
      context.pooled?.add(real, generated);
    }
    reads++;
    samples += item.read.numSamples;
    context.counters.reads++;
    context.counters.samples += item.read.numSamples;
    context.report(fileSamples === 0 ? 1 : samples / fileSamples, input);
  };
  for await (const read of reader.reads()) {
    context.signal?.throwIfAborted();
    if (Math.abs(read.sampleRateHz - codec.sampleRateHz) > tolerance) {
      const what = `read ${read.readId} has a sample rate of ${read.sampleRateHz} Hz, the model's is ` +
        `${codec.sampleRateHz} Hz`;
      if (context.skipMismatched !== true) {
        throw new CodecMismatchError(input, `Cannot encode: ${what} (--skip-mismatched skips such reads)`);
      }
      context.onWarning?.(`${input}: ${what}; skipped`);
      skipped++;
      continue;
    }
    const adc = read.signal();
    const encoded = encodeReadWith(runner, codec, { adc, calibration: read.calibration }, tail);
    const run = runs.get(read.acquisitionId)!;
    const reconstruction = context.verify === true
      ? encoded.then((e) =>
        decodeReadWith(runner, codec, { ...e, calibration: read.calibration, numSamples: adc.length, run }, tail)
      )
      : undefined;
    // A read still in flight when an earlier one fails, or the call is aborted, is never awaited.
    encoded.catch(() => {});
    reconstruction?.catch(() => {});
    const jobs = jobCount(adc.length, codec, tail);
    queue.push({ read, adc, encoded, reconstruction, jobs });
    queuedJobs += jobs;
    while (queue.length > 1 && queuedJobs > 2 * runner.capacity) await finishOldest();
  }
  while (queue.length > 0) await finishOldest();
  const stats = await writer.close();
  return {
    input,
    output,
    reads,
    skippedReads: skipped,
    numSamples: stats.numSamples,
    numCodes: stats.numCodes,
    codesBytes: stats.codesBytes,
    fileBytes: stats.fileBytes,
    inputBytes: reader.info.sizeBytes,
    inputSignalBytes: reader.info.signalTableBytes,
    verification: fileMetrics?.result() ?? null,
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
