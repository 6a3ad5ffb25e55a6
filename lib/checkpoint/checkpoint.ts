/**
 * Checkpoint directories (SPEC §3.5): `checkpoint_<step>/` holding
 * `generator.safetensors`, `discriminator.safetensors`,
 * `optimizer.safetensors`, `loop.safetensors` and `state.json`.
 *
 * A checkpoint is written into `.checkpoint_<step>.tmp-<pid>/`, each file
 * synced, and renamed into place; only names matching `checkpoint_<step>`
 * whose `state.json` agrees are ever listed, so a half-written checkpoint is
 * never picked. Pruning to `keep_last` happens after the new one is complete
 * and removes only checkpoints of the new one's lineage (the `run_id` its
 * state.json records), never another run's.
 *
 * @module
 */
import { join } from "@std/path";
import { CheckpointError } from "./errors.ts";
import { decodeSafetensors, encodeSafetensors, type Tensor } from "./safetensors.ts";
import { removeIfPresent, tempPathOf } from "../runtime/atomic_file.ts";
import { crashPoint } from "../runtime/crash_point.ts";
import { pathExists } from "../runtime/path_exists.ts";
import { sha256Hex } from "../runtime/sha256_hex.ts";
import { writeAll } from "../runtime/write_all.ts";

/** The tensor files of a checkpoint, by stem. */
export const CHECKPOINT_TENSOR_FILES = ["generator", "discriminator", "optimizer", "loop"] as const;
/** One of {@linkcode CHECKPOINT_TENSOR_FILES}. */
export type CheckpointTensorFile = (typeof CHECKPOINT_TENSOR_FILES)[number];
/** The JSON file of a checkpoint. */
export const STATE_FILE = "state.json";
/** The generator's weights in a checkpoint directory (the codec's identity is its sha256). */
export const GENERATOR_FILE = "generator.safetensors";

/**
 * The folders `train --overwrite` moves an earlier run's checkpoints and logs
 * into, inside the run folder: `previous-<time>/`.
 */
export const PREVIOUS_RUN_PREFIX = "previous-";

const CHECKPOINT_NAME = /^checkpoint_(\d+)$/;

/** What a checkpoint holds. */
export interface CheckpointData {
  /** The optimizer step the checkpoint was taken after. */
  readonly step: number;
  /** Tensors by file. */
  readonly tensors: Readonly<Record<CheckpointTensorFile, ReadonlyMap<string, Tensor>>>;
  /** The JSON state (it must record the same `step`). */
  readonly state: Readonly<Record<string, unknown>>;
}

/** A complete checkpoint on disk. */
export interface CheckpointEntry {
  /** The step it was taken after. */
  readonly step: number;
  /** Its directory. */
  readonly path: string;
  /** The `run_id` its state.json records (its lineage); null when none. */
  readonly runId: string | null;
}

/** Options of {@linkcode saveCheckpoint}. */
export interface SaveCheckpointOptions {
  /**
   * Keep this many newest checkpoints of the new one's lineage (older ones of
   * that lineage are removed after the save; other runs' are never touched).
   * Default: keep all.
   */
  readonly keepLast?: number;
  /** Told which checkpoints the pruning removed (after they are gone), when it removed any. */
  readonly onPruned?: (removed: readonly PrunedCheckpoint[]) => void;
}

/** A checkpoint that pruning removed. */
export interface PrunedCheckpoint extends CheckpointEntry {
  /** sha256 of its `generator.safetensors` (taken before removal), null when unreadable. */
  readonly generatorSha256: string | null;
}

/**
 * Write a checkpoint atomically under `dir` and prune old ones.
 *
 * @param dir The checkpoint directory (created if needed).
 * @param data What to save.
 * @param options Pruning.
 * @returns The new checkpoint's path.
 *
 * @example Save, list and load
 * ```ts
 * import { listCheckpoints, loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const w = new Map([["w", { shape: [2], data: Float32Array.of(1, 2) }]]);
 * const empty = new Map();
 * const tensors = { generator: w, discriminator: empty, optimizer: empty, loop: empty };
 * await saveCheckpoint(dir, { step: 10, tensors, state: { step: 10 } });
 * const [entry] = await listCheckpoints(dir);
 * const back = await loadCheckpoint(entry!.path);
 * if (back.tensors.generator.get("w")?.data[1] !== 2) throw new Error("round trip failed");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveCheckpoint(
  dir: string,
  data: CheckpointData,
  options: SaveCheckpointOptions = {},
): Promise<string> {
  if (!Number.isInteger(data.step) || data.step < 0) throw new RangeError(`Cannot save checkpoint: step ${data.step}`);
  if (data.state["step"] !== data.step) {
    throw new RangeError(`Cannot save checkpoint: state.json records step ${data.state["step"]}, not ${data.step}`);
  }
  await Deno.mkdir(dir, { recursive: true });
  const name = `checkpoint_${data.step}`;
  const final = join(dir, name);
  const temp = tempPathOf(final, { hidden: true });
  await removeIfPresent(temp, { recursive: true });
  try {
    await Deno.mkdir(temp);
    for (const file of CHECKPOINT_TENSOR_FILES) {
      await writeSynced(join(temp, `${file}.safetensors`), encodeSafetensors(data.tensors[file]));
    }
    crashPoint("checkpoint:tensors");
    // state.json last: its presence and step mark the checkpoint complete.
    await writeSynced(join(temp, STATE_FILE), new TextEncoder().encode(JSON.stringify(data.state, null, 1) + "\n"));
    crashPoint("checkpoint:state");
    const previous = join(dir, `.${name}.old-${Deno.pid}`);
    const replaced = await pathExists(final);
    if (replaced) await Deno.rename(final, previous);
    await Deno.rename(temp, final);
    if (replaced) await Deno.remove(previous, { recursive: true });
    await syncDirectory(dir);
  } catch (error) {
    await removeIfPresent(temp, { recursive: true });
    throw new CheckpointError(final, `Cannot save checkpoint: ${error instanceof Error ? error.message : error}`, {
      cause: error,
    });
  }
  crashPoint("checkpoint:renamed");
  if (options.keepLast !== undefined) {
    const runId = data.state["run_id"];
    const removed = await pruneCheckpoints(dir, options.keepLast, { runId: typeof runId === "string" ? runId : null });
    if (removed.length > 0) options.onPruned?.(removed);
  }
  return final;
}

/**
 * The complete checkpoints in `dir`, oldest first.
 *
 * @param dir The checkpoint directory (missing: none).
 * @returns Steps and paths.
 */
