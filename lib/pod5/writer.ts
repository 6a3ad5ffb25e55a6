/**
 * `Pod5Writer`: write POD5 files in the official layout (notes/pod5_format.md),
 * streaming: signal batches go to disk as they fill, read metadata is spilled
 * to a temporary file, so memory stays bounded by one batch.
 *
 * @module
 */
import { type RecordBatch, type Schema, Utf8, vectorFromArray } from "apache-arrow";
import { ArrowIpcFileWriter } from "../arrow/ipc_file_writer.ts";
import {
  type ReadRow,
  readsBatch,
  type ReadsDictionaries,
  runInfoBatch,
  signalBatch,
  type SignalRowToWrite,
} from "./_table_batches.ts";
import { FOOTER_MAGIC, POD5_SIGNATURE, SECTION_MARKER_BYTES } from "./container.ts";
import { Pod5Error } from "./errors.ts";
import { CONTENT_TYPE, type EmbeddedFileEntry, encodeFooter, FORMAT_FEATHER_V2 } from "./footer.ts";
import {
  readsTableSchema,
  runInfoTableSchema,
  signalTableSchema,
  type TableMetadata,
  WRITER_POD5_VERSION,
} from "./schemas.ts";
import { END_REASON_NAMES, type ReadMetadata, type RunInfo, type SignalCompression } from "./types.ts";
import { isUuid, uuidToBytes } from "./uuid.ts";
import { createVbzEncoder, type VbzEncoder } from "./vbz_encoder.ts";
import { VERSION } from "../version.ts";
import { crashPoint } from "../runtime/crash_point.ts";
import { AtomicFile, removeIfPresent, startOrAbort, tempPathOf } from "../runtime/atomic_file.ts";
import { pathExists } from "../runtime/path_exists.ts";
import { writeAll } from "../runtime/write_all.ts";

/** Samples per signal row in official files (notes §2.6). */
export const SIGNAL_CHUNK_SAMPLES = 102_400;
/** Rows per signal record batch in official files. */
export const SIGNAL_BATCH_ROWS = 100;
/** Rows per reads record batch in official files. */
export const READS_BATCH_ROWS = 1000;
/** Rows per run_info record batch in official files. */
export const RUN_INFO_BATCH_ROWS = 1;

/** Options of {@linkcode Pod5Writer.create}. */
export interface Pod5WriterOptions {
  /** Replace an existing file. Default false: an existing file is an error. */
  readonly overwrite?: boolean;
  /** `vbz` (default) or `uncompressed` signal. */
  readonly signalCompression?: SignalCompression;
  /** Recorded as `MINKNOW:software`. Default `SimVQGAN <version>`. */
  readonly software?: string;
  /** File UUID. Default: a random UUID. */
  readonly fileIdentifier?: string;
  /**
   * The section marker UUID written between the file's sections (notes §1).
   * Default: a random UUID, as ONT's writer does; give one (with
   * `fileIdentifier`) to make the output a deterministic function of its content.
   */
  readonly sectionMarker?: string;
  /** Samples per signal row, at most 102,400 (default). */
  readonly signalChunkSamples?: number;
  /** Rows per signal record batch. Default 100. */
  readonly signalBatchRows?: number;
  /** Rows per reads record batch. Default 1000. */
  readonly readsBatchRows?: number;
}

/** A read to write: its metadata and its raw signal. A {@linkcode Pod5Read} from a reader qualifies. */
export interface ReadToWrite extends ReadMetadata {
  /** The int16 ADC samples; their count must equal `numSamples`. */
  signal(): Int16Array;
}

const UINT8_MAX = 0xff, UINT16_MAX = 0xffff, UINT32_MAX = 0xffffffff;

