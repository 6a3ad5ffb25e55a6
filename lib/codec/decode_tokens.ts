/**
 * `decodeTokens()`: token files → POD5 files. Each read gets back exactly
 * its `num_samples` samples and all its metadata; the output is a
 * deterministic function of the token file, the checkpoint and the backend.
 *
 * @module
 */
import { Pod5Writer } from "../pod5/writer.ts";
import { uuidFromBytes } from "../pod5/uuid.ts";
import { findFiles } from "../runtime/find_files.ts";
import { sha256Hex } from "../runtime/sha256_hex.ts";
import { CodecMismatchError } from "./errors.ts";
import type { CodecPool } from "./codec_pool.ts";
import type { LoadedCodec } from "./load_codec.ts";
import { TokenFileReader } from "./token_file_reader.ts";
import type { Shard } from "../runtime/shard.ts";
import { shardManifestOf, shardManifestPath, writeShardManifest } from "./shard_manifest.ts";
import { makeOutputFolders, planFiles } from "./_codec_paths.ts";
import { type ModelRunner, startRunner } from "./_model_runner.ts";
import { decodeReadWith, jobCount } from "./_read_jobs.ts";
import type { CodecProgress, TokenFileHeader, TokenRead } from "./types.ts";

/** Options of {@linkcode decodeTokens}. */
export interface DecodeTokensOptions {
  /** The codec (from `loadCodec`): it must be the checkpoint the tokens were made with. */
  readonly codec: LoadedCodec;
  /** Deno Workers running the model, each with its own backend; 0 (default): this thread. */
  readonly workers?: number;
  /**
   * Run the model on this long-lived pool (of `codec`) instead: `workers` is
   * then ignored, and the pool stays open after the call.
   */
  readonly pool?: CodecPool;
  /** Replace existing outputs. Default false. */
  readonly overwrite?: boolean;
  /**
   * Decode tokens made by another checkpoint (same window, hop and codebook)
   * instead of refusing them. Default false.
   */
  readonly allowOtherCheckpoint?: boolean;
  /** Called after every read. */
  readonly onProgress?: (progress: CodecProgress) => void;
  /** Aborting stops at the next read; no output of the unfinished file is left. */
  readonly signal?: AbortSignal;
  /**
   * Decode only this shard's files (a size-balanced split of the sorted list)
   * and write `shard-I-of-N.json` in the output folder. Default: all files, no manifest.
   */
  readonly shard?: Shard;
}

/** What decoding one file gave. */
export interface DecodedFile {
  /** The token file. */
  readonly input: string;
  /** The POD5 file written. */
  readonly output: string;
  /** Reads decoded. */
  readonly reads: number;
  /** Samples decoded. */
  readonly numSamples: number;
  /** Bytes of the token file. */
  readonly inputBytes: number;
  /** Bytes of the POD5 file written. */
  readonly outputBytes: number;
}

/** What a decode run gave. */
export interface DecodeSummary {
  /** Per file, in input order. */
  readonly files: readonly DecodedFile[];
  /** Reads decoded. */
  readonly reads: number;
  /** Samples decoded. */
  readonly numSamples: number;
  /** Bits of the token files per sample. */
  readonly bitsPerSampleInput: number;
  /** Output bytes / input bytes. */
  readonly expansionRatio: number;
  /** Wall time, seconds. */
  readonly seconds: number;
  /** With `shard`: the manifest written; otherwise null. */
  readonly shardManifest: string | null;
}

/**
 * Check that `codec` can decode a token file made with `header`.
 *
 * @param path The token file (for the message).
 * @param header Its header.
 * @param codec The codec.
 * @param allowOtherCheckpoint Accept another generator with the same geometry.
 * @throws {CodecMismatchError} Naming both sha256s, or the geometry that differs.
 */
