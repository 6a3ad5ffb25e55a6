/**
 * Outputs that appear only complete: a file is written under a temporary
 * name beside its final path (`NAME.tmp-<pid>`) and renamed into place once
 * it is whole; an error, an abort or a crash leaves nothing at the final
 * path (and an existing file there untouched until the rename).
 *
 * @module
 */
import { basename, dirname, join } from "@std/path";
import { crashPoint } from "./crash_point.ts";
import { writeAll } from "./write_all.ts";

/** Options of {@linkcode tempPathOf}. */
export interface TempPathOptions {
  /** Start the temporary name with a dot (`.NAME.tmp-<pid>`), so listings skip it. Default false. */
  readonly hidden?: boolean;
}

/**
 * The temporary name `path` is written under before it is renamed into
 * place: beside it (the rename stays on one file system), and unique to this
 * process.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { tempPathOf } from "./atomic_file.ts";
 * assertEquals(tempPathOf("out/a.tokens"), `out/a.tokens.tmp-${Deno.pid}`);
 * assertEquals(tempPathOf("run/checkpoint_5", { hidden: true }), `run/.checkpoint_5.tmp-${Deno.pid}`);
 * ```
 *
 * @param path The final path.
 * @param options Whether the name is hidden.
 * @returns The temporary path.
 */
export function tempPathOf(path: string, options: TempPathOptions = {}): string {
  const name = `${basename(path)}.tmp-${Deno.pid}`;
  return join(dirname(path), options.hidden === true ? `.${name}` : name);
}

/**
 * A file being written under {@linkcode tempPathOf} its final path:
 * {@linkcode AtomicFile.commit} syncs it and renames it into place,
 * {@linkcode AtomicFile.abort} (or leaving an `await using` block without
 * committing) removes it.
 *
 * @example Write a file that appears only complete
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { AtomicFile } from "./atomic_file.ts";
 * const dir = await Deno.makeTempDir();
 * {
 *   await using out = await AtomicFile.create(`${dir}/a.bin`);
 *   await out.write(new Uint8Array([1, 2, 3]));
 *   assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), [`a.bin.tmp-${Deno.pid}`]);
 *   await out.commit();
 * }
 * assertEquals(await Deno.readFile(`${dir}/a.bin`), new Uint8Array([1, 2, 3]));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class AtomicFile {
  /** The final path. */
  readonly path: string;
  /** Where the bytes go until the commit. */
  readonly tempPath: string;
  /** Bytes written so far. */
  sizeBytes = 0;
  readonly #file: Deno.FsFile;
  #state: "open" | "committed" | "aborted" = "open";

  private constructor(path: string, tempPath: string, file: Deno.FsFile) {
    this.path = path;
    this.tempPath = tempPath;
    this.#file = file;
  }

  /**
   * Open the temporary file of `path` (truncating a stale one of this process).
   *
   * @param path The final path; its folder must exist.
   * @param options The file's permission bits (default: the process's umask).
   * @returns The open file.
   * @throws {Deno.errors.NotFound} When the folder does not exist (and other `Deno.open` errors).
   */
  static async create(path: string, options: { readonly mode?: number } = {}): Promise<AtomicFile> {
    const tempPath = tempPathOf(path);
    const file = await Deno.open(tempPath, {
      write: true,
      create: true,
      truncate: true,
      ...(options.mode === undefined ? {} : { mode: options.mode }),
    });
    return new AtomicFile(path, tempPath, file);
  }

  /**
   * Append `bytes`.
   *
   * @param bytes The bytes, all written.
   * @throws {TypeError} When the file was committed or aborted.
   */
  async write(bytes: Uint8Array): Promise<void> {
    if (this.#state !== "open") throw new TypeError(`Cannot write ${this.path}: the file is ${this.#state}`);
    await writeAll(this.#file, bytes);
    this.sizeBytes += bytes.length;
  }

  /**
   * Sync the bytes to disk, close the file and rename it into place
   * (replacing what is there). On failure the temporary file is removed.
   *
   * @param options `crashPoint`: the named crash point (`lib/runtime/crash_point.ts`) between the sync and
   *   the rename, for tests that kill the process there.
   * @throws {TypeError} When the file was committed or aborted.
   */
  async commit(options: { readonly crashPoint?: string } = {}): Promise<void> {
    if (this.#state !== "open") throw new TypeError(`Cannot commit ${this.path}: the file is ${this.#state}`);
    try {
      await this.#file.sync();
      if (options.crashPoint !== undefined) crashPoint(options.crashPoint);
      this.#file.close();
      this.#state = "committed";
      await Deno.rename(this.tempPath, this.path);
    } catch (error) {
      this.#state = "open";
      await this.abort();
      throw error;
    }
  }

  /** Close and remove the temporary file; the final path is left untouched. Calling it again does nothing. */
  async abort(): Promise<void> {
    if (this.#state === "aborted") return;
    const wasOpen = this.#state === "open";
    this.#state = "aborted";
    if (wasOpen) {
      try {
        this.#file.close();
      } catch {
        // Closed already by a failed commit: nothing to release.
      }
    }
    await removeIfPresent(this.tempPath);
  }

  /** {@linkcode AtomicFile.abort} unless committed (for `await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#state === "open") await this.abort();
  }
}

/**
 * Write `data` to `path` through {@linkcode AtomicFile}: the file appears
 * only whole, replacing an earlier one in one rename.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { writeFileAtomic } from "./atomic_file.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/report.json`, '{"ok":true}\n');
 * assertEquals(await Deno.readTextFile(`${dir}/report.json`), '{"ok":true}\n');
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param path The file.
 * @param data Text (written as UTF-8) or bytes.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await using file = await AtomicFile.create(path);
  await file.write(typeof data === "string" ? new TextEncoder().encode(data) : data);
  await file.commit();
}

/**
 * Run the first writes of a writer that was just created, aborting it (and
 * so removing its temporary file) if they fail.
 *
 * @param writer The new writer.
 * @param start Its first writes.
 * @returns The writer, once they are done.
 */
export async function startOrAbort<W extends { abort(): Promise<void> }>(
  writer: W,
  start: () => Promise<void>,
): Promise<W> {
  try {
    await start();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return writer;
}

/**
 * Remove `path` if it is there (a file, or a folder with `recursive`).
 *
 * @param path The path.
 * @param options Remove a folder and its contents.
 */
export async function removeIfPresent(path: string, options: { readonly recursive?: boolean } = {}): Promise<void> {
  try {
    await Deno.remove(path, { recursive: options.recursive === true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}
