/**
 * Flags shared by the tasks that turn input files into output files
 * (`encode`, `decode`): `IN -o OUT`, `--ckpt`, `--workers`, `--backend`,
 * `--shard`, `--force`, `--json`.
 *
 * @module
 */
import { type FlagSpec, parseFlags, UsageError } from "./args.ts";
import { BACKEND_NAMES, type BackendName } from "./config_schema.ts";
import { parseShard, type Shard } from "./shard.ts";

/** Most Workers a file task starts by default. */
export const MAX_DEFAULT_WORKERS = 4;

/** The parsed common flags, plus the task's own. */
export interface FileTaskFlags {
  /** `--help` was given. */
  readonly help: boolean;
  /** The input path (the one positional argument). */
  readonly input: string;
  /** `-o` / `--output`. */
  readonly output: string;
  /** `--ckpt`, when given. */
  readonly ckpt: string | undefined;
  /** `--backend` (default `auto`). */
  readonly backend: BackendName;
  /** `--workers`, or the default. */
  readonly workers: number;
  /** `--shard I/N`, when given. */
  readonly shard: Shard | undefined;
  /** `--force`. */
  readonly force: boolean;
  /** `--json`. */
  readonly json: boolean;
  /** The task's own value flags. */
  readonly strings: ReadonlyMap<string, string>;
  /** The task's own boolean flags. */
  readonly booleans: ReadonlyMap<string, boolean>;
}

/**
 * The default worker count: the machine's cores, at most {@linkcode MAX_DEFAULT_WORKERS}.
 *
 * @returns The count.
 */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(MAX_DEFAULT_WORKERS, navigator.hardwareConcurrency || 1));
}

/**
 * Parse a file task's flags.
 *
 * @param args The raw arguments.
 * @param own The task's own flags.
 * @returns The flags (with `help` set, the rest may be empty).
 * @throws {UsageError} On unknown flags, a missing input or output, a bad number or a bad `--shard`.
 *
 * @example
 * ```ts
 * import { parseFileTaskFlags } from "./file_task_flags.ts";
 * const flags = parseFileTaskFlags(["in/", "-o", "out/", "--workers", "2", "--shard", "3/8"], {});
 * if (flags.workers !== 2 || flags.output !== "out/" || flags.shard?.index !== 3) throw new Error("unexpected");
 * ```
 */
export function parseFileTaskFlags(args: readonly string[], own: FlagSpec): FileTaskFlags {
  const flags = parseFlags(args, {
    string: ["output", "ckpt", "backend", "workers", "shard", ...(own.string ?? [])],
    boolean: ["force", "json", ...(own.boolean ?? [])],
    alias: { o: "output", ...(own.alias ?? {}) },
  });
  const help = flags.booleans.get("help") === true;
  const [input, ...extra] = flags.positional;
  const output = flags.strings.get("output");
  if (!help && (input === undefined || extra.length > 0)) {
    throw new UsageError("Cannot parse flags: give exactly one input file or folder");
  }
  if (!help && output === undefined) throw new UsageError("Cannot parse flags: -o OUT is required");
  const backend = flags.strings.get("backend") ?? "auto";
  if (backend !== "auto" && !(BACKEND_NAMES as readonly string[]).includes(backend)) {
    throw new UsageError(`Cannot parse flags: --backend is auto, ${BACKEND_NAMES.join(", ")}, not "${backend}"`);
  }
  const workersText = flags.strings.get("workers");
  const workers = workersText === undefined ? defaultWorkers() : Number(workersText);
  if (!Number.isInteger(workers) || workers < 0) {
    throw new UsageError(`Cannot parse flags: --workers needs a non-negative integer, got "${workersText}"`);
  }
  const shardText = flags.strings.get("shard");
  return {
    help,
    input: input ?? "",
    output: output ?? "",
    ckpt: flags.strings.get("ckpt"),
    backend: backend as BackendName,
    workers,
    shard: shardText === undefined ? undefined : parseShard(shardText),
    force: flags.booleans.get("force") === true,
    json: flags.booleans.get("json") === true,
    strings: flags.strings,
    booleans: flags.booleans,
  };
}