export function checkTokensFitCodec(
  path: string,
  header: TokenFileHeader,
  codec: LoadedCodec,
  allowOtherCheckpoint: boolean,
): void {
  const recorded = header.checkpoint.sha256, given = codec.checkpoint.sha256;
  if (recorded !== given && !allowOtherCheckpoint) {
    throw new CodecMismatchError(
      path,
      `Cannot decode: the tokens were made by checkpoint sha256 ${recorded} (${header.checkpoint.path}), ` +
        `the checkpoint given has sha256 ${given} (${codec.checkpoint.path}); use that checkpoint, or --force`,
    );
  }
  for (
    const [what, tokens, model] of [
      ["window", header.windowSamples, codec.windowSamples],
      ["hop", header.hopSamples, codec.hopSamples],
      ["codebook size", header.codebookSize, codec.codebookSize],
      ["latent size", header.model.latent_dim, codec.model.latent_dim],
    ] as const
  ) {
    if (tokens !== model) {
      throw new CodecMismatchError(path, `Cannot decode: the tokens' ${what} is ${tokens}, the checkpoint's ${model}`);
    }
  }
  if (header.normalisation !== codec.normalisation) {
    throw new CodecMismatchError(
      path,
      `Cannot decode: the tokens were normalised as ${header.normalisation}, the checkpoint uses ${codec.normalisation}`,
    );
  }
}

/**
 * Decode a token file, or every token file under a folder (mirrored under
 * `output`), into POD5 files.
 *
 * @example Restore a POD5 file from its tokens
 * ```ts
 * import { decodeTokens } from "./decode_tokens.ts";
 * import { encodePod5 } from "./encode_pod5.ts";
 * import { loadCodec } from "./load_codec.ts";
 * import { Pod5Reader } from "../pod5/reader.ts";
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
 * await encodePod5(DORADO_5KHZ, `${dir}/reads.tokens`, { codec });
 * await decodeTokens(`${dir}/reads.tokens`, `${dir}/restored.pod5`, { codec });
 * await using restored = await Pod5Reader.open(`${dir}/restored.pod5`);
 * const [read] = restored.readMetadata();
 * if (read?.readId !== "c9d52049-ce91-491c-8b19-3ae940f9f020" || read.numSamples !== 2_048) throw new Error("?");
 * codec.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param input A token file or a folder.
 * @param output A POD5 file, or a folder.
 * @param options The codec, workers and more.
 * @returns Counts.
 * @throws {CodecMismatchError} When the tokens were made by another checkpoint (unless allowed).
 * @throws {TokenFileError} When an input is not a token file, or is damaged.
 */
export async function decodeTokens(
  input: string,
  output: string,
  options: DecodeTokensOptions,
): Promise<DecodeSummary> {
  const started = performance.now();
  const plan = await planFiles(input, output, {
    from: ".tokens",
    to: ".pod5",
    shard: options.shard,
    ...(options.overwrite === undefined ? {} : { overwrite: options.overwrite }),
  });
  const { pairs } = plan;
  const manifest = options.shard === undefined
    ? null
    : await shardManifestPath(plan.outputRoot, options.shard, options.overwrite === true);
  // Every header is checked before any work starts.
  for (const pair of pairs) {
    await using reader = await TokenFileReader.open(pair.input);
    checkTokensFitCodec(pair.input, reader.header, options.codec, options.allowOtherCheckpoint === true);
  }
  await makeOutputFolders(pairs);
  const sizes = await Promise.all(pairs.map(async (pair) => (await Deno.stat(pair.input)).size));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const runner = options.pool?.runnerFor(options.codec, { signal: options.signal }) ??
    await startRunner(options.codec, options.workers ?? 0);
  const files: DecodedFile[] = [];
  const counters = { reads: 0, samples: 0, bytesDone: 0 };
  try {
    for (const [fileIndex, pair] of pairs.entries()) {
      const report = (fractionOfFile: number) =>
        options.onProgress?.({
          file: pair.input,
          fileIndex,
          files: pairs.length,
          reads: counters.reads,
          samples: counters.samples,
          fraction: totalBytes === 0 ? 1 : (counters.bytesDone + fractionOfFile * sizes[fileIndex]!) / totalBytes,
          elapsedMs: performance.now() - started,
        });
      files.push(await decodeFile(pair.input, pair.output, { ...options, runner, counters, report }));
      counters.bytesDone += sizes[fileIndex]!;
    }
  } finally {
    await runner.close();
  }
  const numSamples = files.reduce((n, f) => n + f.numSamples, 0);
  const inputBytes = files.reduce((n, f) => n + f.inputBytes, 0);
  const outputBytes = files.reduce((n, f) => n + f.outputBytes, 0);
  const seconds = (performance.now() - started) / 1000;
  if (manifest !== null && options.shard !== undefined) {
    await Deno.mkdir(plan.outputRoot, { recursive: true });
    const results = files.map((f) => ({ ...f, tokenBytes: f.inputBytes }));
    const job = { task: "decode", shard: options.shard, ...plan } as const;
    await writeShardManifest(manifest, shardManifestOf(job, results, seconds));
  }
  return {
    files,
    reads: files.reduce((n, f) => n + f.reads, 0),
    numSamples,
    bitsPerSampleInput: numSamples === 0 ? 0 : (8 * inputBytes) / numSamples,
    expansionRatio: inputBytes === 0 ? 0 : outputBytes / inputBytes,
    seconds,
    shardManifest: manifest,
  };
}

