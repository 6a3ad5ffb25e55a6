/**
 * The run folder: which checkpoint directory a run writes to, and whether it
 * may. A fresh run never writes into a folder that holds an earlier run's
 * checkpoints or logs (it would append to its logs, prune its checkpoints and
 * hand `--resume auto` the wrong run), and a resume never writes next to newer
 * checkpoints than the one it continues. `overwrite` moves the earlier files
 * into `previous-<time>/` inside the folder instead of refusing; numbered runs
 * (the quickstart) start a fresh run in the next free `DIR-2`, `DIR-3`, … and
 * resume the newest of them.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "@std/path";
import { pathExists } from "../runtime/path_exists.ts";
import { type CheckpointEntry, listCheckpoints, PREVIOUS_RUN_PREFIX } from "../checkpoint/checkpoint.ts";
import { CheckpointError } from "../checkpoint/errors.ts";
import { METRICS_FILE, TRAIN_LOG_FILE } from "./metrics_log.ts";

/** Where earlier files go with `overwrite`: `previous-<time>/`. */
export const PREVIOUS_PREFIX: string = PREVIOUS_RUN_PREFIX;

/** Options of {@linkcode prepareRunFolder}. */
export interface RunFolderOptions {
  /** `checkpoint.resume_from`: null (fresh), `"auto"` (the newest checkpoint, if any) or a checkpoint path. */
  readonly resumeFrom: string | null;
  /** Move an earlier run's files aside instead of refusing. Default false. */
  readonly overwrite?: boolean;
  /** `checkpoint.numbered_runs`: a fresh run in an occupied folder uses the next free `DIR-N`. Default false. */
  readonly numbered?: boolean;
  /** The time that names `previous-<time>/` (tests pin it). Default now. */
  readonly now?: Date;
}

/** What {@linkcode prepareRunFolder} decided. */
export interface RunFolder {
  /** The folder this run writes checkpoints and logs to. */
  readonly dir: string;
  /** The checkpoint to resume from; undefined: a fresh run. */
  readonly resumeFrom: string | undefined;
  /** A line for the user when the folder is not simply the one asked for, or files were moved. */
  readonly note: string | undefined;
}

/**
 * Decide and check the run folder, moving earlier files aside when told to.
 *
 * @example
 * ```ts ignore
 * import { prepareRunFolder } from "./run_folder.ts";
 * const folder = await prepareRunFolder("runs/fc01", { resumeFrom: null });
 * // throws CheckpointError "runs/fc01: Cannot start a new run: ..." when runs/fc01 holds a run
 * ```
 *
 * @param dir `checkpoint.dir`.
 * @param options Resume, overwrite and numbering.
 * @returns The folder, the checkpoint to resume, and a note.
 * @throws {CheckpointError} When the folder holds a run this one would mix with.
 */
export async function prepareRunFolder(dir: string, options: RunFolderOptions): Promise<RunFolder> {
  const overwrite = options.overwrite ?? false;
  const asked = options.resumeFrom === null || options.resumeFrom === "auto"
    ? options.resumeFrom
    : resolve(options.resumeFrom);
  let target = resolve(dir);
  let note: string | undefined;
  if (options.numbered === true) {
    const chosen = await numberedFolder(target, asked);
    target = chosen.dir;
    note = chosen.note;
  }
  const found = await earlierRun(target);
  let resumeFrom = asked === "auto" ? found.checkpoints.at(-1)?.path : asked ?? undefined;
  const newest = found.checkpoints.at(-1);
  let conflict: string | undefined;
  if (resumeFrom === undefined) {
    if (newest !== undefined) {
      conflict = `Cannot start a new run: the folder holds an earlier run (newest ${basename(newest.path)}); ` +
        `continue it with --resume auto, or train into a new --ckpt-dir`;
    } else if (found.logs.length > 0) {
      conflict = `Cannot start a new run: the folder holds the logs of an earlier run (${found.logs.join(", ")}) ` +
        `but no checkpoint; train into a new --ckpt-dir`;
    }
  } else if (newest !== undefined && newest.path !== resumeFrom) {
    const inside = dirname(resumeFrom) === target;
    conflict = inside
      ? `Cannot resume ${basename(resumeFrom)} here: the folder holds newer checkpoints (newest ` +
        `${basename(newest.path)}) that this run would overwrite or mix with; resume into a new --ckpt-dir`
      : `Cannot resume ${resumeFrom} into this folder: it holds another run (newest ${basename(newest.path)}); ` +
        `resume into a new --ckpt-dir`;
  } else if (newest === undefined && found.logs.length > 0) {
    conflict = `Cannot resume into this folder: it holds the logs of an earlier run (${found.logs.join(", ")}) ` +
      `but no checkpoint; resume into a new --ckpt-dir`;
  }
  if (conflict !== undefined) {
    if (!overwrite) {
      throw new CheckpointError(target, `${conflict} (--overwrite moves its files into ${PREVIOUS_PREFIX}<time>/)`);
    }
    const previous = await moveAside(target, options.now ?? new Date());
    if (resumeFrom !== undefined && dirname(resumeFrom) === target) resumeFrom = join(previous, basename(resumeFrom));
    note = `moved the earlier run's files in ${target} into ${previous}`;
  }
  return { dir: target, resumeFrom, note };
}

