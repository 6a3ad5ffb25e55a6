/**
 * The validation config (`configs/validate_dorado.json`): the seed's
 * `validate_dorado.colab.json` sections `pod5`, `ckpt_final`, `out_dir`,
 * `window`, `model`, `dorado`, plus this port's selection and run keys.
 * One strict zod schema holds every default; CLI > file > defaults, and
 * relative paths in a file resolve against its folder.
 *
 * @module
 */
import { dirname, isAbsolute, resolve } from "@std/path";
import { z } from "zod";
import { mergeConfigLayers, type RawConfig, readConfigFile } from "../runtime/config.ts";
import { BACKEND_NAMES, configSchema } from "../runtime/config_schema.ts";
import { ConfigError } from "../runtime/errors.ts";

/** How real reads are cut before validation. */
export type TrimMode = "full" | "drop" | "pad";

const path = z.string().min(1);

const validateSchema = z.strictObject({
  pod5: path.nullable().default(null),
  ckpt_final: path.nullable().default(null),
  out_dir: path.nullable().default(null),
  window: z.strictObject({
    segment_sec: z.number().positive().nullable().default(null),
    sample_rate: z.number().positive().nullable().default(null),
  }).prefault({}),
  model: z.record(z.string(), z.unknown()).nullable().default(null),
  dorado: z.strictObject({
    bin: path.nullable().default(null),
    model: path.default("hac"),
    device: path.nullable().default(null),
    emit_fastq: z.literal(true).default(true),
  }).prefault({}),
  reads: z.number().int().positive().nullable().default(null),
  read_ids: path.nullable().default(null),
  trim_mode: z.enum(["full", "drop", "pad"]).default("full"),
  reference: path.nullable().default(null),
  backend: z.enum(["auto", ...BACKEND_NAMES]).default("auto"),
  workers: z.number().int().nonnegative().nullable().default(null),
});

/** A parsed validation config, every key present. */
export interface ValidateConfig {
  /** The POD5 file or folder to validate on. */
  readonly pod5: string | null;
  /** The checkpoint (a `checkpoint_<step>` folder or a run folder). */
  readonly ckpt_final: string | null;
  /** Where the outputs go. */
  readonly out_dir: string | null;
  /** The window the checkpoint must have (checked; null: not checked). */
  readonly window: { readonly segment_sec: number | null; readonly sample_rate: number | null };
  /** Model keys the checkpoint must have (checked; null: not checked). */
  readonly model: Readonly<Record<string, unknown>> | null;
  /** Dorado: binary (null: `dorado` on PATH), model name or path, device (null: Dorado's choice). */
  readonly dorado: {
    readonly bin: string | null;
    readonly model: string;
    readonly device: string | null;
    readonly emit_fastq: true;
  };
  /** Validate the first N reads (null: all). */
  readonly reads: number | null;
  /** A file of read ids to validate (null: all). */
  readonly read_ids: string | null;
  /** `full` (every sample), `drop` or `pad` (the seed's modes). */
  readonly trim_mode: TrimMode;
  /** A reference FASTA for read-to-reference identity with minimap2 (null: none). */
  readonly reference: string | null;
  /** Compute backend. */
  readonly backend: "auto" | (typeof BACKEND_NAMES)[number];
  /** Codec Workers (null: the machine's cores, at most 4). */
  readonly workers: number | null;
}

/** Options of {@linkcode resolveValidateConfig}. */
export interface ResolveValidateConfigOptions {
  /** The config file, if any. */
  readonly file?: string | undefined;
  /** Values from CLI flags (paths already absolute), as a partial document. */
  readonly overrides?: RawConfig;
}

/**
 * Parse and check a validation config document.
 *
 * @example
 * ```ts
 * import { parseValidateConfig } from "./validate_config.ts";
 * const config = parseValidateConfig({ pod5: "reads.pod5", trim_mode: "drop" });
 * if (config.dorado.model !== "hac" || config.reads !== null) throw new Error("unexpected defaults");
 * ```
 *
 * @param raw The JSON document.
 * @param options `path` of the file it came from (for messages and relative paths).
 * @returns The config.
 * @throws {ConfigError} Naming the key path of the first problem.
 */
export function parseValidateConfig(raw: unknown, options: { readonly path?: string } = {}): ValidateConfig {
  const result = validateSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const at = (issue?.path ?? []).map(String);
    if (issue?.code === "unrecognized_keys") {
      throw new ConfigError([...at, issue.keys[0] ?? ""].join("."), "unknown key", { path: options.path });
    }
    throw new ConfigError(at.join("."), issue?.message ?? "invalid", { path: options.path });
  }
  const config = result.data;
  const modelKeys = Object.keys(configSchema.shape.model.unwrap().shape);
  for (const key of Object.keys(config.model ?? {})) {
    if (!modelKeys.includes(key)) throw new ConfigError(`model.${key}`, "unknown key", { path: options.path });
  }
  if (options.path === undefined) return config;
  const base = dirname(resolve(options.path));
  const abs = (p: string | null) => (p === null || isAbsolute(p) ? p : resolve(base, p));
  const resolvedBin = config.dorado.bin === null || !config.dorado.bin.includes("/")
    ? config.dorado.bin
    : abs(config.dorado.bin);
  const model = config.dorado.model.includes("/") ? abs(config.dorado.model)! : config.dorado.model;
  return {
    ...config,
    pod5: abs(config.pod5),
    ckpt_final: abs(config.ckpt_final),
    out_dir: abs(config.out_dir),
    read_ids: abs(config.read_ids),
    reference: abs(config.reference),
    dorado: { ...config.dorado, bin: resolvedBin, model },
  };
}

/**
 * Read a config file (if any), lay the CLI overrides on top, and parse.
 *
 * @param options The file and the overrides.
 * @returns The config.
 * @throws {ConfigError} On a missing file, bad JSON or a bad key.
 */
export async function resolveValidateConfig(options: ResolveValidateConfigOptions = {}): Promise<ValidateConfig> {
  const fileRaw = options.file === undefined ? {} : await readConfigFile(options.file);
  const merged = mergeConfigLayers(fileRaw, options.overrides ?? {});
  return parseValidateConfig(merged, options.file === undefined ? {} : { path: options.file });
}
