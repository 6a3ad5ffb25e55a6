/**
 * `runServer()`: what `deno task serve` does: resolve the checkpoint, make
 * the server's private temp folder, and run `serve.ts` under `deno serve`
 * with only the permissions it needs (read: the checkpoint, the temp folder,
 * the WebAssembly binaries of tfjs's wasm backend and of zstd, the native
 * packages' folders (the backend probe reads their package.json to say
 * whether they are installed), and, for the model's Workers, the library's
 * own code;
 * write: the temp folder; net: the listening address; env: the token and
 * the debug switch). The temp folder is removed when the server stops,
 * however it stops.
 *
 * @module
 */
import { dirname, fromFileUrl } from "@std/path";
import { resolveCheckpointDir } from "../checkpoint/resolve_checkpoint_dir.ts";
import { UsageError } from "../runtime/args.ts";
import { zstdWasmDir } from "../pod5/vbz_encoder.ts";
import { wasmBinaryDir } from "../runtime/backend.ts";
import { NATIVE_PACKAGES, nativePackageDir } from "../runtime/native_tensorflow.ts";
import { DEBUG_ENV } from "../runtime/error_report.ts";
import { TOKEN_ENV } from "./serve_app.ts";
import { BYTES_PER_MIB, type ServeFlags } from "./serve_flags.ts";

/** Prefix of the server's private temp folder. */
export const SERVER_TEMP_PREFIX = "simvqgan-serve-";

/** What {@linkcode serveCommandArgs} needs besides the flags. */
export interface ServeCommandPaths {
  /** `serve.ts` (absolute). */
  readonly module: string;
  /** The resolved `checkpoint_<step>` folder (absolute). */
  readonly checkpointDir: string;
  /** The server's private temp folder (absolute). */
  readonly tempDir: string;
}

/** The folder holding the library's code (the model's Workers load it from disk). */
function libraryDir(): string {
  return fromFileUrl(new URL("../", import.meta.url)).replace(/\/$/, "");
}

function permissionList(paths: readonly string[]): string {
  for (const path of paths) {
    if (path.includes(",")) {
      throw new UsageError(`Cannot serve: the path ${path} holds a comma, which a permission list cannot`);
    }
  }
  return paths.join(",");
}

/**
 * The `deno` arguments that run the server: `deno serve` with its
 * permissions, address and `serve.ts` with the server's flags.
 *
 * @example
 * ```ts
 * import { serveCommandArgs } from "./run_server.ts";
 * import { parseServeFlags } from "./serve_flags.ts";
 *
 * const flags = parseServeFlags(["--ckpt", "/ckpt", "--hostname", "0.0.0.0", "--workers", "0"]);
 * const args = serveCommandArgs(flags, { module: "/app/serve.ts", checkpointDir: "/ckpt/checkpoint_500", tempDir: "/tmp/s" });
 * if (!args.includes("--allow-net=0.0.0.0:8080") || !args.includes("--allow-write=/tmp/s")) throw new Error("?");
 * ```
 *
 * @param flags The serve flags.
 * @param paths The module, checkpoint and temp folder.
 * @returns The arguments (after `deno`).
 * @throws {UsageError} When a path holds a comma.
 */
export function serveCommandArgs(flags: ServeFlags, paths: ServeCommandPaths): string[] {
  // The WebAssembly binaries the library reads at run time: tfjs's wasm backend, and zstd for decode's VBZ.
  const reads = [paths.checkpointDir, paths.tempDir, wasmBinaryDir(), zstdWasmDir()];
  // The backend probe reads the native packages' package.json to say whether they are installed.
  for (const name of NATIVE_PACKAGES) {
    const dir = nativePackageDir(name);
    if (dir !== undefined) reads.push(dir);
  }
  if (flags.workers > 0) reads.push(libraryDir());
  const native: string[] = [];
  if (flags.backend === "tensorflow") {
    // As train:gpu: the native binding lives in node_modules and loads through FFI.
    reads.push(`${dirname(paths.module)}/node_modules`);
    native.push("--allow-ffi", "--node-modules-dir=auto");
  }
  const host = flags.hostname.includes(":") ? `[${flags.hostname}]` : flags.hostname;
  return [
    "serve",
    "--no-prompt",
    // request.signal then aborts only when the client goes away (not after every response).
    "--unstable-no-legacy-abort",
    `--allow-read=${permissionList(reads)}`,
    `--allow-write=${permissionList([paths.tempDir])}`,
    `--allow-net=${host}:${flags.port}`,
    `--allow-env=${TOKEN_ENV},${DEBUG_ENV}`,
    ...native,
    "--port",
    String(flags.port),
    "--host",
    flags.hostname,
    paths.module,
    "--ckpt",
    paths.checkpointDir,
    "--temp-dir",
    paths.tempDir,
    "--max-body-mb",
    String(flags.maxBodyBytes / BYTES_PER_MIB),
    "--backend",
    flags.backend,
    "--concurrency",
    String(flags.concurrency),
    "--queue",
    String(flags.queue),
    "--workers",
    String(flags.workers),
    "--max-uploads",
    String(flags.maxUploads),
    "--body-timeout",
    String(flags.bodyTimeoutMs / 1000),
    "--work-timeout",
    String(flags.workTimeoutMs / 1000),
    "--max-samples",
    String(flags.maxSamples),
    "--max-reads",
    String(flags.maxReads),
  ];
}

/** Options of {@linkcode runServer}. */
export interface RunServerOptions {
  /** `serve.ts` (absolute path). */
  readonly module: string;
  /** The executable to run (default `deno`, found on the PATH). */
  readonly deno?: string;
}

const FORWARDED_SIGNALS: readonly Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
const SIGNAL_NUMBERS: Readonly<Partial<Record<Deno.Signal, number>>> = { SIGINT: 2, SIGTERM: 15 };

/**
 * Run the server until it stops; SIGINT and SIGTERM are passed on to it.
 *
 * @param flags The serve flags.
 * @param options Where `serve.ts` is.
 * @returns The server's exit code (128 + the signal's number when a signal ended it).
 * @throws {CheckpointError} When `--ckpt` holds no checkpoint.
 */
export async function runServer(flags: ServeFlags, options: RunServerOptions): Promise<number> {
  const checkpointDir = await resolveCheckpointDir(flags.ckpt);
  const tempDir = await Deno.makeTempDir({
    prefix: SERVER_TEMP_PREFIX,
    ...(flags.tempDir === undefined ? {} : { dir: flags.tempDir }),
  });
  try {
    const child = new Deno.Command(options.deno ?? "deno", {
      args: serveCommandArgs(flags, { module: options.module, checkpointDir, tempDir }),
      cwd: dirname(options.module),
      stdin: "null",
    }).spawn();
    const forward = new Map<Deno.Signal, () => void>();
    for (const signal of FORWARDED_SIGNALS) {
      const listener = () => {
        try {
          child.kill(signal);
        } catch (error) {
          // Deno throws TypeError when the child has already exited: nothing to pass on.
          if (!(error instanceof TypeError)) throw error;
        }
      };
      forward.set(signal, listener);
      Deno.addSignalListener(signal, listener);
    }
    try {
      const status = await child.status;
      return status.signal === null ? status.code : 128 + (SIGNAL_NUMBERS[status.signal] ?? 0);
    } finally {
      for (const [signal, listener] of forward) Deno.removeSignalListener(signal, listener);
    }
  } finally {
    await Deno.remove(tempDir, { recursive: true });
  }
}
