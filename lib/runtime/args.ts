/**
 * Typed command-line flag parsing on top of `@std/cli/parse-args`.
 *
 * The npm mirror of Deno std ships no type declarations, so this module is the
 * one place that calls `parseArgs` and narrows its result.
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";

/** Which flags a command accepts, by kind. */
export interface FlagSpec {
  /** Flags that take a value, e.g. `--config FILE`. */
  readonly string?: readonly string[];
  /** Flags without a value, e.g. `--jsonl`; `--no-NAME` sets them false. */
  readonly boolean?: readonly string[];
  /** Value flags that may repeat; their values are collected in order. */
  readonly collect?: readonly string[];
  /** Short aliases, e.g. `{ o: "output" }`. */
  readonly alias?: Readonly<Record<string, string>>;
}

/** The result of {@linkcode parseFlags}. */
export interface ParsedFlags {
  /** Positional arguments, in order. */
  readonly positional: readonly string[];
  /** Value flags that were given (last one wins). */
  readonly strings: ReadonlyMap<string, string>;
  /** Boolean flags that were given, with their value. */
  readonly booleans: ReadonlyMap<string, boolean>;
  /** Repeatable value flags, with all values in order. */
  readonly lists: ReadonlyMap<string, readonly string[]>;
}

/** A flag that the command does not know, or a value flag without a value. */
export class UsageError extends Error {
  /**
   * Create a UsageError.
   *
   * @param message What is wrong, in std style ("Cannot parse flags: ...").
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Parse `args` against `spec`; unknown flags and value flags without a value
 * throw {@linkcode UsageError}. `--help`/`-h` is always accepted as a boolean.
 *
 * @param args The raw arguments (e.g. `Deno.args` minus the command name).
 * @param spec The flags the command accepts.
 * @returns The positional arguments and the flags that were given.
 */
export function parseFlags(args: readonly string[], spec: FlagSpec): ParsedFlags {
  const stringFlags = [...(spec.string ?? []), ...(spec.collect ?? [])];
  const booleanFlags = [...(spec.boolean ?? []), "help"];
  const aliases: Record<string, string> = { h: "help", ...(spec.alias ?? {}) };
  const known = new Set<string>([...stringFlags, ...booleanFlags, ...Object.keys(aliases)]);
  let unknownFlag: string | undefined;
  const raw: unknown = parseArgs([...args], {
    string: stringFlags,
    boolean: booleanFlags,
    collect: [...(spec.collect ?? [])],
    alias: aliases,
    negatable: [...(spec.boolean ?? [])],
    "--": false,
    unknown: (arg: string, key?: string) => {
      if (key === undefined) return true; // positional
      if (!known.has(key)) {
        unknownFlag ??= arg;
        return false;
      }
      return true;
    },
  });
  if (unknownFlag !== undefined) {
    throw new UsageError(`Cannot parse flags: unknown flag "${unknownFlag}"`);
  }
  if (typeof raw !== "object" || raw === null) {
    throw new UsageError("Cannot parse flags: parser returned no object");
  }
  const record = raw as Record<string, unknown>;
  const positional: string[] = [];
  const rest = record["_"];
  if (Array.isArray(rest)) {
    for (const item of rest) positional.push(String(item));
  }
  const strings = new Map<string, string>();
  for (const name of spec.string ?? []) {
    const value = record[name];
    if (value === undefined) continue;
    if (typeof value !== "string" || value === "") {
      throw new UsageError(`Cannot parse flags: "--${name}" needs a value`);
    }
    strings.set(name, value);
  }
  const lists = new Map<string, readonly string[]>();
  for (const name of spec.collect ?? []) {
    const value = record[name];
    if (Array.isArray(value) && value.length > 0) {
      lists.set(name, value.map((item) => String(item)));
    }
  }
  const booleans = new Map<string, boolean>();
  for (const name of booleanFlags) {
    const value = record[name];
    if (typeof value === "boolean" && wasGiven(args, name, aliases)) {
      booleans.set(name, value);
    }
  }
  return { positional, strings, booleans, lists };
}

/** parseArgs sets every boolean flag to false by default; keep only given ones. */
function wasGiven(
  args: readonly string[],
  name: string,
  aliases: Readonly<Record<string, string>>,
): boolean {
  const spellings = new Set([`--${name}`, `--no-${name}`]);
  for (const [short, long] of Object.entries(aliases)) {
    if (long === name) spellings.add(short.length === 1 ? `-${short}` : `--${short}`);
  }
  return args.some((arg) => spellings.has(arg.split("=")[0] ?? arg));
}