/**
 * Writes a POD5 file. The output appears at `path` only when {@linkcode close}
 * succeeds: until then everything goes to `path.tmp-<pid>` (and a spill file
 * beside it), and an error or {@linkcode abort} removes them.
 *
 * @example Copy one read
 * ```ts
 * import { Pod5Reader } from "./reader.ts";
 * import { Pod5Writer } from "./writer.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await using reader = await Pod5Reader.open("tests/fixtures/pod5/b1.pod5");
 * const writer = await Pod5Writer.create(`${dir}/one.pod5`);
 * for (const run of reader.runInfos) await writer.addRunInfo(run);
 * for await (const read of reader.reads()) {
 *   await writer.addRead(read);
 *   break;
 * }
 * await writer.close();
 * await using copy = await Pod5Reader.open(`${dir}/one.pod5`);
 * if (copy.readCount !== 1) throw new Error("expected one read");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class Pod5Writer implements AsyncDisposable {
  /** The file that {@linkcode close} creates. */
  readonly path: string;
  readonly #out: AtomicFile;
  readonly #spillPath: string;
  readonly #spill: Deno.FsFile;
  readonly #meta: TableMetadata;
  readonly #compression: SignalCompression;
  readonly #chunkSamples: number;
  readonly #signalBatchRows: number;
  readonly #readsBatchRows: number;
  readonly #encoder: VbzEncoder | undefined;
  readonly #marker: Uint8Array;
  readonly #signalSchema: Schema;
  readonly #signal: ArrowIpcFileWriter;
  readonly #signalOffset: number;
  #position = 0;
  #pendingRows: SignalRowToWrite[] = [];
  #nextRow = 0;
  #spillText = "";
  readonly #runs = new Map<string, RunInfo>();
  readonly #runIndex = new Map<string, number>();
  readonly #poreTypeIndex = new Map<string, number>();
  readonly #readIds = new Set<string>();
  #state: "open" | "closing" | "closed" | "aborted" = "open";

  private constructor(
    path: string,
    files: { out: AtomicFile; spillPath: string; spill: Deno.FsFile },
    settings: {
      meta: TableMetadata;
      compression: SignalCompression;
      chunkSamples: number;
      signalBatchRows: number;
      readsBatchRows: number;
      encoder: VbzEncoder | undefined;
      marker: Uint8Array;
    },
  ) {
    this.path = path;
    this.#out = files.out;
    this.#spillPath = files.spillPath;
    this.#spill = files.spill;
    this.#meta = settings.meta;
    this.#compression = settings.compression;
    this.#chunkSamples = settings.chunkSamples;
    this.#signalBatchRows = settings.signalBatchRows;
    this.#readsBatchRows = settings.readsBatchRows;
    this.#encoder = settings.encoder;
    this.#marker = settings.marker;
    this.#signalOffset = POD5_SIGNATURE.length + SECTION_MARKER_BYTES;
    this.#signalSchema = signalTableSchema(this.#compression, this.#meta);
    this.#signal = ArrowIpcFileWriter.start(this.#signalSchema);
  }

  /**
   * Start writing `path` (through a temporary file beside it).
   *
   * @param path The POD5 file to create.
   * @param options Layout and overwrite options.
   * @returns The writer.
   * @throws {Pod5Error} When `path` exists (without `overwrite`) or cannot be written.
   */
  static async create(path: string, options: Pod5WriterOptions = {}): Promise<Pod5Writer> {
    const chunkSamples = options.signalChunkSamples ?? SIGNAL_CHUNK_SAMPLES;
    const signalBatchRows = options.signalBatchRows ?? SIGNAL_BATCH_ROWS;
    const readsBatchRows = options.readsBatchRows ?? READS_BATCH_ROWS;
    for (
      const [name, value, max] of [
        ["signalChunkSamples", chunkSamples, SIGNAL_CHUNK_SAMPLES],
        ["signalBatchRows", signalBatchRows, UINT32_MAX],
        ["readsBatchRows", readsBatchRows, UINT32_MAX],
      ] as const
    ) {
      if (!Number.isInteger(value) || value < 1 || value > max) {
        throw new RangeError(`Cannot create POD5 writer: ${name} must be an integer in [1, ${max}], got ${value}`);
      }
    }
    const fileIdentifier = options.fileIdentifier ?? crypto.randomUUID();
    if (!isUuid(fileIdentifier)) {
      throw new TypeError(`Cannot create POD5 writer: fileIdentifier "${fileIdentifier}" is not a UUID`);
    }
    const marker = options.sectionMarker ?? crypto.randomUUID();
    if (!isUuid(marker)) throw new TypeError(`Cannot create POD5 writer: sectionMarker "${marker}" is not a UUID`);
    if (options.overwrite !== true && await pathExists(path)) {
      throw new Pod5Error(path, "Cannot create POD5: the file exists (remove it or allow overwriting)");
    }
    const compression = options.signalCompression ?? "vbz";
    const encoder = compression === "vbz" ? await createVbzEncoder() : undefined;
    const spillPath = `${tempPathOf(path)}.reads`;
    let out: AtomicFile | undefined;
    let spill: Deno.FsFile | undefined;
    try {
      out = await AtomicFile.create(path);
      spill = await Deno.open(spillPath, { write: true, create: true, truncate: true });
    } catch (error) {
      await out?.abort();
      spill?.close();
      await removeIfPresent(spillPath);
      throw new Pod5Error(path, `Cannot create POD5: ${error instanceof Error ? error.message : error}`, {
        cause: error,
      });
    }
    const writer = new Pod5Writer(path, { out, spillPath, spill }, {
      meta: { fileIdentifier, software: options.software ?? `SimVQGAN ${VERSION}`, pod5Version: WRITER_POD5_VERSION },
      compression,
      chunkSamples,
      signalBatchRows,
      readsBatchRows,
      encoder,
      marker: uuidToBytes(marker),
    });
    return await startOrAbort(writer, async () => {
      await writer.#write([POD5_SIGNATURE, writer.#marker]);
      await writer.#write(writer.#signal.takeOutput());
    });
  }

  /** Reads added so far. */
  get readCount(): number {
    return this.#readIds.size;
  }

  /**
   * Add a run (acquisition). A run must be added before its reads; adding
   * the same run again is allowed when it is identical.
   *
   * @param runInfo The run.
   * @throws {TypeError} When a different run with the same acquisition id was added.
   */
  async addRunInfo(runInfo: RunInfo): Promise<void> {
    this.#assertOpen();
    const known = this.#runs.get(runInfo.acquisitionId);
    if (known !== undefined) {
      if (JSON.stringify(known) !== JSON.stringify(runInfo)) {
        throw new TypeError(`Cannot add run ${runInfo.acquisitionId}: a different run with this id was added`);
      }
      return;
    }
    if (runInfo.acquisitionId === "") throw new TypeError("Cannot add run: acquisitionId is empty");
    if (!Number.isInteger(runInfo.sampleRateHz) || runInfo.sampleRateHz < 1 || runInfo.sampleRateHz > UINT16_MAX) {
      throw new RangeError(`Cannot add run ${runInfo.acquisitionId}: sample rate ${runInfo.sampleRateHz} Hz`);
    }
    this.#runs.set(runInfo.acquisitionId, { ...runInfo });
    await Promise.resolve();
  }

  /**
   * Add a read: its signal is chunked (≤ 102,400 samples per row), encoded
   * and queued for the signal table; its metadata goes to the reads table.
   *
   * @param read The read; its run must have been added.
   * @throws {RangeError} When a field is out of its column's range or the signal length differs from `numSamples`.
   * @throws {TypeError} When the read id is not a UUID, is a duplicate, or its run is unknown.
   */
  async addRead(read: ReadToWrite): Promise<void> {
    this.#assertOpen();
    const readId = read.readId.toLowerCase();
    checkRead(read);
    if (this.#readIds.has(readId)) throw new TypeError(`Cannot add read ${readId}: it was added already`);
    if (!this.#runs.has(read.acquisitionId)) {
      throw new TypeError(`Cannot add read ${readId}: its run ${read.acquisitionId} was not added with addRunInfo`);
    }
    const signal = read.signal();
    if (signal.length !== read.numSamples) {
      throw new RangeError(
        `Cannot add read ${readId}: signal has ${signal.length} samples, numSamples is ${read.numSamples}`,
      );
    }
    const idBytes = uuidToBytes(readId);
    const firstSignalRow = this.#nextRow;
    for (let start = 0; start < signal.length; start += this.#chunkSamples) {
      const chunk = signal.subarray(start, Math.min(signal.length, start + this.#chunkSamples));
      this.#pendingRows.push({
        readIdBytes: idBytes,
        numSamples: chunk.length,
        data: this.#encoder === undefined ? chunk.slice() : this.#encoder.encode(chunk),
      });
      this.#nextRow++;
      if (this.#pendingRows.length === this.#signalBatchRows) await this.#flushSignalRows();
    }
    const row: ReadRow = {
      readId,
      firstSignalRow,
      signalRowCount: this.#nextRow - firstSignalRow,
      readNumber: read.readNumber,
      startSample: read.startSample,
      medianBeforePa: read.medianBeforePa,
      numMinknowEvents: read.numMinknowEvents,
      trackedScalingScale: read.trackedScaling.scale,
      trackedScalingShift: read.trackedScaling.shift,
      predictedScalingScale: read.predictedScaling.scale,
      predictedScalingShift: read.predictedScaling.shift,
      numReadsSinceMuxChange: read.numReadsSinceMuxChange,
      timeSinceMuxChangeSec: read.timeSinceMuxChangeSec,
      numSamples: read.numSamples,
      channel: read.channel,
      well: read.well,
      poreTypeIndex: indexOf(this.#poreTypeIndex, read.poreType),
      calibrationOffsetAdc: read.calibration.offsetAdc,
      calibrationScalePaPerAdc: read.calibration.scalePaPerAdc,
      endReasonIndex: END_REASON_NAMES.indexOf(read.endReason.name),
      endReasonForced: read.endReason.forced,
      runInfoIndex: indexOf(this.#runIndex, read.acquisitionId),
      openPoreLevelPa: read.openPoreLevelPa,
    };
    this.#readIds.add(readId);
    // NaN becomes null in JSON; the reviver in #spilledRows turns it back.
    this.#spillText += JSON.stringify(row) + "\n";
    if (this.#spillText.length >= SPILL_FLUSH_CHARS) await this.#flushSpill();
  }

  /**
   * Finish the file: the last signal batch, the run_info and reads tables,
   * the footer; then rename the temporary file to {@linkcode path}.
   *
   * @throws {Pod5Error} When writing fails (nothing is left at `path`).
   */
  async close(): Promise<void> {
    this.#assertOpen();
    this.#state = "closing";
    try {
      if (this.#pendingRows.length > 0) await this.#flushSignalRows();
      this.#signal.finish();
      await this.#write(this.#signal.takeOutput());
      const signal = this.#entry(this.#signalOffset, this.#signal.bytesWritten, CONTENT_TYPE.signal);
      await this.#endSection();
      const runInfo = await this.#writeTable(this.#runInfoTable(), CONTENT_TYPE.runInfo);
      await this.#flushSpill();
      this.#spill.close();
      const reads = await this.#writeTable(this.#readsTable(), CONTENT_TYPE.reads);
      crashPoint("pod5:tables");
      const footer = encodeFooter({
        fileIdentifier: this.#meta.fileIdentifier,
        software: this.#meta.software,
        pod5Version: this.#meta.pod5Version,
        contents: [signal, runInfo, reads],
      });
      const footerLength = new Uint8Array(8);
      new DataView(footerLength.buffer).setBigInt64(0, BigInt(footer.length), true);
      await this.#write([FOOTER_MAGIC, footer, footerLength, this.#marker, POD5_SIGNATURE]);
      await this.#out.commit({ crashPoint: "pod5:footer" });
      await removeIfPresent(this.#spillPath);
      this.#state = "closed";
    } catch (error) {
      await this.abort();
      if (error instanceof Pod5Error) throw error;
      throw new Pod5Error(this.path, `Cannot write POD5: ${error instanceof Error ? error.message : error}`, {
        cause: error,
      });
    }
  }

  /** Stop writing and remove the temporary files; `path` is left untouched. */
  async abort(): Promise<void> {
    if (this.#state === "closed" || this.#state === "aborted") return;
    this.#state = "aborted";
    try {
      this.#spill.close();
    } catch {
      // Already closed: nothing to release.
    }
    await this.#out.abort();
    await removeIfPresent(this.#spillPath);
  }

  /** Abort unless closed (for `await using`): an exception never leaves a partial file. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.abort();
  }

  #assertOpen(): void {
    if (this.#state !== "open") throw new TypeError(`Cannot write ${this.path}: the writer is ${this.#state}`);
  }

  #entry(offset: number, length: number, contentType: number): EmbeddedFileEntry {
    return { offset, length, format: FORMAT_FEATHER_V2, contentType };
  }

  async #flushSignalRows(): Promise<void> {
    this.#signal.write(signalBatch(this.#signalSchema, this.#pendingRows));
    this.#pendingRows = [];
    await this.#write(this.#signal.takeOutput());
  }

  async #flushSpill(): Promise<void> {
    if (this.#spillText === "") return;
    const bytes = new TextEncoder().encode(this.#spillText);
    this.#spillText = "";
    await writeAll(this.#spill, bytes);
  }

  /** Write one whole embedded table from its batches; returns its footer entry. */
  async #writeTable(
    table: { writer: ArrowIpcFileWriter; batches: AsyncIterable<RecordBatch> },
    contentType: number,
  ): Promise<EmbeddedFileEntry> {
    const offset = this.#position;
    await this.#write(table.writer.takeOutput());
    for await (const batch of table.batches) {
      table.writer.write(batch);
      await this.#write(table.writer.takeOutput());
    }
    table.writer.finish();
    await this.#write(table.writer.takeOutput());
    const entry = this.#entry(offset, table.writer.bytesWritten, contentType);
    await this.#endSection();
    return entry;
  }

  #runInfoTable() {
    const schema = runInfoTableSchema(this.#meta);
    const runs = [...this.#runs.values()];
    async function* batches() {
      for (let i = 0; i < runs.length; i += RUN_INFO_BATCH_ROWS) {
        yield await Promise.resolve(runInfoBatch(schema, runs.slice(i, i + RUN_INFO_BATCH_ROWS)));
      }
    }
    return { writer: ArrowIpcFileWriter.start(schema), batches: batches() };
  }

  #readsTable() {
    const schema = readsTableSchema(this.#meta);
    const dictionaries: ReadsDictionaries = {
      poreType: vectorFromArray([...this.#poreTypeIndex.keys()], new Utf8()),
      endReason: vectorFromArray([...END_REASON_NAMES], new Utf8()),
      runInfo: vectorFromArray([...this.#runIndex.keys()], new Utf8()),
    };
    const spillPath = this.#spillPath;
    const batchRows = this.#readsBatchRows;
    async function* batches() {
      let rows: ReadRow[] = [];
      for await (const line of readLines(spillPath)) {
        rows.push(JSON.parse(line, (_key, value) => (value === null ? Number.NaN : value)));
        if (rows.length === batchRows) {
          yield readsBatch(schema, rows, dictionaries);
          rows = [];
        }
      }
      if (rows.length > 0) yield readsBatch(schema, rows, dictionaries);
    }
    return { writer: ArrowIpcFileWriter.start(schema), batches: batches() };
  }

  /** Zero padding to the next multiple of 8 (file-absolute), then a section marker (notes §1). */
  async #endSection(): Promise<void> {
    const padding = (8 - (this.#position % 8)) % 8;
    await this.#write([new Uint8Array(padding), this.#marker]);
  }

  async #write(chunks: readonly Uint8Array[]): Promise<void> {
    for (const chunk of chunks) {
      if (chunk.length === 0) continue;
      await this.#out.write(chunk);
      this.#position += chunk.length;
    }
  }
}

/** Spilled read metadata is written in pieces of about this many characters. */
const SPILL_FLUSH_CHARS = 1 << 20;

function checkRead(read: ReadMetadata): void {
  const id = read.readId;
  if (!isUuid(id)) throw new TypeError(`Cannot add read: "${id}" is not a UUID`);
  const inRange = (name: string, value: number, max: number) => {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new RangeError(`Cannot add read ${id}: ${name} ${value} is outside [0, ${max}]`);
    }
  };
  inRange("readNumber", read.readNumber, UINT32_MAX);
  inRange("startSample", read.startSample, Number.MAX_SAFE_INTEGER);
  inRange("numMinknowEvents", read.numMinknowEvents, Number.MAX_SAFE_INTEGER);
  inRange("numReadsSinceMuxChange", read.numReadsSinceMuxChange, UINT32_MAX);
  inRange("numSamples", read.numSamples, Number.MAX_SAFE_INTEGER);
  inRange("channel", read.channel, UINT16_MAX);
  inRange("well", read.well, UINT8_MAX);
  if (!Number.isFinite(read.calibration.offsetAdc) || !Number.isFinite(read.calibration.scalePaPerAdc)) {
    throw new RangeError(`Cannot add read ${id}: calibration must be finite`);
  }
  if (!END_REASON_NAMES.includes(read.endReason.name)) {
    throw new RangeError(`Cannot add read ${id}: unknown end reason "${read.endReason.name}"`);
  }
}

/** The index of `value` in an insertion-ordered dictionary, adding it when new. */
function indexOf(dictionary: Map<string, number>, value: string): number {
  let index = dictionary.get(value);
  if (index === undefined) {
    index = dictionary.size;
    if (index > 0x7fff) throw new RangeError(`Cannot add "${value}": more than 32,768 distinct dictionary values`);
    dictionary.set(value, index);
  }
  return index;
}

async function* readLines(path: string): AsyncGenerator<string> {
  const file = await Deno.open(path, { read: true });
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of file.readable) {
    rest += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let newline = rest.indexOf("\n"); newline >= 0; newline = rest.indexOf("\n", start)) {
      yield rest.slice(start, newline);
      start = newline + 1;
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest !== "") yield rest;
}
