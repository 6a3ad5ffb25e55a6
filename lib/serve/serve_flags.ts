/**
 * The flags of `deno task serve` (and of `serve.ts`, which the task starts
 * with `deno serve`): checkpoint, address, limits, backend and workers.
 *
 * @module
 */
import { parseFlags, UsageError } from "../runtime/args.ts";
import { BACKEND_NAMES, type BackendName } from "../runtime/config_schema.ts";
import { defaultWorkers } from "../runtime/file_task_flags.ts";
import { DEFAULT_MAX_READS, defaultMaxSamples } from "./work_budget.ts";

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
/** Default `--max-uploads`: this many uploads per processing slot (`--concurrency`). */
export const UPLOADS_PER_SLOT = 4;
/** Default `--body-timeout`, seconds. */
export const DEFAULT_BODY_TIMEOUT_S = 30;
/**
 * Default `--work-timeout`, seconds: an hour, 1.8 times the 34 minutes that
 * encoding the default `--max-samples` (357,913,941 samples) takes at the
 * 175 k samples/s the README measures for the quickstart model on 2 CPU cores.
 */
export const DEFAULT_WORK_TIMEOUT_S = 3600;

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
  /** `--max-uploads`: bodies being received at once (default {@linkcode UPLOADS_PER_SLOT} × concurrency). */
  readonly maxUploads: number;
  /** `--body-timeout`, as ms: the longest silence of a body, and the allowance before its rate counts. */
  readonly bodyTimeoutMs: number;
  /** `--work-timeout`, as ms: the longest a request's work may take. */
  readonly workTimeoutMs: number;
  /** `--max-samples`: samples a request may encode, decode or hash (default from `--max-body-mb`). */
  readonly maxSamples: number;
  /** `--max-reads`: reads a request's body may hold. */
  readonly maxReads: number;
}

function seconds(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback * 1000;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(value > 0) || value > 7 * 24 * 3600) {
    throw new UsageError(`Cannot parse flags: --${name} needs a positive number of seconds, got "${text}"`);
  }
  return Math.round(value * 1000);
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
 * const flags = parseServeFlags(["--ckpt", "checkpoints/quickstart", "--max-body-mb", "1.5", "--concurrency", "2"]);
 * if (flags.port !== 8080 || flags.hostname !== "127.0.0.1" || flags.maxBodyBytes !== 1572864) {
 *   throw new Error("unexpected");
 * }
 * // 1.5 MiB at 6 bits per sample; 4 uploads per processing slot; 30 s for a body, an hour for the work.
 * if (flags.maxSamples !== 2_097_152 || flags.maxUploads !== 8 || flags.bodyTimeoutMs !== 30_000) {
 *   throw new Error("unexpected defaults");
 * }
 * ```
 *
 * @param args The raw arguments.
 * @returns The flags with defaults filled in.
 * @throws {UsageError} On an unknown flag, a missing `--ckpt`, or a bad number.
 */
export function parseServeFlags(args: readonly string[]): ServeFlags {
  const flags = parseFlags(args, {
    string: [
      "ckpt",
      "port",
      "hostname",
      "max-body-mb",
      "backend",
      "concurrency",
      "queue",
      "workers",
      "temp-dir",
      "max-uploads",
      "body-timeout",
      "work-timeout",
      "max-samples",
      "max-reads",
    ],
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
  const maxBodyBytes = Math.floor(mb * BYTES_PER_MIB);
  const concurrency = integer("concurrency", flags.strings.get("concurrency"), navigator.hardwareConcurrency || 1, 1);
  return {
    help,
    ckpt: ckpt ?? "",
    port: integer("port", flags.strings.get("port"), DEFAULT_PORT, 0, 65535),
    hostname: flags.strings.get("hostname") ?? DEFAULT_HOSTNAME,
    maxBodyBytes,
    backend: backend as BackendName,
    concurrency,
    queue: integer("queue", flags.strings.get("queue"), DEFAULT_QUEUE, 0),
    workers: integer("workers", flags.strings.get("workers"), defaultWorkers(), 0, 64),
    tempDir: flags.strings.get("temp-dir"),
    maxUploads: integer("max-uploads", flags.strings.get("max-uploads"), UPLOADS_PER_SLOT * concurrency, 1),
    bodyTimeoutMs: seconds("body-timeout", flags.strings.get("body-timeout"), DEFAULT_BODY_TIMEOUT_S),
    workTimeoutMs: seconds("work-timeout", flags.strings.get("work-timeout"), DEFAULT_WORK_TIMEOUT_S),
    maxSamples: integer("max-samples", flags.strings.get("max-samples"), defaultMaxSamples(maxBodyBytes), 1, 2 ** 53),
    maxReads: integer("max-reads", flags.strings.get("max-reads"), DEFAULT_MAX_READS, 1),
  };
}
