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
import type { RunInfo } from "../pod5/types.ts";
import type { Shard } from "../runtime/shard.ts";
import type { FilePair } from "./_codec_paths.ts";
import { type FileContext, type FileMapper, type ReadWork, runFilePipeline } from "./_file_pipeline.ts";
import type { ModelRunner } from "./_model_runner.ts";
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
  /**
   * A further check of each token file, run with the header checks before any
   * model work (a server's work budget, for one); what it throws ends the run.
   * Default: none.
   */
  readonly checkFile?: (reader: TokenFileReader) => void | Promise<void>;
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
  /** The token file read (absolute). */
  readonly input: string;
  /** The POD5 file written (absolute), complete: it appears only when whole. */
  readonly output: string;
  /** Reads written to the POD5 file, with all their metadata. */
  readonly reads: number;
  /** Samples written: each read's recorded `num_samples`. */
  readonly numSamples: number;
  /** Bytes of the token file read. */
  readonly inputBytes: number;
  /** Bytes of the POD5 file written. */
  readonly outputBytes: number;
}

/** What a decode run gave. */
export interface DecodeSummary {
  /** Per file, in input order. */
  readonly files: readonly DecodedFile[];
  /** Reads written, over all files. */
  readonly reads: number;
  /** Samples written, over all files. */
  readonly numSamples: number;
  /** Bits of the token files per sample. */
  readonly bitsPerSampleInput: number;
  /** Output bytes / input bytes. */
  readonly expansionRatio: number;
  /** Wall time of the whole call (checks, model and writing), seconds. */
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
  const recorded = header.checkpoint, given = codec.checkpoint;
  if (recorded.sha256 !== given.sha256 && !allowOtherCheckpoint) {
    throw new CodecMismatchError(
      path,
      `Cannot decode: the tokens were made by checkpoint sha256 ${recorded.sha256} (${recorded.path}), ` +
        `the checkpoint given has sha256 ${given.sha256} (${given.path})`,
      { reason: "other_checkpoint", recorded, given },
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
      throw new CodecMismatchError(path, `Cannot decode: the tokens' ${what} is ${tokens}, the checkpoint's ${model}`, {
        reason: "geometry",
        what,
        tokens,
        checkpoint: model,
      });
    }
  }
  if (header.normalisation !== codec.normalisation) {
    throw new CodecMismatchError(
      path,
      `Cannot decode: the tokens were normalised as ${header.normalisation}, the checkpoint uses ${codec.normalisation}`,
      { reason: "normalisation", tokens: header.normalisation, checkpoint: codec.normalisation },
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
 * import { assertEquals } from "@std/assert";
 * import { TINY_CODEC_CONFIG, writeGeneratorCheckpoint } from "../checkpoint/write_generator_checkpoint.ts";
 *
 * const DORADO_5KHZ = "tests/fixtures/pod5/dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5";
 * const dir = await Deno.makeTempDir();
 * await writeGeneratorCheckpoint(dir, { config: TINY_CODEC_CONFIG, step: 1 }); // random weights: enough to run
 * const codec = await loadCodec(dir, { backend: "wasm" });
 * await encodePod5(DORADO_5KHZ, `${dir}/reads.tokens`, { codec });
 * await decodeTokens(`${dir}/reads.tokens`, `${dir}/restored.pod5`, { codec });
 * await using restored = await Pod5Reader.open(`${dir}/restored.pod5`);
 * const [read] = restored.readMetadata();
 * assertEquals([read?.readId, read?.numSamples], ["c9d52049-ce91-491c-8b19-3ae940f9f020", 2_048]);
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
  const run = await runFilePipeline(input, output, {
    task: "decode",
    from: ".tokens",
    to: ".pod5",
    // Every header is checked before any work starts; the first files stay open for the run.
    preflight: async (pair, keep) => {
      const reader = await TokenFileReader.open(pair.input);
      try {
        checkTokensFitCodec(pair.input, reader.header, options.codec, options.allowOtherCheckpoint === true);
        await options.checkFile?.(reader);
      } catch (error) {
        await reader.close();
        throw error;
      }
      if (keep) return reader;
      await reader.close();
      return undefined;
    },
    open: (pair, context) => DecodeFileMapper.open(pair, context, options),
    tokenBytes: (file) => file.inputBytes,
  }, options);
  const { files } = run;
  const numSamples = files.reduce((n, f) => n + f.numSamples, 0);
  const inputBytes = files.reduce((n, f) => n + f.inputBytes, 0);
  const outputBytes = files.reduce((n, f) => n + f.outputBytes, 0);
  return {
    files,
    reads: files.reduce((n, f) => n + f.reads, 0),
    numSamples,
    bitsPerSampleInput: numSamples === 0 ? 0 : (8 * inputBytes) / numSamples,
    expansionRatio: inputBytes === 0 ? 0 : outputBytes / inputBytes,
    seconds: run.seconds,
    shardManifest: run.shardManifest,
  };
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

/** One token file → one POD5 file, read by read. */
class DecodeFileMapper implements FileMapper<TokenRead, Int16Array, DecodedFile> {
  readonly #pair: FilePair;
  readonly #runner: ModelRunner;
  readonly #reader: TokenFileReader;
  readonly #writer: Pod5Writer;
  readonly #runs: ReadonlyMap<string, RunInfo>;
  #reads = 0;
  #samples = 0;

  private constructor(
    pair: FilePair,
    runner: ModelRunner,
    files: { readonly reader: TokenFileReader; readonly writer: Pod5Writer },
  ) {
    this.#pair = pair;
    this.#runner = runner;
    this.#reader = files.reader;
    this.#writer = files.writer;
    this.#runs = new Map(files.reader.header.runInfos.map((run) => [run.acquisitionId, run]));
  }

  /** Take the pre-flight reader (or open the token file again) and start the POD5 file with its runs. */
  static async open(
    pair: FilePair,
    context: FileContext<TokenFileReader>,
    options: DecodeTokensOptions,
  ): Promise<DecodeFileMapper> {
    const reader = context.prepared ?? await TokenFileReader.open(pair.input);
    try {
      const header = reader.header;
      const identity = [
        header.source?.fileIdentifier ?? "",
        header.checkpoint.sha256,
        options.codec.checkpoint.sha256,
        options.codec.backend.name,
        String(reader.sizeBytes),
      ];
      const writer = await Pod5Writer.create(pair.output, {
        overwrite: options.overwrite === true,
        fileIdentifier: derivedUuid("simvqgan decoded file", ...identity),
        sectionMarker: derivedUuid("simvqgan section marker", ...identity),
      });
      for (const run of header.runInfos) await writer.addRunInfo(run);
      return new DecodeFileMapper(pair, context.runner, { reader, writer });
    } catch (error) {
      await reader.close();
      throw error;
    }
  }

  reads(): AsyncIterable<TokenRead> {
    return this.#reader.reads();
  }

  start(read: TokenRead): ReadWork<Int16Array> {
    const header = this.#reader.header;
    const run = this.#runs.get(read.acquisitionId)!;
    return {
      jobs: jobCount(read.numSamples, header, header.tail),
      result: decodeReadWith(this.#runner, header, { ...read, run }, header.tail),
    };
  }

  async finish(read: TokenRead, adc: Int16Array): Promise<{ numSamples: number; fileFraction: number }> {
    await this.#writer.addRead({ ...read, signal: () => adc });
    this.#reads++;
    this.#samples += read.numSamples;
    const total = this.#reader.readCount;
    return { numSamples: read.numSamples, fileFraction: total === 0 ? 1 : this.#reads / total };
  }

  async close(): Promise<DecodedFile> {
    await this.#writer.close();
    const outputBytes = (await Deno.stat(this.#pair.output)).size;
    const { input, output } = this.#pair;
    return {
      input,
      output,
      reads: this.#reads,
      numSamples: this.#samples,
      inputBytes: this.#reader.sizeBytes,
      outputBytes,
    };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#writer.abort();
    await this.#reader.close();
  }
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
