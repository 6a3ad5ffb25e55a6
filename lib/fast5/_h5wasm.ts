/**
 * The HDF5 library (h5wasm: HDF5 compiled to WebAssembly) with Deno doing
 * all the file I/O. h5wasm's in-memory file system cannot see the disk, so:
 *
 * - reading mounts one read-only file whose reads are served on demand from a
 *   `Deno.FsFile` (seek + read), so a FAST5 is never loaded whole;
 * - writing builds the file in memory, then writes its bytes through a
 *   temporary name and renames it into place.
 *
 * The browser-flavoured build is used on purpose: h5wasm's Node build copies
 * the whole process environment at start (it would need `--allow-env` for
 * every variable) and opens files itself.
 *
 * @module
 */
import type { File as H5File } from "h5wasm";
import { pathExists } from "../runtime/path_exists.ts";
import { writeAll } from "../runtime/write_all.ts";
import { Fast5Error } from "./errors.ts";

/** The h5wasm module: its `File` class and its in-memory file system. */
interface H5wasm {
  readonly File: typeof H5File;
  readonly fs: EmscriptenFs;
}

/** A node of Emscripten's file system (only what a read-only mount sets). */
interface FsNode {
  readonly id: number;
  mode: number;
  size?: number;
  contents?: Record<string, FsNode>;
  node_ops: Record<string, unknown>;
  stream_ops: Record<string, unknown>;
}

/** The part of Emscripten's `FS` object these helpers use. */
interface EmscriptenFs {
  createNode(parent: FsNode | null, name: string, mode: number, dev: number): FsNode;
  mount(type: { mount(mount: unknown): FsNode }, opts: Record<string, never>, mountpoint: string): unknown;
  unmount(mountpoint: string): void;
  mkdir(path: string): unknown;
  rmdir(path: string): void;
  readFile(path: string): Uint8Array;
  unlink(path: string): void;
  ErrnoError: new (errno: number) => Error;
}

/** POSIX mode bits of a directory and of a regular file (`S_IFDIR`, `S_IFREG`), read-only. */
const DIR_MODE = 0o040555, FILE_MODE = 0o100444;
/** Emscripten errno values: no such entry, invalid argument. */
const ENOENT = 44, EINVAL = 28;
/** `lseek` whence values. */
const SEEK_CUR = 1, SEEK_END = 2;

function isEmscriptenFs(fs: unknown): fs is EmscriptenFs {
  if (typeof fs !== "object" || fs === null) return false;
  const names = ["createNode", "mount", "unmount", "mkdir", "rmdir", "readFile", "unlink", "ErrnoError"];
  return names.every((name) => typeof (fs as Record<string, unknown>)[name] === "function");
}

/**
 * Load h5wasm (once per process: the module caches itself) with HDF5 errors
 * thrown as exceptions rather than printed.
 */
async function loadH5wasm(): Promise<H5wasm> {
  const { default: h5wasm } = await import("h5wasm");
  const module = await h5wasm.ready;
  module.activate_throwing_error_handler();
  if (!isEmscriptenFs(module.FS)) throw new TypeError("Cannot use h5wasm: its file system lacks the expected calls");
  return { File: h5wasm.File, fs: module.FS };
}

/** An HDF5 file open for reading; dispose to close it. */
export interface OpenHdf5 extends Disposable {
  /** The h5wasm file. */
  readonly file: H5File;
}

/**
 * Open `path` read-only. The file's bytes are read on demand.
 *
 * @param path The HDF5 file.
 * @returns The open file; dispose it to close.
 * @throws {Fast5Error} When the file cannot be opened or is not HDF5.
 */
export async function openHdf5(path: string): Promise<OpenHdf5> {
  const { File, fs } = await loadH5wasm();
  let disk: Deno.FsFile;
  let size: number;
  try {
    disk = await Deno.open(path, { read: true });
    size = (await disk.stat()).size;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new Fast5Error(path, "Cannot open FAST5: no such file");
    throw new Fast5Error(path, `Cannot open FAST5: ${error instanceof Error ? error.message : error}`, {
      cause: error,
    });
  }
  const mountpoint = `/simvqgan-${crypto.randomUUID()}`;
  const name = "file.h5";
  fs.mkdir(mountpoint);
  fs.mount({ mount: () => mountOneFile(fs, name, disk, size) }, {}, mountpoint);
  const release = () => {
    fs.unmount(mountpoint);
    fs.rmdir(mountpoint);
    disk.close();
  };
  let file: H5File;
  try {
    file = new File(`${mountpoint}/${name}`, "r");
  } catch (error) {
    release();
    throw new Fast5Error(path, "Cannot open FAST5: not an HDF5 file (or a damaged one)", { cause: error });
  }
  return {
    file,
    [Symbol.dispose]() {
      file.close();
      release();
    },
  };
}

