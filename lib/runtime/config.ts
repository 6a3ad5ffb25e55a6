/**
 * Loading, merging and checking configurations: CLI flags override the file,
 * the file overrides the schema's defaults, in {@linkcode resolveConfig}.
 *
 * @module
 */
import { dirname, isAbsolute, resolve } from "@std/path";
import { z } from "zod";
import { type Config, configSchema } from "./config_schema.ts";
import { ConfigError } from "./errors.ts";

export type { Config } from "./config_schema.ts";

/** A JSON object as read from a file or built from flags. */
export type RawConfig = { readonly [key: string]: unknown };

/** Options of {@linkcode parseConfig}. */
export interface ParseConfigOptions {
  /** The file the document came from, for error messages and relative paths. */
  readonly path?: string;
}

/**
 * Validate a raw config document: unknown keys, wrong types and inconsistent
 * schedules each throw one {@linkcode ConfigError} naming the key path.
 * Relative paths (data, checkpoint) resolve against the config file's
 * directory; values given on the command line are resolved by the caller.
 *
 * @param raw The parsed JSON document (already merged with any overrides).
 * @param options Where it came from.
 * @returns The frozen, complete config.
 */
export function parseConfig(raw: unknown, options: ParseConfigOptions = {}): Readonly<Config> {
  const path = options.path;
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw)) {
    rejectSecrets(raw as RawConfig, path);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) throw toConfigError(result.error, raw, path);
  const config = result.data;
  checkSchedules(config, path);
  if (path !== undefined) resolveFilePaths(config, dirname(resolve(path)));
  return deepFreeze(config);
}

/** Options of {@linkcode resolveConfig}. */
export interface ResolveConfigOptions {
  /** The config file; none means the schema defaults. */
  readonly file?: string | undefined;
  /** Values from CLI flags, as a nested partial document; they win over the file. */
  readonly overrides?: RawConfig;
}

/**
 * Load `file` (if any), merge `overrides` over it, and validate the result:
 * the single place where CLI > file > defaults is decided. Overrides that
 * name the data (`data.root`, `data.subdirs` or `data.files`) also replace
 * the file's `data.train` source keys, which would otherwise win over them.
 *
 * @param options The file and the overrides.
 * @returns The frozen config.
 */
export async function resolveConfig(options: ResolveConfigOptions = {}): Promise<Readonly<Config>> {
  let fileRaw: RawConfig = {};
  if (options.file !== undefined) fileRaw = await readConfigFile(options.file);
  const overrides = options.overrides ?? {};
  const merged = mergeConfigLayers(withoutOverriddenSource(fileRaw, overrides), overrides);
  return parseConfig(merged, options.file === undefined ? {} : { path: options.file });
}

/**
 * Read a JSON config file; a missing file or bad JSON is a {@linkcode ConfigError}.
 *
 * @param file Path of the JSON file.
 * @returns The parsed object.
 */
export async function readConfigFile(file: string): Promise<RawConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "file not found" : String(error);
    throw new ConfigError("", `Cannot read config: ${reason}`, { path: file, cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : String(error);
    throw new ConfigError("", `Cannot parse config: invalid JSON (${reason})`, {
      path: file,
      cause: error,
    });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError("", "Cannot parse config: the top level must be a JSON object", { path: file });
  }
  return raw as RawConfig;
}

/**
 * Deep-merge config layers, later layers winning; objects merge key by key,
 * arrays and scalars are replaced whole. Inputs are not modified.
 *
 * @param base The lower layer (e.g. the file).
 * @param top The upper layer (e.g. CLI flags).
 * @returns A new merged document.
 */
export function mergeConfigLayers(base: RawConfig, top: RawConfig): RawConfig {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(top)) {
    if (value === undefined) continue;
    const below = out[key];
    out[key] = isPlainObject(below) && isPlainObject(value) ? mergeConfigLayers(below, value) : value;
  }
  return out;
}

/** The data-source keys of `data` that `data.train` may override. */
const DATA_SOURCE_KEYS = ["root", "subdirs", "files"] as const;

/** The file layer without its `data.train` source keys when the overrides name the data source. */
function withoutOverriddenSource(file: RawConfig, overrides: RawConfig): RawConfig {
  const data = overrides["data"];
  const fileData = file["data"];
  if (!isPlainObject(data) || !isPlainObject(fileData) || !isPlainObject(fileData["train"])) return file;
  if (!DATA_SOURCE_KEYS.some((key) => data[key] !== undefined)) return file;
  const train: Record<string, unknown> = { ...fileData["train"] };
  for (const key of DATA_SOURCE_KEYS) delete train[key];
  return { ...file, data: { ...fileData, train } };
}

/**
 * The total downsampling factor of the encoder (the hop, in samples per token).
 *
 * @param model The model section.
 * @returns The product of the encoder strides.
 */
export function encoderHop(model: Pick<Config["model"], "enc_down_strides">): number {
  return model.enc_down_strides.reduce((a, b) => a * b, 1);
}

/**
 * The window length in samples: `data.segment_samples`, else
 * `round(segment_sec · sample_rate)`.
 *
 * @param data The data section.
 * @returns Samples per window.
 */
export function segmentSamples(
  data: Pick<Config["data"], "segment_samples" | "segment_sec" | "sample_rate">,
): number {
  if (data.segment_samples !== null) return data.segment_samples;
  if (data.segment_sec === null) {
    throw new ConfigError("data.segment_samples", "one of segment_samples and segment_sec must be set");
  }
  return Math.round(data.segment_sec * data.sample_rate);
}

