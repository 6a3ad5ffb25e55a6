/**
 * `Pod5Reader`: open a POD5 file, list its runs and reads, iterate reads in
 * file order or fetch one by id; signal is decoded per read, on demand.
 *
 * @module
 */
import { type Table, tableFromIPC } from "apache-arrow";
import { checkArrowColumns } from "../arrow/check_arrow_data.ts";
import { checkArrowIpcBytes, checkArrowIpcFile } from "../arrow/check_arrow_ipc_file.ts";
import { embeddedFileHandle } from "../arrow/random_access_file.ts";
import { openContainer, type Pod5Container } from "./container.ts";
import { Pod5Error, Pod5FormatError, Pod5ReadNotFoundError } from "./errors.ts";
import type { EmbeddedFileEntry } from "./footer.ts";
import { createPod5Read, type Pod5Read } from "./pod5_read.ts";
import { ReadsTable } from "./reads_table.ts";
import { parseRunInfoTable } from "./run_info_table.ts";
import { type SignalRow, SignalTable } from "./signal_table.ts";
import type { Pod5FileInfo, ReadMetadata, RunInfo } from "./types.ts";
import { UUID_BYTES, uuidToBytes } from "./uuid.ts";

/** Options of {@linkcode Pod5Reader.reads}. */
export interface ReadsOptions {
  /** Only these read ids (yielded in file order). Default: all reads. */
  readonly selection?: Iterable<string>;
  /** Skip selected ids that are not in the file instead of throwing. Default false. */
  readonly missingOk?: boolean;
}

/**
 * Reads a POD5 file: footer, run infos and the reads table are loaded on
 * open; signal batches are loaded as reads need them (at most two cached),
 * so a file's signal is never all in memory.
 *
 * @example Iterate reads, then fetch one by id
 * ```ts
 * import { Pod5Reader } from "./reader.ts";
 *
 * await using pod5 = await Pod5Reader.open("tests/fixtures/pod5/b1.pod5");
 * const lengths: number[] = [];
 * for await (const read of pod5.reads()) lengths.push(read.signal().length);
 * if (lengths.join() !== "20210,20688,12481,36046") throw new Error(`got ${lengths}`);
 * const read = await pod5.read("30f393d8-8937-4d64-bef8-f24661fb0c75");
 * if (read.sampleRateHz !== 4000 || read.channel !== 195) throw new Error("wrong read");
 * ```
 */
export class Pod5Reader implements AsyncDisposable {
  /** The file. */
  readonly path: string;
  /** Footer facts: identifier, software, version, compression, size. */
  readonly info: Pod5FileInfo;
  /** The runs (acquisitions) in the file. */
  readonly runInfos: readonly RunInfo[];
  readonly #container: Pod5Container;
  readonly #reads: ReadsTable;
  readonly #signal: SignalTable;
  readonly #runs: ReadonlyMap<string, RunInfo>;

  private constructor(container: Pod5Container, reads: ReadsTable, signal: SignalTable, runInfos: RunInfo[]) {
    this.path = container.file.path;
    this.#container = container;
    this.#reads = reads;
    this.#signal = signal;
    this.runInfos = runInfos;
    this.#runs = new Map(runInfos.map((run) => [run.acquisitionId, run]));
    this.info = {
      fileIdentifier: container.footer.fileIdentifier,
      software: container.footer.software,
      pod5Version: container.footer.pod5Version,
      signalCompression: signal.compression,
      sizeBytes: container.file.sizeBytes,
      signalTableBytes: container.signal.length,
    };
  }

  /**
   * Open a POD5 file.
   *
   * @param path The file.
   * @returns The reader; close it (or `await using` it) when done.
   * @throws {Pod5FormatError} When the file is not a readable POD5 file.
   * @throws {Pod5Error} When it cannot be opened at all.
   *
   * @example A file that is not POD5
   * ```ts
   * import { Pod5Reader } from "./reader.ts";
   * import { Pod5FormatError } from "./errors.ts";
   *
   * const error = await Pod5Reader.open("tests/fixtures/pod5/not_a_pod5.pod5").catch((e: unknown) => e);
   * if (!(error instanceof Pod5FormatError)) throw new Error("expected a Pod5FormatError");
   * // error.message: "tests/fixtures/pod5/not_a_pod5.pod5: Not a valid POD5 file: bad signature (...)"
   * ```
   */
  static async open(path: string): Promise<Pod5Reader> {
    const container = await openContainer(path);
    try {
      const runInfos = await readTable(container, container.runInfo, "run_info", (table) => parseRunInfoTable(table));
      const reads = await readTable(container, container.reads, "reads", (table) => ReadsTable.fromTable(table));
      const signal = await tableStep(
        path,
        container.signal,
        "signal",
        async () => {
          const { offset, length } = container.signal;
          await checkArrowIpcFile({ sizeBytes: length, read: (at, n) => container.file.readAt(offset + at, n) });
          return await SignalTable.open(embeddedFileHandle(container.file, offset, length));
        },
      );
      const runIds = new Set(runInfos.map((run) => run.acquisitionId));
      if (runIds.size !== runInfos.length) {
        throw new Pod5FormatError(path, "Cannot read run_info table: an acquisition_id appears twice");
      }
      return new Pod5Reader(container, reads, signal, runInfos);
    } catch (error) {
      await container.file.close();
      throw error;
    }
  }