interface FileContext extends DecodeTokensOptions {
  readonly runner: ModelRunner;
  readonly counters: { reads: number; samples: number };
  readonly report: (fractionOfFile: number) => void;
}

/**
 * A UUID that is a function of its inputs (sha256, with the RFC 9562
 * version-8 and variant bits set), so decoding the same tokens with the same
 * checkpoint gives the same file.
 */
function derivedUuid(...parts: string[]): string {
  const digest = sha256Hex(new TextEncoder().encode(parts.join("\u0000")));
  const bytes = Uint8Array.from({ length: 16 }, (_, i) => parseInt(digest.slice(2 * i, 2 * i + 2), 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return uuidFromBytes(bytes);
}

async function decodeFile(input: string, output: string, context: FileContext): Promise<DecodedFile> {
  const { codec, runner } = context;
  await using reader = await TokenFileReader.open(input);
  const header = reader.header;
  const identity = [
    header.source?.fileIdentifier ?? "",
    header.checkpoint.sha256,
    codec.checkpoint.sha256,
    codec.backend.name,
    String(reader.sizeBytes),
  ];
  await using writer = await Pod5Writer.create(output, {
    overwrite: context.overwrite === true,
    fileIdentifier: derivedUuid("simvqgan decoded file", ...identity),
    sectionMarker: derivedUuid("simvqgan section marker", ...identity),
  });
  for (const run of header.runInfos) await writer.addRunInfo(run);
  const runs = new Map(header.runInfos.map((run) => [run.acquisitionId, run]));
  const queue: { read: TokenRead; adc: Promise<Int16Array>; jobs: number }[] = [];
  let queuedJobs = 0, reads = 0, samples = 0;
  const finishOldest = async () => {
    const item = queue.shift()!;
    queuedJobs -= item.jobs;
    const adc = await item.adc;
    await writer.addRead({ ...item.read, signal: () => adc });
    reads++;
    samples += item.read.numSamples;
    context.counters.reads++;
    context.counters.samples += item.read.numSamples;
    context.report(reader.readCount === 0 ? 1 : reads / reader.readCount);
  };
  for await (const read of reader.reads()) {
    context.signal?.throwIfAborted();
    const run = runs.get(read.acquisitionId)!;
    const adc = decodeReadWith(runner, header, { ...read, run }, header.tail);
    // A read still in flight when an earlier one fails, or the call is aborted, is never awaited.
    adc.catch(() => {});
    const jobs = jobCount(read.numSamples, header, header.tail);
    queue.push({ read, adc, jobs });
    queuedJobs += jobs;
    while (queue.length > 1 && queuedJobs > 2 * runner.capacity) await finishOldest();
  }
  while (queue.length > 0) await finishOldest();
  await writer.close();
  const outputBytes = (await Deno.stat(output)).size;
  return { input, output, reads, numSamples: samples, inputBytes: reader.sizeBytes, outputBytes };
}

/**
 * The checkpoint directory a token file (or the first token file under a
 * folder) records, for decoding without `--ckpt`.
 *
 * @param input A token file or a folder of them.
 * @returns The recorded `checkpoint_<step>` path.
 * @throws {TokenFileError} When the input is not a token file.
 */
export async function recordedCheckpoint(input: string): Promise<string> {
  const info = await Deno.stat(input).catch(() => undefined);
  const file = info?.isDirectory === true ? (await findFiles(input, ".tokens"))[0] ?? input : input;
  await using reader = await TokenFileReader.open(file);
  return reader.header.checkpoint.path;
}