/** A read-only directory holding one file whose reads go to `disk`. */
function mountOneFile(fs: EmscriptenFs, name: string, disk: Deno.FsFile, size: number): FsNode {
  const getattr = (node: FsNode) => {
    const bytes = node.size ?? 0;
    const time = new Date(0);
    return {
      dev: 1,
      ino: node.id,
      mode: node.mode,
      nlink: 1,
      uid: 0,
      gid: 0,
      rdev: 0,
      size: bytes,
      atime: time,
      mtime: time,
      ctime: time,
      blksize: 4096,
      blocks: Math.ceil(bytes / 4096),
    };
  };
  const readOnly = () => {
    throw new fs.ErrnoError(EINVAL);
  };
  const root = fs.createNode(null, "/", DIR_MODE, 0);
  root.node_ops = {
    getattr,
    setattr: readOnly,
    lookup: () => {
      throw new fs.ErrnoError(ENOENT);
    },
    readdir: () => [".", "..", name],
  };
  root.stream_ops = {};
  root.contents = {};
  const node = fs.createNode(root, name, FILE_MODE, 0);
  node.size = size;
  node.node_ops = { getattr, setattr: readOnly };
  node.stream_ops = {
    read(_stream: unknown, heap: Uint8Array, offset: number, length: number, position: number): number {
      if (position >= size) return 0;
      const target = new Uint8Array(heap.buffer, heap.byteOffset + offset, Math.min(length, size - position));
      disk.seekSync(position, Deno.SeekMode.Start);
      let done = 0;
      while (done < target.length) {
        const n = disk.readSync(target.subarray(done));
        if (n === null) break;
        done += n;
      }
      return done;
    },
    llseek(stream: { position: number }, offset: number, whence: number): number {
      const position = offset + (whence === SEEK_CUR ? stream.position : whence === SEEK_END ? size : 0);
      if (position < 0) throw new fs.ErrnoError(EINVAL);
      return position;
    },
  };
  root.contents[name] = node;
  return root;
}

/** Options of {@linkcode writeHdf5}. */
export interface WriteHdf5Options {
  /** Replace an existing file. Default false. */
  readonly overwrite?: boolean;
}

/**
 * Create the HDF5 file `path`: `build` fills a new in-memory file, whose
 * bytes then go to `path` through a temporary name. HDF5 1.10 and later read
 * it (libver bounds earliest–v110), as scrappie's HDF5 does.
 *
 * @param path The file to create.
 * @param build Fills the file (groups, attributes, datasets).
 * @param options Whether an existing file may be replaced.
 * @throws {Fast5Error} When `path` exists (without `overwrite`) or cannot be written.
 */
export async function writeHdf5(
  path: string,
  build: (file: H5File) => void,
  options: WriteHdf5Options = {},
): Promise<void> {
  if (options.overwrite !== true && await pathExists(path)) {
    throw new Fast5Error(path, "Cannot write FAST5: the file exists");
  }
  const { File, fs } = await loadH5wasm();
  const memoryPath = `/simvqgan-${crypto.randomUUID()}.h5`;
  let bytes: Uint8Array;
  try {
    const file = new File(memoryPath, "w", { libver: ["earliest", "v110"] });
    try {
      build(file);
    } finally {
      file.close();
    }
    bytes = fs.readFile(memoryPath);
  } finally {
    try {
      fs.unlink(memoryPath);
    } catch {
      // Never created (File() failed): nothing to remove.
    }
  }
  const tmp = `${path}.tmp-${Deno.pid}`;
  try {
    const out = await Deno.open(tmp, { write: true, create: true, truncate: true });
    try {
      await writeAll(out, bytes);
    } finally {
      out.close();
    }
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => undefined);
    throw new Fast5Error(path, `Cannot write FAST5: ${error instanceof Error ? error.message : error}`, {
      cause: error,
    });
  }
}