function checkSchedules(config: Config, path: string | undefined): void {
  const m = config.model;
  const fail = (key: string, message: string): never => {
    throw new ConfigError(key, message, { path });
  };
  if (m.enc_channels.length !== m.enc_down_strides.length + 1) {
    fail(
      "model.enc_channels",
      `has ${m.enc_channels.length} entries but model.enc_down_strides has ${m.enc_down_strides.length}; ` +
        "channels need one entry more than strides (the stem plus one per stage)",
    );
  }
  if (m.dec_channels.length !== m.dec_up_strides.length + 1) {
    fail(
      "model.dec_channels",
      `has ${m.dec_channels.length} entries but model.dec_up_strides has ${m.dec_up_strides.length}; ` +
        "channels need one entry more than strides",
    );
  }
  const down = encoderHop(m);
  const up = m.dec_up_strides.reduce((a, b) => a * b, 1);
  if (down !== up) {
    fail(
      "model.dec_up_strides",
      `product ${up} differs from the product of model.enc_down_strides (${down}); ` +
        "the decoder must upsample by exactly what the encoder downsamples",
    );
  }
  const d = m.discriminator;
  if (d.channels.length !== d.strides.length) {
    fail(
      "model.discriminator.channels",
      `has ${d.channels.length} entries but model.discriminator.strides has ${d.strides.length}`,
    );
  }
  if (config.data.segment_samples === null && config.data.segment_sec === null) {
    fail("data.segment_samples", "one of data.segment_samples and data.segment_sec must be set");
  }
  const window = segmentSamples(config.data);
  if (config.data.segment_samples !== null && config.data.segment_sec !== null) {
    const fromSeconds = Math.round(config.data.segment_sec * config.data.sample_rate);
    if (fromSeconds !== config.data.segment_samples) {
      fail(
        "data.segment_sec",
        `${config.data.segment_sec} s at data.sample_rate ${config.data.sample_rate} Hz is ${fromSeconds} samples, ` +
          `but data.segment_samples is ${config.data.segment_samples}; set one of them to null`,
      );
    }
  }
  const windows = [["data.segment_samples", window]] as [string, number][];
  const split = config.data.train?.segment_samples;
  if (split !== undefined && split !== null) windows.push(["data.train.segment_samples", split]);
  for (const [key, samples] of windows) {
    if (samples % down !== 0) {
      fail(key, `${samples} is not a multiple of the encoder hop ${down} (product of model.enc_down_strides)`);
    }
  }
}

function rejectSecrets(raw: RawConfig, path: string | undefined): void {
  const logging = raw["logging"];
  if (!isPlainObject(logging)) return;
  const wandb = logging["wandb"];
  if (isPlainObject(wandb) && "api_key" in wandb) {
    throw new ConfigError(
      "logging.wandb.api_key",
      "secrets are not read from config files; remove the key and set the WANDB_API_KEY environment variable",
      { path },
    );
  }
}

function resolveFilePaths(config: z.output<typeof configSchema>, base: string): void {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  config.data.root = abs(config.data.root);
  config.checkpoint.dir = abs(config.checkpoint.dir);
  if (config.checkpoint.resume_from !== null && config.checkpoint.resume_from !== "auto") {
    config.checkpoint.resume_from = abs(config.checkpoint.resume_from);
  }
  if (config.checkpoint.drive_backup_dir !== null) {
    config.checkpoint.drive_backup_dir = abs(config.checkpoint.drive_backup_dir);
  }
  if (config.data.files !== null) config.data.files = config.data.files.map(abs);
  const split = config.data.train;
  if (split?.root !== undefined) split.root = abs(split.root);
  if (split?.files !== undefined && split.files !== null) split.files = split.files.map(abs);
}

function toConfigError(error: z.ZodError, raw: unknown, path: string | undefined): ConfigError {
  const issue = error.issues[0];
  if (issue === undefined) return new ConfigError("", "Cannot parse config: invalid", { path });
  const at = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    const keyPath = [...at, key].join(".");
    const valid = validKeysAt(at);
    const nearest = nearestKey(key, valid);
    const hint = nearest === undefined ? "" : `; did you mean "${[...at, nearest].join(".")}"?`;
    return new ConfigError(keyPath, `unknown key${hint}`, { path });
  }
  const keyPath = at.join(".");
  if (issue.code === "invalid_type" && valueAt(raw, at) === undefined) {
    return new ConfigError(keyPath, `missing value, expected ${issue.expected}`, { path });
  }
  return new ConfigError(keyPath === "" ? "(top level)" : keyPath, issue.message, { path });
}

function valueAt(raw: unknown, at: readonly string[]): unknown {
  let node = raw;
  for (const key of at) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** The keys an object schema accepts at `at`, unwrapping defaults and optionals. */
function validKeysAt(at: readonly string[]): string[] {
  let node: z.ZodType | undefined = configSchema;
  for (const key of [...at, null]) {
    while (
      node instanceof z.ZodDefault || node instanceof z.ZodPrefault || node instanceof z.ZodOptional ||
      node instanceof z.ZodNullable
    ) {
      node = node.unwrap() as z.ZodType;
    }
    if (!(node instanceof z.ZodObject)) return [];
    if (key === null) return Object.keys(node.shape);
    node = node.shape[key] as z.ZodType | undefined;
  }
  return [];
}

function nearestKey(key: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valid) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 2)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
