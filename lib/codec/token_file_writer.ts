/**
 * `TokenFileWriter`: write a `.tokens` file (an Arrow IPC file, SPEC §3.5)
 * read by read, in record batches, to a temporary name that is renamed when
 * the file is complete.
 *
 * @module
 */
import type { Schema } from "apache-arrow";
import { crc32 } from "node:zlib";
import { ArrowIpcFileWriter } from "../arrow/ipc_file_writer.ts";
import type { ReadMetadata } from "../pod5/types.ts";
import { pathExists } from "../runtime/path_exists.ts";
import { AtomicFile, startOrAbort } from "../runtime/atomic_file.ts";
import type { NormalisationStats } from "../signal/types.ts";
import { CodeStreamEncoder } from "./code_stream.ts";
import { TokenFileError } from "./errors.ts";
import { readLayout } from "./read_layout.ts";
import { headerToMetadata } from "./_token_header.ts";
import { type StoredRow, tokenBatch } from "./_token_rows.ts";
import { tokenFileSchema } from "./_token_schema.ts";
import type { TokenFileHeader } from "./types.ts";

/** A batch is written once it holds this many reads ... */
const BATCH_READS = 1000;
/** ... or this many stored code bytes (plain codes count 2 bytes each). */
const BATCH_BYTES = 8 << 20;

/** A read to write: its POD5 metadata, its normalisation stats and its codes. */
export interface TokenReadToWrite extends ReadMetadata {
  /** The read's normalisation stats (mode and clip must be the header's). */
  readonly normalisation: NormalisationStats;
  /** Its codes, `[numCodes]` for the header's window, hop and tail strategy. */
  readonly codes: Uint16Array;
}

/** Options of {@linkcode TokenFileWriter.create}. */
export interface TokenFileWriterOptions {
  /** Replace an existing file. Default false: an existing file is an error. */
  readonly overwrite?: boolean;
}

/** What a finished file holds. */
export interface TokenFileStats {
  /** Reads written. */
  readonly readCount: number;
  /** Samples those reads cover. */
  readonly numSamples: number;
  /** Codes written. */
  readonly numCodes: number;
  /** Bytes of the codes as stored (range-coded, or 2 per code when plain). */
  readonly codesBytes: number;
  /** Bytes of the whole file. */
  readonly fileBytes: number;
}

/**
 * The CRC-32 of codes as stored in `codes_crc32`: over their little-endian
 * uint16 bytes.
 *
 * @param codes The codes.
 * @returns The checksum.
 */
export function codesCrc32(codes: Uint16Array): number {
  const bytes = new Uint8Array(codes.length * 2);
  for (let i = 0; i < codes.length; i++) {
    bytes[2 * i] = codes[i]! & 0xff;
    bytes[2 * i + 1] = codes[i]! >>> 8;
  }
  return crc32(bytes) >>> 0;
}