  /** Number of reads in the file. */
  get readCount(): number {
    return this.#reads.count;
  }

  /** Every read id, in file order. */
  readIds(): string[] {
    return Array.from({ length: this.#reads.count }, (_, i) => this.#wrap(i, () => this.#reads.readIdAt(i)));
  }

  /**
   * The metadata of every read in file order, without touching the signal.
   *
   * @returns One entry per read.
   */
  readMetadata(): ReadMetadata[] {
    return Array.from({ length: this.#reads.count }, (_, i) => this.#wrap(i, () => this.#reads.metadata(i)));
  }

  /**
   * Iterate reads in file order, loading each read's signal rows just before
   * it is yielded; `read.signal()` decodes them.
   *
   * @param options An optional selection of read ids.
   * @returns An async iterator of reads.
   * @throws {Pod5ReadNotFoundError} When a selected id is absent (unless `missingOk`).
   */
  async *reads(options: ReadsOptions = {}): AsyncGenerator<Pod5Read> {
    let indices: number[];
    if (options.selection === undefined) {
      indices = Array.from({ length: this.#reads.count }, (_, i) => i);
    } else {
      const wanted = new Set<number>();
      for (const id of options.selection) {
        const index = this.#reads.indexOf(id);
        if (index !== undefined) wanted.add(index);
        else if (options.missingOk !== true) throw new Pod5ReadNotFoundError(this.path, id);
      }
      indices = [...wanted].sort((a, b) => a - b);
    }
    for (const index of indices) yield await this.#readAt(index);
  }

  /**
   * One read by id (the id index is built once, on first use).
   *
   * @param readId Canonical UUID text.
   * @returns The read.
   * @throws {Pod5ReadNotFoundError} When the file has no such read.
   */
  async read(readId: string): Promise<Pod5Read> {
    const index = this.#reads.indexOf(readId);
    if (index === undefined) throw new Pod5ReadNotFoundError(this.path, readId);
    return await this.#readAt(index);
  }

  /** Close the file. */
  async close(): Promise<void> {
    await this.#container.file.close();
  }

  /** Close the file (for `await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #readAt(index: number): Promise<Pod5Read> {
    const metadata = this.#wrap(index, () => this.#reads.metadata(index));
    const rowNumbers = this.#wrap(index, () => this.#reads.signalRows(index));
    const runInfo = this.#runs.get(metadata.acquisitionId);
    if (runInfo === undefined) {
      throw new Pod5FormatError(
        this.path,
        `read ${metadata.readId} refers to run ${metadata.acquisitionId}, which the run_info table lacks`,
      );
    }
    let rows: SignalRow[];
    try {
      rows = await this.#signal.rows(rowNumbers);
    } catch (error) {
      throw this.#formatError(`read ${metadata.readId}: Cannot load signal`, error);
    }
    checkRows(this.path, metadata, rows);
    return createPod5Read(metadata, { path: this.path, runInfo, compression: this.#signal.compression, rows });
  }

  #wrap<T>(index: number, step: () => T): T {
    try {
      return step();
    } catch (error) {
      throw this.#formatError(`Cannot read reads table row ${index}`, error);
    }
  }

  #formatError(context: string, error: unknown): Pod5Error {
    if (error instanceof Pod5Error) return error;
    const reason = error instanceof Error ? error.message : String(error);
    return new Pod5FormatError(this.path, `${context}: ${reason}`, { cause: error });
  }
}

function checkRows(path: string, metadata: ReadMetadata, rows: readonly SignalRow[]): void {
  const idBytes = uuidToBytes(metadata.readId);
  let total = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    total += row.numSamples;
    for (let b = 0; b < UUID_BYTES; b++) {
      if (row.readIdBytes[b] !== idBytes[b]) {
        throw new Pod5FormatError(path, `read ${metadata.readId}: signal chunk ${i} belongs to another read`);
      }
    }
  }
  if (total !== metadata.numSamples) {
    throw new Pod5FormatError(
      path,
      `read ${metadata.readId}: its signal chunks hold ${total} samples, num_samples says ${metadata.numSamples}`,
    );
  }
}

async function readTable<T>(
  container: Pod5Container,
  entry: EmbeddedFileEntry,
  name: string,
  parse: (table: Table) => T,
): Promise<T> {
  const path = container.file.path;
  return await tableStep(path, entry, name, async () => {
    const bytes = await container.file.readAt(entry.offset, entry.length);
    await checkArrowIpcBytes(bytes);
    const table = tableFromIPC(bytes);
    checkArrowColumns(table);
    return parse(table);
  });
}

async function tableStep<T>(path: string, entry: EmbeddedFileEntry, name: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof Pod5Error) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Pod5FormatError(path, `Cannot read ${name} table: ${reason}`, { byteOffset: entry.offset, cause: error });
  }
}
