/**
 * Flags → config overrides, declared as a table: each row names a flag, the
 * config key it sets (a dotted path), how its text is read, and any keys it
 * sets besides. `train` and `validate` declare their tables; one function
 * turns the given flags into the override layer that `resolveConfig` puts
 * above the file (CLI > file > defaults).
 *
 * @module
 */
import { resolve } from "@std/path";
import type { FlagSpec, ParsedFlags } from "./args.ts";
import { UsageError } from "./args.ts";
import type { RawConfig } from "./config.ts";

/**
 * How a flag's text becomes a config value:
 * - `integer`, `number`: a finite number (an integer), at least `min` when given;
 * - `string`: as given;
 * - `path`: resolved against the working folder;
 * - `program`: a path when it has a `/`, else a name looked up on PATH;
 * - `list`: comma-separated, empty items dropped;
 * - `auto_or_integer`: `auto` or a non-negative integer;
 * - `auto_or_path`: `auto` or a path;
 * - `boolean`: `--NAME` / `--no-NAME`.
 */
export type FlagKind =
  | "integer"
  | "number"
  | "string"
  | "path"
  | "program"
  | "list"
  | "auto_or_integer"
  | "auto_or_path"
  | "boolean";

/** One flag and the config key it sets. */
export interface FlagRow {
  /** The flag without its dashes, e.g. `max-steps`. */
  readonly flag: string;
  /** The dotted config key it sets, e.g. `train.max_steps`. */
  readonly key: string;
  /** How its text is read. */
  readonly kind: FlagKind;
  /** Smallest value accepted (`integer` and `number`). */
  readonly min?: number;
  /** Keys set besides when the flag is given, dotted, e.g. `{ "data.files": null }`. */
  readonly also?: Readonly<Record<string, unknown>>;
}

/** A task's flags that set config keys. */
export type FlagTable = readonly FlagRow[];

/**
 * The parser spec of a table's flags (plus the task's own), for `parseFlags`.
 *
 * @param table The table.
 * @param own The task's flags that set no config key.
 * @returns Value flags and boolean flags.
 */
export function flagSpecOf(table: FlagTable, own: FlagSpec = {}): FlagSpec {
  return {
    ...own,
    string: [...(own.string ?? []), ...table.filter((row) => row.kind !== "boolean").map((row) => row.flag)],
    boolean: [...(own.boolean ?? []), ...table.filter((row) => row.kind === "boolean").map((row) => row.flag)],
  };
}

/**
 * The config overrides the given flags make, by `table`.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseFlags } from "./args.ts";
 * import { flagSpecOf, type FlagTable, overridesFromFlags } from "./flag_table.ts";
 * const table: FlagTable = [
 *   { flag: "max-steps", key: "train.max_steps", kind: "integer" },
 *   { flag: "subdirs", key: "data.subdirs", kind: "list", also: { "data.files": null } },
 *   { flag: "wandb", key: "logging.wandb.enabled", kind: "boolean" },
 * ];
 * const flags = parseFlags(["--max-steps", "20", "--subdirs", "a,b", "--no-wandb"], flagSpecOf(table));
 * assertEquals(overridesFromFlags(table, flags, { verb: "train" }), {
 *   train: { max_steps: 20 },
 *   data: { subdirs: ["a", "b"], files: null },
 *   logging: { wandb: { enabled: false } },
 * });
 * ```
 *
 * @param table The task's table.
 * @param flags The parsed flags.
 * @param options The task's verb, for messages ("Cannot train: ...").
 * @returns The override layer (only the keys of flags that were given).
 * @throws {UsageError} When a flag's text is not of its kind.
 */
export function overridesFromFlags(
  table: FlagTable,
  flags: ParsedFlags,
  options: { readonly verb: string },
): RawConfig {
  const out: Record<string, unknown> = {};
  for (const row of table) {
    const value = row.kind === "boolean" ? flags.booleans.get(row.flag) : flags.strings.get(row.flag);
    if (value === undefined) continue;
    setKey(out, row.key, typeof value === "boolean" ? value : valueOf(row, value, options.verb));
    for (const [key, also] of Object.entries(row.also ?? {})) setKey(out, key, also);
  }
  return out;
}

/**
 * The flag that sets `key` in `table`, when one does (for messages and hints).
 *
 * @param table The table.
 * @param key A dotted config key.
 * @returns `--flag`, or undefined.
 */
export function flagOf(table: FlagTable, key: string): string | undefined {
  const row = table.find((r) => r.key === key);
  return row === undefined ? undefined : `--${row.flag}`;
}

function valueOf(row: FlagRow, text: string, verb: string): unknown {
  const refuse = (what: string): never => {
    throw new UsageError(`Cannot ${verb}: --${row.flag} needs ${what}, got "${text}"`);
  };
  switch (row.kind) {
    case "string":
      return text;
    case "path":
      return resolve(text);
    case "program":
      return text.includes("/") ? resolve(text) : text;
    case "list":
      return text.split(",").filter((item) => item !== "");
    case "auto_or_path":
      return text === "auto" ? "auto" : resolve(text);
    case "auto_or_integer":
      if (text === "auto") return "auto";
      return /^[0-9]+$/.test(text) ? Number(text) : refuse('"auto" or an integer');
    case "integer":
    case "number": {
      const integer = row.kind === "integer";
      const value = Number(text);
      const ok = Number.isFinite(value) && (!integer || Number.isInteger(value)) &&
        (row.min === undefined || value >= row.min);
      return ok ? value : refuse(describeNumber(integer, row.min));
    }
    case "boolean":
      return refuse("no value");
  }
}

function describeNumber(integer: boolean, min: number | undefined): string {
  const noun = integer ? "integer" : "number";
  if (min === 0) return `a non-negative ${noun}`;
  if (min === 1 && integer) return "a positive integer";
  if (min !== undefined) return `a ${noun} of at least ${min}`;
  return integer ? "an integer" : "a number";
}

function setKey(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next === "object" && next !== null && !Array.isArray(next)) node = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    }
  }
  node[keys[keys.length - 1]!] = value;
}