/** An earlier run's files in a folder. */
interface EarlierRun {
  /** Complete checkpoints, oldest first. */
  readonly checkpoints: readonly CheckpointEntry[];
  /** Log file names present. */
  readonly logs: readonly string[];
}

async function earlierRun(dir: string): Promise<EarlierRun> {
  const logs: string[] = [];
  for (const name of [TRAIN_LOG_FILE, METRICS_FILE]) if (await pathExists(join(dir, name))) logs.push(name);
  return { checkpoints: await listCheckpoints(dir), logs };
}

/** Everything a run writes: checkpoints (complete or not), their temporary directories, the logs. */
const RUN_FILE = /^(checkpoint_\d+|\.checkpoint_\d+\.(tmp|old)-\d+|train\.log|metrics\.jsonl)$/;

async function moveAside(dir: string, now: Date): Promise<string> {
  const stamp = now.toISOString().replace(/\.\d+Z$/, "Z").replaceAll(":", "-");
  let previous = join(dir, `${PREVIOUS_PREFIX}${stamp}`);
  for (let n = 2; await pathExists(previous); n++) previous = join(dir, `${PREVIOUS_PREFIX}${stamp}-${n}`);
  await Deno.mkdir(previous);
  for await (const entry of Deno.readDir(dir)) {
    if (RUN_FILE.test(entry.name)) await Deno.rename(join(dir, entry.name), join(previous, entry.name));
  }
  return previous;
}

/**
 * The numbered folder for a run: `dir`, `dir-2`, `dir-3`, …; a fresh run
 * takes the one after the highest in use (or `dir` when none is), a resume
 * (`auto`) the highest that holds a checkpoint, a resume from a path the
 * folder that holds it when it is one of them.
 */
async function numberedFolder(dir: string, resumeFrom: string | null): Promise<{ dir: string; note?: string }> {
  const used = await numberedSiblings(dir);
  if (resumeFrom !== null && resumeFrom !== "auto") {
    const holder = dirname(resumeFrom);
    if (used.some((entry) => entry.dir === holder)) return { dir: holder };
  }
  if (resumeFrom === "auto") {
    for (const entry of [...used].reverse()) {
      if ((await listCheckpoints(entry.dir)).length > 0) return { dir: entry.dir };
    }
  }
  const occupied: { n: number; dir: string }[] = [];
  for (const entry of used) {
    const run = await earlierRun(entry.dir);
    if (run.checkpoints.length > 0 || run.logs.length > 0 || entry.n > 1) occupied.push(entry);
  }
  const last = occupied.at(-1);
  if (last === undefined) return { dir };
  const next = `${dir}-${last.n + 1}`;
  return {
    dir: next,
    note: `${last.dir} holds an earlier run, so this one trains in ${next} (--resume auto continues the newest)`,
  };
}

/** `dir` (as 1) and the existing `dir-N` folders, by N. */
async function numberedSiblings(dir: string): Promise<{ n: number; dir: string }[]> {
  const parent = dirname(dir);
  const name = basename(dir);
  const found: { n: number; dir: string }[] = [];
  if (await pathExists(dir)) found.push({ n: 1, dir });
  try {
    for await (const entry of Deno.readDir(parent)) {
      const match = /^(.*)-(\d+)$/.exec(entry.name);
      if (entry.isDirectory && match !== null && match[1] === name && Number(match[2]) >= 2) {
        found.push({ n: Number(match[2]), dir: join(parent, entry.name) });
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return found.sort((a, b) => a.n - b.n);
}