/**
 * Writes a token file. The output appears at `path` only when
 * {@linkcode close} succeeds; until then everything goes to
 * `path.tmp-<pid>`, which an error or {@linkcode abort} removes.
 *
 * @example Write one read's codes and read them back
 * ```ts
 * import { TokenFileReader, TokenFileWriter } from "./mod.ts";
 * import { Pod5Reader } from "../pod5/mod.ts";
 * import { parseConfig } from "../runtime/config.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await using pod5 = await Pod5Reader.open("tests/fixtures/pod5/z1.pod5");
 * const header = {
 *   codesEncoding: "packed", model: parseConfig({}).model, windowSamples: 10_000, hopSamples: 80,
 *   sampleRateHz: 5000, codebookSize: 4096, normalisation: "median_mad", clip: null, tail: "short",
 *   backend: "cpu", runInfos: pod5.runInfos, source: null,
 *   checkpoint: { sha256: "0".repeat(64), step: 0, path: "/nowhere" },
 * } as const;
 * const writer = await TokenFileWriter.create(`${dir}/one.tokens`, header);
 * const read = await pod5.read("07e9c086-2b8e-4bea-8b91-1e3a783c77bb");
 * const codes = new Uint16Array(Math.ceil(read.numSamples / 80)).fill(7);
 * const normalisation = { mode: "median_mad", shiftPa: 90, scalePa: 12, clip: null } as const;
 * await writer.addRead({ ...read, normalisation, codes });
 * await writer.close();
 * await using tokens = await TokenFileReader.open(`${dir}/one.tokens`);
 * for await (const back of tokens.reads()) if (back.codes.join() !== codes.join()) throw new Error("codes differ");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class TokenFileWriter implements AsyncDisposable {
  /** The file that {@linkcode close} creates. */
  readonly path: string;
  /** What the file records once. */
  readonly header: TokenFileHeader;
  readonly #out: AtomicFile;
  readonly #schema: Schema;
  readonly #arrow: ArrowIpcFileWriter;
  readonly #packer: CodeStreamEncoder | undefined;
  readonly #runIds: ReadonlySet<string>;
  readonly #readIds = new Set<string>();
  #pending: StoredRow[] = [];
  #pendingBytes = 0;
  #numSamples = 0;
  #numCodes = 0;
  #codesBytes = 0;
  #state: "open" | "closed" | "aborted" = "open";

  private constructor(path: string, header: TokenFileHeader, out: AtomicFile) {
    this.path = path;
    this.header = header;
    this.#out = out;
    this.#schema = tokenFileSchema(header.codesEncoding, headerToMetadata(header));
    this.#arrow = ArrowIpcFileWriter.start(this.#schema);
    this.#packer = header.codesEncoding === "packed" ? new CodeStreamEncoder(header.codebookSize) : undefined;
    this.#runIds = new Set(header.runInfos.map((run) => run.acquisitionId));
  }

  /**
   * Start writing `path` (through a temporary file beside it).
   *
   * @param path The token file to create.
   * @param header What the file records once.
   * @param options Overwrite.
   * @returns The writer.
   * @throws {TokenFileError} When `path` exists (without `overwrite`) or cannot be written.
   */
  static async create(
    path: string,
    header: TokenFileHeader,
    options: TokenFileWriterOptions = {},
  ): Promise<TokenFileWriter> {
    if (options.overwrite !== true && await pathExists(path)) {
      throw new TokenFileError(path, "Cannot create token file: the file exists", { reason: "output_exists" });
    }
    let out: AtomicFile;
    try {
      out = await AtomicFile.create(path);
    } catch (error) {
      throw new TokenFileError(path, `Cannot create token file: ${error instanceof Error ? error.message : error}`, {
        cause: error,
      });
    }
    const writer = new TokenFileWriter(path, header, out);
    return await startOrAbort(writer, () => writer.#write(writer.#arrow.takeOutput()));
  }

  /** Reads added so far. */
  get readCount(): number {
    return this.#readIds.size;
  }

  /**
   * Add one read (packed codes are range-coded here, in call order).
   *
   * @param read The read's metadata, normalisation stats and codes.
   * @throws {RangeError} When its codes do not fit the header's layout, its run is unknown or its id repeats.
   */
  async addRead(read: TokenReadToWrite): Promise<void> {
    this.#assertOpen();
    const h = this.header;
    const layout = readLayout(read.numSamples, {
      windowSamples: h.windowSamples,
      hopSamples: h.hopSamples,
      tail: h.tail,
    });
    const fail = (reason: string): never => {
      throw new RangeError(`Cannot add read ${read.readId} to ${this.path}: ${reason}`);
    };
    if (read.codes.length !== layout.numCodes) {
      fail(`${read.codes.length} codes, but ${read.numSamples} samples need ${layout.numCodes}`);
    }
    if (!this.#runIds.has(read.acquisitionId)) fail(`run ${read.acquisitionId} is not in the header's run infos`);
    if (this.#readIds.has(read.readId)) fail("the read id is already in the file");
    if (read.normalisation.mode !== h.normalisation || read.normalisation.clip !== h.clip) {
      fail(
        `normalised as ${read.normalisation.mode} (clip ${read.normalisation.clip}), the header says ${h.normalisation}`,
      );
    }
    for (const code of read.codes) if (code >= h.codebookSize) fail(`code ${code} is outside the codebook`);
    const stored = this.#packer === undefined ? read.codes : this.#packer.encode(read.codes);
    this.#pending.push({
      metadata: read,
      normalisation: read.normalisation,
      numCodes: read.codes.length,
      crc32: codesCrc32(read.codes),
      stored,
    });
    this.#readIds.add(read.readId);
    this.#numSamples += read.numSamples;
    this.#numCodes += read.codes.length;
    this.#codesBytes += stored.byteLength;
    this.#pendingBytes += stored.byteLength;
    if (this.#pending.length >= BATCH_READS || this.#pendingBytes >= BATCH_BYTES) await this.#flush();
  }

  /**
   * Finish the file and rename it into place.
   *
   * @returns What the file holds.
   * @throws {TokenFileError} When writing fails (nothing is left at `path`).
   */
  async close(): Promise<TokenFileStats> {
    this.#assertOpen();
    try {
      if (this.#pending.length > 0 || this.#readIds.size === 0) await this.#flush();
      this.#arrow.finish();
      await this.#write(this.#arrow.takeOutput());
      await this.#out.commit();
      this.#state = "closed";
    } catch (error) {
      await this.abort();
      throw new TokenFileError(
        this.path,
        `Cannot write token file: ${error instanceof Error ? error.message : error}`,
        {
          cause: error,
        },
      );
    }
    return {
      readCount: this.#readIds.size,
      numSamples: this.#numSamples,
      numCodes: this.#numCodes,
      codesBytes: this.#codesBytes,
      fileBytes: this.#out.sizeBytes,
    };
  }

  /** Stop writing and remove the temporary file; `path` is left untouched. */
  async abort(): Promise<void> {
    if (this.#state !== "open") return;
    this.#state = "aborted";
    await this.#out.abort();
  }

  /** Abort unless closed (for `await using`): an exception never leaves a partial file. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.abort();
  }

  #assertOpen(): void {
    if (this.#state !== "open") throw new TypeError(`Cannot write ${this.path}: the writer is ${this.#state}`);
  }

  async #flush(): Promise<void> {
    this.#arrow.write(tokenBatch(this.#schema, this.header.codesEncoding, this.#pending));
    this.#pending = [];
    this.#pendingBytes = 0;
    await this.#write(this.#arrow.takeOutput());
  }

  async #write(chunks: readonly Uint8Array[]): Promise<void> {
    for (const chunk of chunks) await this.#out.write(chunk);
  }
}
