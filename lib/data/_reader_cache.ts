/**
 * The POD5 readers a loader keeps open between requests. Readers in use are
 * pinned, so that a file description running alongside a work unit never
 * closes the unit's reader; concurrent requests for one file share one open.
 *
 * @module
 */
import { Pod5Reader } from "../pod5/reader.ts";

/** Unpinned readers kept open beyond this number are closed, least recently used first (default). */
const OPEN_READERS = 2;

interface Entry {
  readonly reader: Promise<Pod5Reader>;
  pins: number;
}

/** Open readers by path, least recently used first. */
export class ReaderCache {
  readonly #entries = new Map<string, Entry>();
  readonly #openReaders: number;
  #closed = false;

  /**
   * Create a ReaderCache.
   *
   * @param openReaders Readers kept open when not in use (least recently used ones close first). Default 2.
   */
  constructor(openReaders: number = OPEN_READERS) {
    if (!Number.isInteger(openReaders) || openReaders < 1) {
      throw new RangeError(`Cannot create reader cache: openReaders ${openReaders} must be a positive integer`);
    }
    this.#openReaders = openReaders;
  }

  /**
   * Run `step` with the open reader of `path`, opening it if needed.
   *
   * @param path The POD5 file.
   * @param step The work; the reader stays open until it settles.
   * @returns What `step` returns.
   * @throws What opening the file throws (the failure is not cached), or what `step` throws.
   */
  async use<T>(path: string, step: (reader: Pod5Reader) => Promise<T>): Promise<T> {
    if (this.#closed) throw new Error(`Cannot open ${path}: the reader cache is closed`);
    let entry = this.#entries.get(path);
    if (entry === undefined) {
      const opened: Entry = { reader: Pod5Reader.open(path), pins: 0 };
      opened.reader.catch(() => {
        if (this.#entries.get(path) === opened) this.#entries.delete(path);
      });
      entry = opened;
    } else {
      this.#entries.delete(path);
    }
    this.#entries.set(path, entry);
    entry.pins++;
    try {
      return await step(await entry.reader);
    } finally {
      entry.pins--;
      if (this.#closed && entry.pins === 0) await closeQuietly(entry);
      else await this.#evict();
    }
  }

  /** Close every reader; readers in use close when their work settles. */
  async close(): Promise<void> {
    this.#closed = true;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    for (const entry of entries) if (entry.pins === 0) await closeQuietly(entry);
  }

  async #evict(): Promise<void> {
    for (const [path, entry] of this.#entries) {
      if (this.#entries.size <= this.#openReaders) return;
      if (entry.pins > 0) continue;
      this.#entries.delete(path);
      await closeQuietly(entry);
    }
  }
}

async function closeQuietly(entry: Entry): Promise<void> {
  let reader: Pod5Reader;
  try {
    reader = await entry.reader;
  } catch {
    return; // It never opened; its error went to whoever asked for it.
  }
  await reader.close();
}
