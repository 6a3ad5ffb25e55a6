/**
 * The data plan of a training run: which files, in which order, at which
 * size, and the settings that decide which windows an epoch yields and in
 * what order. A checkpoint records it so that a resume can tell whether its
 * saved position still points at the same windows.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { relative, resolve, SEPARATOR } from "@std/path";
import type { Config } from "../runtime/config.ts";

/** A file of the plan: its path relative to the plan's folder, and its size. */
export type DataPlanFile = readonly [path: string, sizeBytes: number];

/** The settings that change which windows an epoch yields, or their order. */
export interface DataPlanKeys {
  readonly "seed": number;
  readonly "data.sample_rate": number;
  readonly "data.segment_samples": number;
  readonly "data.normalization": string;
  readonly "data.clip": number | null;
  readonly "data.shuffle_buffer": number;
  readonly "data.interleave_files": number;
  readonly "data.holdout_fraction": number;
  readonly "data.holdout_by": string;
}

/** A data plan (JSON-serialisable; saved in state.json). */
export interface DataPlan {
  /** SHA-256 hex of `files` and `keys`: equal fingerprints, same plan. */
  readonly fingerprint: string;
  /**
   * The files in the dataset's order: relative to `data.root` when they all
   * lie under it (so that the same folder mounted elsewhere is the same
   * plan), else absolute.
   */
  readonly files: readonly DataPlanFile[];
  /** The settings. */
  readonly keys: DataPlanKeys;
}

/**
 * The plan of a training dataset built from `config`.
 *
 * @example
 * ```ts ignore
 * import { dataPlan } from "./data_plan.ts";
 * import { datasetOptionsFromConfig } from "./dataset_options_from_config.ts";
 * const plan = await dataPlan(await datasetOptionsFromConfig(config), config);
 * plan.files; // [["a.pod5", 123456], ...]
 * ```
 *
 * @param dataset The dataset's files (absolute, in stream order) and window length, as
 *   `datasetOptionsFromConfig` gives them.
 * @param config The config (`seed`, `data`).
 * @returns The plan.
 * @throws {Deno.errors.NotFound} When a file has gone.
 */
export async function dataPlan(
  dataset: { readonly files: readonly string[]; readonly windowSamples: number },
  config: Pick<Config, "seed" | "data">,
): Promise<DataPlan> {
  const data = config.data;
  const root = resolve(data.train?.root ?? data.root);
  const prefix = root.endsWith(SEPARATOR) ? root : root + SEPARATOR;
  const underRoot = dataset.files.every((path) => path.startsWith(prefix));
  const entries: DataPlanFile[] = [];
  for (const path of dataset.files) {
    entries.push([underRoot ? relative(root, path) : path, (await Deno.stat(path)).size]);
  }
  const keys: DataPlanKeys = {
    "seed": config.seed,
    "data.sample_rate": data.sample_rate,
    "data.segment_samples": dataset.windowSamples,
    "data.normalization": data.normalization,
    "data.clip": data.clip,
    "data.shuffle_buffer": data.shuffle_buffer,
    "data.interleave_files": data.interleave_files,
    "data.holdout_fraction": data.holdout_fraction,
    "data.holdout_by": data.holdout_by,
  };
  const fingerprint = createHash("sha256").update(JSON.stringify({ files: entries, keys })).digest("hex");
  return { fingerprint, files: entries, keys };
}

/**
 * What differs between two plans, in a few words for one line.
 *
 * @example
 * ```ts
 * import { describeDataPlanChange } from "./data_plan.ts";
 * const keys = {
 *   "seed": 42, "data.sample_rate": 5000, "data.segment_samples": 10000, "data.normalization": "median_mad",
 *   "data.clip": null, "data.shuffle_buffer": 0, "data.interleave_files": 8, "data.holdout_fraction": 0,
 *   "data.holdout_by": "read",
 * };
 * const saved = { fingerprint: "a", files: [["a.pod5", 10], ["b.pod5", 20]] as const, keys };
 * const now = { fingerprint: "b", files: [["a.pod5", 10], ["c.pod5", 5]] as const, keys: { ...keys, seed: 1 } };
 * const change = describeDataPlanChange(saved, now);
 * if (change !== "1 file added (c.pod5), 1 removed (b.pod5); seed 42 → 1") throw new Error(change);
 * ```
 *
 * @param saved The checkpoint's plan.
 * @param current The plan now.
 * @returns The change, or undefined when the plans are the same.
 */
export function describeDataPlanChange(saved: DataPlan, current: DataPlan): string | undefined {
  if (saved.fingerprint === current.fingerprint) return undefined;
  const parts: string[] = [];
  const before = new Map(saved.files.map(([path, size]) => [path, size]));
  const after = new Map(current.files.map(([path, size]) => [path, size]));
  const added = [...after.keys()].filter((path) => !before.has(path));
  const removed = [...before.keys()].filter((path) => !after.has(path));
  const resized = [...after].filter(([path, size]) => before.has(path) && before.get(path) !== size);
  const files: string[] = [];
  const count = (n: number, what: string) => `${n} ${n === 1 ? "file" : "files"} ${what}`;
  if (added.length > 0) files.push(`${count(added.length, "added")} (${examples(added)})`);
  if (removed.length > 0) {
    const what = added.length > 0 ? `${removed.length} removed` : count(removed.length, "removed");
    files.push(`${what} (${examples(removed)})`);
  }
  if (resized.length > 0) {
    const [path, size] = resized[0]!;
    files.push(`${count(resized.length, "resized")} (${path}: ${before.get(path)} → ${size} bytes)`);
  }
  const sameSet = added.length === 0 && removed.length === 0 && resized.length === 0;
  if (sameSet && saved.files.some(([path], i) => current.files[i]?.[0] !== path)) files.push("the file order changed");
  if (files.length > 0) parts.push(files.join(", "));
  for (const key of Object.keys(current.keys) as (keyof DataPlanKeys)[]) {
    const was = saved.keys[key];
    const now = current.keys[key];
    if (was !== now) parts.push(`${key} ${String(was)} → ${String(now)}`);
  }
  return parts.length > 0 ? parts.join("; ") : "the data plan differs";
}

function examples(paths: readonly string[]): string {
  const shown = paths.slice(0, 2).join(", ");
  return paths.length > 2 ? `${shown}, …` : shown;
}