export async function listCheckpoints(dir: string): Promise<CheckpointEntry[]> {
  const entries: CheckpointEntry[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const match = CHECKPOINT_NAME.exec(entry.name);
      if (!entry.isDirectory || match === null) continue;
      const path = join(dir, entry.name);
      const state = await completeState(path, Number(match[1]));
      if (state !== undefined) entries.push({ step: Number(match[1]), path, runId: state.runId });
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return entries.sort((a, b) => a.step - b.step);
}

/**
 * The newest complete checkpoint in `dir`, if any.
 *
 * @param dir The checkpoint directory.
 * @returns Its path, or undefined.
 */
export async function latestCheckpoint(dir: string): Promise<string | undefined> {
  return (await listCheckpoints(dir)).at(-1)?.path;
}

/** Options of {@linkcode pruneCheckpoints}. */
export interface PruneCheckpointsOptions {
  /** The lineage to prune: only checkpoints whose state.json records this `run_id` (null: records none). */
  readonly runId: string | null;
}

/**
 * Remove all but the newest `keepLast` complete checkpoints of one lineage.
 *
 * @param dir The checkpoint directory.
 * @param keepLast How many to keep (≥ 1).
 * @param options The lineage.
 * @returns The checkpoints removed, oldest first, each with its generator's sha256.
 */
export async function pruneCheckpoints(
  dir: string,
  keepLast: number,
  options: PruneCheckpointsOptions,
): Promise<PrunedCheckpoint[]> {
  if (!Number.isInteger(keepLast) || keepLast < 1) {
    throw new RangeError(`Cannot prune checkpoints: keep_last ${keepLast}`);
  }
  const entries = (await listCheckpoints(dir)).filter((entry) => entry.runId === options.runId);
  const removed: PrunedCheckpoint[] = [];
  for (const entry of entries.slice(0, Math.max(0, entries.length - keepLast))) {
    let generatorSha256: string | null = null;
    try {
      generatorSha256 = sha256Hex(await Deno.readFile(join(entry.path, GENERATOR_FILE)));
    } catch {
      // Unreadable: it is removed all the same, and said to have no known identity.
    }
    await Deno.remove(entry.path, { recursive: true });
    removed.push({ ...entry, generatorSha256 });
  }
  return removed;
}

/**
 * Read a checkpoint directory.
 *
 * @param path A `checkpoint_<step>` directory.
 * @returns Its contents.
 * @throws {CheckpointError} When a file is missing or damaged.
 */
export async function loadCheckpoint(path: string): Promise<CheckpointData> {
  const read = async (file: string): Promise<Uint8Array> => {
    try {
      return await Deno.readFile(join(path, file));
    } catch (error) {
      const reason = error instanceof Deno.errors.NotFound ? "is missing" : `cannot be read (${error})`;
      throw new CheckpointError(path, `Cannot load checkpoint: ${file} ${reason}`, { cause: error });
    }
  };
  let state: unknown;
  try {
    state = JSON.parse(new TextDecoder().decode(await read(STATE_FILE)));
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(path, `Cannot load checkpoint: ${STATE_FILE} is not valid JSON`, { cause: error });
  }
  if (
    typeof state !== "object" || state === null || Array.isArray(state) || !Number.isInteger(Reflect.get(state, "step"))
  ) {
    throw new CheckpointError(path, `Cannot load checkpoint: ${STATE_FILE} records no step`);
  }
  const tensors = {} as Record<CheckpointTensorFile, Map<string, Tensor>>;
  for (const file of CHECKPOINT_TENSOR_FILES) {
    try {
      tensors[file] = decodeSafetensors(await read(`${file}.safetensors`)).tensors;
    } catch (error) {
      if (error instanceof CheckpointError) throw error;
      throw new CheckpointError(path, `Cannot load checkpoint: ${file}.safetensors is damaged (${error})`, {
        cause: error,
      });
    }
  }
  const record = state as Record<string, unknown>;
  return { step: Number(record["step"]), tensors, state: record };
}

/** The lineage of a complete checkpoint; undefined when it is not complete. */
async function completeState(path: string, step: number): Promise<{ runId: string | null } | undefined> {
  try {
    const state = JSON.parse(await Deno.readTextFile(join(path, STATE_FILE)));
    if (state?.step !== step) return undefined;
    for (const file of CHECKPOINT_TENSOR_FILES) await Deno.lstat(join(path, `${file}.safetensors`));
    return { runId: typeof state.run_id === "string" ? state.run_id : null };
  } catch {
    return undefined;
  }
}

async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  using file = await Deno.open(path, { write: true, createNew: true });
  await writeAll(file, bytes);
  await file.sync();
}

/** fsync the directory so the rename itself is durable (best effort: not every platform allows it). */
async function syncDirectory(dir: string): Promise<void> {
  try {
    using handle = await Deno.open(dir, { read: true });
    await handle.sync();
  } catch {
    // Directories cannot be opened for syncing on every platform; the rename is still atomic.
  }
}
