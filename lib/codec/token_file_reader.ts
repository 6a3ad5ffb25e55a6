/**
 * `TokenFileReader`: open a `.tokens` file, check that it is one, and
 * iterate its reads (metadata, normalisation stats, codes) one record
 * batch at a time.
 *
 * @module
 */
import type { AsyncRecordBatchFileReader } from "apache-arrow";
import { checkArrowColumns } from "../arrow/check_arrow_data.ts";
import { type ArrowIpcSummary, checkArrowIpcFile } from "../arrow/check_arrow_ipc_file.ts";
import { embeddedFileHandle, openArrowFileReader, RandomAccessFile } from "../arrow/random_access_file.ts";
import { isUuid } from "../pod5/uuid.ts";
import { CodeStreamDecoder } from "./code_stream.ts";
import { TokenFileError } from "./errors.ts";
import { readLayout } from "./read_layout.ts";
import { codesCrc32 } from "./token_file_writer.ts";
import { headerFromMetadata } from "./_token_header.ts";
import { arrowType, CODES_COLUMN, codesType, READ_COLUMNS } from "./_token_schema.ts";
import { rowsOfBatch } from "./_token_rows.ts";
import type { TokenFileHeader, TokenRead } from "./types.ts";

/**
 * Reads a token file. Opening checks the Arrow framing, the schema and the
 * header; each read is checked as it is yielded (code count, checksum, run).
 *
 * @example Read the codes of a token file, and refuse a file that is not one
 * ```ts
 * import { TokenFileReader, TokenFileWriter } from "./mod.ts";
 * import { TokenFileError } from "./errors.ts";
 * import { Pod5Reader } from "../pod5/mod.ts";
 * import { parseConfig } from "../runtime/config.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await using pod5 = await Pod5Reader.open("tests/fixtures/pod5/z1.pod5");
 * const header = {
 *   codesEncoding: "plain", model: parseConfig({}).model, windowSamples: 10_000, hopSamples: 80,
 *   sampleRateHz: 5000, codebookSize: 4096, normalisation: "median_mad", clip: null, tail: "short",
 *   backend: "cpu", runInfos: pod5.runInfos, source: null,
 *   checkpoint: { sha256: "0".repeat(64), step: 0, path: "/nowhere" },
 * } as const;
 * await using writer = await TokenFileWriter.create(`${dir}/z1.tokens`, header);
 * const normalisation = { mode: "median_mad", shiftPa: 90, scalePa: 12, clip: null } as const;
 * for (const read of pod5.readMetadata()) {
 *   await writer.addRead({ ...read, normalisation, codes: new Uint16Array(Math.ceil(read.numSamples / 80)) });
 * }
 * await writer.close();
 * await using tokens = await TokenFileReader.open(`${dir}/z1.tokens`);
 * let codes = 0;
 * for await (const read of tokens.reads()) codes += read.codes.length;
 * if (tokens.readCount !== 3 || codes !== 28_996) throw new Error(`${tokens.readCount} reads, ${codes} codes`);
 * const error = await TokenFileReader.open("tests/fixtures/pod5/z1.pod5").catch((e: unknown) => e);
 * if (!(error instanceof TokenFileError)) throw new Error("a POD5 file is not a token file");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class TokenFileReader implements AsyncDisposable {
  /** The file. */
  readonly path: string;
  /** What the file records once. */
  readonly header: TokenFileHeader;
  /** Reads in the file. */
  readonly readCount: number;
  /** Bytes of the file. */
  readonly sizeBytes: number;
  readonly #file: RandomAccessFile;
  readonly #arrow: AsyncRecordBatchFileReader;

  private constructor(
    file: RandomAccessFile,
    arrow: AsyncRecordBatchFileReader,
    header: TokenFileHeader,
    readCount: number,
  ) {
    this.path = file.path;
    this.sizeBytes = file.sizeBytes;
    this.#file = file;
    this.#arrow = arrow;
    this.header = header;
    this.readCount = readCount;
  }

  /**
   * Open a token file.
   *
   * @param path The `.tokens` file.
   * @returns The reader (header read, reads not yet).
   * @throws {TokenFileError} When the file is missing, truncated, damaged or not a token file.
   */
  static async open(path: string): Promise<TokenFileReader> {
    let file: RandomAccessFile;
    try {
      file = await RandomAccessFile.open(path);
    } catch (error) {
      const reason = error instanceof Deno.errors.NotFound || (error as { code?: string })?.code === "ENOENT"
        ? "file not found"
        : error instanceof Error
        ? error.message
        : String(error);
      throw new TokenFileError(path, `Cannot open token file: ${reason}`, { cause: error });
    }
    try {
      let summary: ArrowIpcSummary;
      try {
        summary = await checkArrowIpcFile({ sizeBytes: file.sizeBytes, read: (at, n) => file.readAt(at, n) });
      } catch (error) {
        throw new TokenFileError(
          path,
          `Not a token file, or truncated or damaged: ${error instanceof Error ? error.message : error}`,
          { cause: error },
        );
      }
      const arrow = await openArrowFileReader(embeddedFileHandle(file, 0, file.sizeBytes));
      const parsed = headerFromMetadata(arrow.schema.metadata);
      if ("reason" in parsed) throw new TokenFileError(path, `Cannot read token file: ${parsed.reason}`);
      checkColumns(path, arrow, parsed.header);
      const readCount = summary.recordBatchRows.reduce((a, b) => a + b, 0);
      return new TokenFileReader(file, arrow, parsed.header, readCount);
    } catch (error) {
      await file.close();
      if (error instanceof TokenFileError) throw error;
      throw new TokenFileError(path, `Cannot read token file: ${error instanceof Error ? error.message : error}`, {
        cause: error,
      });
    }
  }

  /**
   * Iterate the reads in file order (packed codes are unpacked in order,
   * so each call starts from the first read).
   *
   * @returns An async iterator of reads.
   * @throws {TokenFileError} When a read's codes or metadata are damaged.
   */
  async *reads(): AsyncGenerator<TokenRead> {
    const h = this.header;
    const unpacker = h.codesEncoding === "packed" ? new CodeStreamDecoder(h.codebookSize) : undefined;
    const runs = new Set(h.runInfos.map((run) => run.acquisitionId));
    let index = 0;
    for (let b = 0; b < this.#arrow.numRecordBatches; b++) {
      const batch = await this.#step(`record batch ${b}`, () => this.#arrow.readRecordBatch(b));
      if (batch === null) throw new TokenFileError(this.path, `Cannot read token file: record batch ${b} is missing`);
      await this.#step(`record batch ${b}`, () => Promise.resolve(checkArrowColumns(batch)));
      const rows = await this.#step(`record batch ${b}`, () => Promise.resolve(rowsOfBatch(batch, h.codesEncoding)));
      for (const row of rows) {
        const fail = (reason: string): never => {
          throw new TokenFileError(
            this.path,
            `Cannot read token file: read ${index} (${row.metadata.readId}): ${reason}`,
          );
        };
        const m = row.metadata;
        if (!isUuid(m.readId)) fail("the read id is not a UUID");
        if (!runs.has(m.acquisitionId)) fail(`run ${m.acquisitionId} is not in the header`);
        const layout = readLayout(m.numSamples, {
          windowSamples: h.windowSamples,
          hopSamples: h.hopSamples,
          tail: h.tail,
        });
        if (row.numCodes !== layout.numCodes) {
          fail(`${row.numCodes} codes stored, ${m.numSamples} samples need ${layout.numCodes}`);
        }
        let codes: Uint16Array;
        if (unpacker === undefined) {
          codes = row.stored as Uint16Array;
          if (codes.length !== row.numCodes) fail(`${codes.length} codes stored, num_codes says ${row.numCodes}`);
        } else {
          try {
            codes = unpacker.decode(row.stored as Uint8Array, row.numCodes);
          } catch (error) {
            fail(error instanceof Error ? error.message : String(error));
            throw error;
          }
        }
        if (codesCrc32(codes) !== row.crc32) fail("its codes do not match their checksum (the file is damaged)");
        for (const code of codes) if (code >= h.codebookSize) fail(`code ${code} is outside the codebook`);
        if (!(row.normalisation.scalePa > 0 && Number.isFinite(row.normalisation.shiftPa))) {
          fail("its normalisation stats are unusable");
        }
        yield {
          ...m,
          normalisation: { mode: h.normalisation, clip: h.clip, ...row.normalisation },
          codes: Uint16Array.from(codes),
        };
        index++;
      }
    }
  }

  /**
   * The `num_samples` of every read, in file order, from the rows' metadata
   * alone (no codes are unpacked or checked): what decoding the file would
   * produce, known before any of it is decoded.
   *
   * @example
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
   * await using writer = await TokenFileWriter.create(`${dir}/z1.tokens`, header);
   * const normalisation = { mode: "median_mad", shiftPa: 90, scalePa: 12, clip: null } as const;
   * for (const read of pod5.readMetadata()) {
   *   await writer.addRead({ ...read, normalisation, codes: new Uint16Array(Math.ceil(read.numSamples / 80)) });
   * }
   * await writer.close();
   * await using tokens = await TokenFileReader.open(`${dir}/z1.tokens`);
   * if ((await tokens.sampleCounts()).join() !== "21734,78129,2219753") throw new Error("unexpected");
   * await Deno.remove(dir, { recursive: true });
   * ```
   *
   * @returns One count per read.
   * @throws {TokenFileError} When a record batch or its metadata is damaged.
   */
  async sampleCounts(): Promise<number[]> {
    const counts: number[] = [];
    for (let b = 0; b < this.#arrow.numRecordBatches; b++) {
      const batch = await this.#step(`record batch ${b}`, () => this.#arrow.readRecordBatch(b));
      if (batch === null) throw new TokenFileError(this.path, `Cannot read token file: record batch ${b} is missing`);
      await this.#step(`record batch ${b}`, () => Promise.resolve(checkArrowColumns(batch)));
      const rows = await this.#step(
        `record batch ${b}`,
        () => Promise.resolve(rowsOfBatch(batch, this.header.codesEncoding)),
      );
      for (const row of rows) counts.push(row.metadata.numSamples);
    }
    return counts;
  }

  /** Close the file. */
  async close(): Promise<void> {
    await this.#file.close();
  }

  /** Close the file (for `await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #step<T>(what: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      throw new TokenFileError(
        this.path,
        `Cannot read token file: ${what}: ${error instanceof Error ? error.message : error}`,
        {
          cause: error,
        },
      );
    }
  }
}

function checkColumns(path: string, arrow: AsyncRecordBatchFileReader, header: TokenFileHeader): void {
  const expected = [
    ...READ_COLUMNS.map(([name, kind]) => [name, arrowType(kind)] as const),
    [CODES_COLUMN, codesType(header.codesEncoding)] as const,
  ];
  const fields = arrow.schema.fields;
  for (const [name, type] of expected) {
    const field = fields.find((f) => f.name === name);
    if (field === undefined) throw new TokenFileError(path, `Cannot read token file: column ${name} is missing`);
    if (String(field.type) !== String(type)) {
      throw new TokenFileError(path, `Cannot read token file: column ${name} has type ${field.type}, expected ${type}`);
    }
  }
}
