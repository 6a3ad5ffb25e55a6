/**
 * The flags of `deno task serve` (and of `serve.ts`, which the task starts
 * with `deno serve`): checkpoint, address, limits, backend and workers.
 *
 * @module
 */
import { parseFlags, UsageError } from "../runtime/args.ts";
import { BACKEND_NAMES, type BackendName } from "../runtime/config_schema.ts";
import { defaultWorkers } from "../runtime/file_task_flags.ts";

/** Default `--port`. */
export const DEFAULT_PORT = 8080;
/** Default `--hostname`: this machine only. */
export const DEFAULT_HOSTNAME = "127.0.0.1";
/** Default `--max-body-mb`, MiB. */
export const DEFAULT_MAX_BODY_MB = 256;
/** Default `--queue`: requests that may wait for a slot. */
export const DEFAULT_QUEUE = 16;
/** Bytes per MiB (`--max-body-mb`). */
export const BYTES_PER_MIB = 1024 * 1024;

/** The parsed flags. */
export interface ServeFlags {
  /** `--help` was given (the rest may be defaults). */
  readonly help: boolean;
  /** `--ckpt`: a checkpoint_<step> folder or a run folder. */
  readonly ckpt: string;
  /** `--port` (0: any free port). */
  readonly port: number;
  /** `--hostname`. */
  readonly hostname: string;
  /** `--max-body-mb`, as bytes. */
  readonly maxBodyBytes: number;
  /** `--backend`. */
  readonly backend: BackendName;
  /** `--concurrency`: requests processed at once (default: the machine's cores). */
  readonly concurrency: number;
  /** `--queue`: requests that may wait (default {@linkcode DEFAULT_QUEUE}). */
  readonly queue: number;
  /** `--workers`: Deno Workers running the model (default: cores, at most 4; 0: the server's thread). */
  readonly workers: number;
  /** `--temp-dir`: where request files go (undefined: the system's temp folder). */
  readonly tempDir: string | undefined;
}

function integer(name: string, text: string | undefined, fallback: number, min: number, max = 2 ** 31): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`Cannot parse flags: --${name} needs an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/**
 * Parse the serve flags.
 *
 * @example
 * ```ts
 * import { parseServeFlags } from "./serve_flags.ts";
 * const flags = parseServeFlags(["--ckpt", "checkpoints/quickstart", "--max-body-mb", "1.5"]);
 * if (flags.port !== 8080 || flags.hostname !== "127.0.0.1" || flags.maxBodyBytes !== 1572864) {
 *   throw new Error("unexpected");
 * }
 * ```
 *
 * @param args The raw arguments.
 * @returns The flags with defaults filled in.
 * @throws {UsageError} On an unknown flag, a missing `--ckpt`, or a bad number.
 */
export function parseServeFlags(args: readonly string[]): ServeFlags {
  const flags = parseFlags(args, {
    string: ["ckpt", "port", "hostname", "max-body-mb", "backend", "concurrency", "queue", "workers", "temp-dir"],
  });
  const help = flags.booleans.get("help") === true;
  if (flags.positional.length > 0) {
    throw new UsageError(`Cannot parse flags: serve takes no positional arguments, got "${flags.positional[0]}"`);
  }
  const ckpt = flags.strings.get("ckpt");
  if (!help && ckpt === undefined) throw new UsageError("Cannot serve: --ckpt is required (see --help)");
  const backend = flags.strings.get("backend") ?? "auto";
  if (backend !== "auto" && !(BACKEND_NAMES as readonly string[]).includes(backend)) {
    throw new UsageError(`Cannot parse flags: --backend is auto, ${BACKEND_NAMES.join(", ")}, not "${backend}"`);
  }
  const mbText = flags.strings.get("max-body-mb");
  const mb = mbText === undefined ? DEFAULT_MAX_BODY_MB : Number(mbText);
  if (!Number.isFinite(mb) || mb <= 0 || mb > 1024 * 1024) {
    throw new UsageError(`Cannot parse flags: --max-body-mb needs a positive number of MiB, got "${mbText}"`);
  }
  return {
    help,
    ckpt: ckpt ?? "",
    port: integer("port", flags.strings.get("port"), DEFAULT_PORT, 0, 65535),
    hostname: flags.strings.get("hostname") ?? DEFAULT_HOSTNAME,
    maxBodyBytes: Math.floor(mb * BYTES_PER_MIB),
    backend: backend as BackendName,
    concurrency: integer("concurrency", flags.strings.get("concurrency"), navigator.hardwareConcurrency || 1, 1),
    queue: integer("queue", flags.strings.get("queue"), DEFAULT_QUEUE, 0),
    workers: integer("workers", flags.strings.get("workers"), defaultWorkers(), 0, 64),
    tempDir: flags.strings.get("temp-dir"),
  };
}
