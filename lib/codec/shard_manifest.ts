/**
 * Shard manifests: what one `--shard I/N` job of `encode` or `decode` did,
 * written as `shard-I-of-N.json` in its output folder, and the check a final
 * step runs over all N of them (every file done once, none missing).
 *
 * @module
 */
import { join, relative } from "@std/path";
import { z } from "zod";
import { writeFileAtomic } from "../runtime/atomic_file.ts";
import { InputError } from "../runtime/errors.ts";
import { pathExists } from "../runtime/path_exists.ts";
import { type Shard, shardManifestName } from "../runtime/shard.ts";

/** The `format` field of every manifest. */
export const SHARD_MANIFEST_FORMAT = "simvqgan-shard-manifest/1";

/** One file of a shard. */
export interface ShardManifestFile {
  /** The input, relative to the input root. */
  readonly input: string;
  /** The output, relative to the output root. */
  readonly output: string;
  /** Reads written. */
  readonly reads: number;
  /** Samples written. */
  readonly numSamples: number;
  /** Bits of the token file per sample. */
  readonly bitsPerSample: number;
}

/** What `shard-I-of-N.json` holds. */
export interface ShardManifest {
  /** {@linkcode SHARD_MANIFEST_FORMAT}. */
  readonly format: typeof SHARD_MANIFEST_FORMAT;
  /** The task that wrote it. */
  readonly task: "encode" | "decode";
  /** Which shard. */
  readonly shard: Shard;
  /** Input files over all shards (every job must see the same number). */
  readonly totalFiles: number;
  /** This shard's files, sorted by input. */
  readonly files: readonly ShardManifestFile[];
  /** Reads over the shard's files. */
  readonly reads: number;
  /** Samples over the shard's files. */
  readonly numSamples: number;
  /** Bits of the token files per sample, over the shard. */
  readonly bitsPerSample: number;
  /** Wall time of the job, seconds. */
  readonly seconds: number;
}

/** A completed file, as a task's summary lists it (absolute paths). */
export interface ShardFileResult {
  /** The input file. */
  readonly input: string;
  /** The output file. */
  readonly output: string;
  /** Reads written. */
  readonly reads: number;
  /** Samples written. */
  readonly numSamples: number;
  /** Bytes of the token file (the output for encode, the input for decode). */
  readonly tokenBytes: number;
}

/** Where and what a shard job reports (see {@linkcode shardManifestOf}). */
export interface ShardJob {
  /** The task. */
  readonly task: "encode" | "decode";
  /** The shard. */
  readonly shard: Shard;
  /** Input files over all shards. */
  readonly totalFiles: number;
  /** The input root (a folder, or a single file's parent). */
  readonly inputRoot: string;
  /** The output root. */
  readonly outputRoot: string;
}

/**
 * The path of a shard's manifest under `outputRoot`, checked to be free.
 *
 * @param outputRoot The output folder.
 * @param shard The shard.
 * @param overwrite Whether an existing manifest may be replaced.
 * @returns The path.
 * @throws {InputError} When it exists and `overwrite` is false.
 */
export async function shardManifestPath(outputRoot: string, shard: Shard, overwrite: boolean): Promise<string> {
  const path = join(outputRoot, shardManifestName(shard));
  if (!overwrite && await pathExists(path)) {
    throw new InputError(
      "Cannot write the shard manifest: the file exists",
      {
        path,
        reason: "output_exists",
      },
    );
  }
  return path;
}

/**
 * Build a shard's manifest from the files it completed.
 *
 * @param job The task, shard and roots.
 * @param files The completed files.
 * @param seconds The job's wall time.
 * @returns The manifest.
 */
export function shardManifestOf(job: ShardJob, files: readonly ShardFileResult[], seconds: number): ShardManifest {
  const perSample = (bytes: number, samples: number) => samples === 0 ? 0 : (8 * bytes) / samples;
  const numSamples = files.reduce((n, f) => n + f.numSamples, 0);
  return {
    format: SHARD_MANIFEST_FORMAT,
    task: job.task,
    shard: job.shard,
    totalFiles: job.totalFiles,
    files: files.map((f) => ({
      input: relative(job.inputRoot, f.input),
      output: relative(job.outputRoot, f.output),
      reads: f.reads,
      numSamples: f.numSamples,
      bitsPerSample: perSample(f.tokenBytes, f.numSamples),
    })),
    reads: files.reduce((n, f) => n + f.reads, 0),
    numSamples,
    bitsPerSample: perSample(files.reduce((n, f) => n + f.tokenBytes, 0), numSamples),
    seconds,
  };
}

/**
 * Write a manifest to `path` (through a temporary name, renamed when complete).
 *
 * @param path Where (from {@linkcode shardManifestPath}).
 * @param manifest The manifest.
 */
export async function writeShardManifest(path: string, manifest: ShardManifest): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(manifest, null, 1) + "\n");
}

/** What {@linkcode checkShardManifests} found. */
export interface ShardCompleteness {
  /** The manifests, by shard index. */
  readonly manifests: readonly ShardManifest[];
  /** Files over all shards. */
  readonly files: number;
  /** Reads over all shards. */
  readonly reads: number;
  /** Samples over all shards. */
  readonly numSamples: number;
}

/**
 * Check that the N manifests of a sharded run under `dir` are all there and
 * agree: one task, one total, every file in exactly one shard, none missing.
 *
 * @example
 * ```ts
 * import { checkShardManifests, SHARD_MANIFEST_FORMAT } from "./shard_manifest.ts";
 * const dir = await Deno.makeTempDir();
 * const file = { input: "a.pod5", output: "a.tokens", reads: 2, numSamples: 8000, bitsPerSample: 1.5 };
 * for (const [index, files] of [[file], []].entries()) { // what two `--shard I/2` jobs would write
 *   const manifest = { format: SHARD_MANIFEST_FORMAT, task: "encode", shard: { index, count: 2 }, totalFiles: 1, files,
 *     reads: 2 * files.length, numSamples: 8000 * files.length, bitsPerSample: 1.5, seconds: 1 };
 *   await Deno.writeTextFile(`${dir}/shard-${index}-of-2.json`, JSON.stringify(manifest));
 * }
 * const done = await checkShardManifests(dir, 2);
 * if (done.files !== 1 || done.reads !== 2) throw new Error("unexpected");
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param dir The output folder the jobs wrote to.
 * @param count N.
 * @returns The manifests and totals.
 * @throws {InputError} Naming the missing shards, or the file or count that disagrees.
 */
export async function checkShardManifests(dir: string, count: number): Promise<ShardCompleteness> {
  const manifests: ShardManifest[] = [];
  const missing: string[] = [];
  for (let index = 0; index < count; index++) {
    const path = join(dir, shardManifestName({ index, count }));
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        missing.push(String(index));
        continue;
      }
      throw error;
    }
    manifests.push(parseManifest(path, text, { index, count }));
  }
  if (missing.length > 0) {
    throw new InputError(
      `Cannot confirm the run: no manifest from shard(s) ${missing.join(", ")} of ${count}`,
      {
        path: dir,
      },
    );
  }
  const first = manifests[0]!;
  const owner = new Map<string, number>();
  for (const manifest of manifests) {
    const path = join(dir, shardManifestName(manifest.shard));
    if (manifest.task !== first.task || manifest.totalFiles !== first.totalFiles) {
      throw new InputError(
        `Cannot confirm the run: it records ${manifest.task} of ${manifest.totalFiles} files, shard 0 ` +
          `${first.task} of ${first.totalFiles}`,
        { path },
      );
    }
    for (const file of manifest.files) {
      const other = owner.get(file.input);
      if (other !== undefined) {
        throw new InputError(
          `Cannot confirm the run: ${file.input} is in shards ${other} and ${manifest.shard.index}`,
          { path },
        );
      }
      owner.set(file.input, manifest.shard.index);
    }
  }
  if (owner.size !== first.totalFiles) {
    throw new InputError(
      `Cannot confirm the run: the shards list ${owner.size} files, the input had ${first.totalFiles}`,
      { path: dir },
    );
  }
  return {
    manifests,
    files: owner.size,
    reads: manifests.reduce((n, m) => n + m.reads, 0),
    numSamples: manifests.reduce((n, m) => n + m.numSamples, 0),
  };
}

const FILE_SCHEMA = z.object({
  input: z.string(),
  output: z.string(),
  reads: z.number().int().nonnegative(),
  numSamples: z.number().int().nonnegative(),
  bitsPerSample: z.number().nonnegative(),
});

const MANIFEST_SCHEMA = z.object({
  format: z.literal(SHARD_MANIFEST_FORMAT),
  task: z.enum(["encode", "decode"]),
  shard: z.object({ index: z.number().int().nonnegative(), count: z.number().int().positive() }),
  totalFiles: z.number().int().nonnegative(),
  files: z.array(FILE_SCHEMA),
  reads: z.number().int().nonnegative(),
  numSamples: z.number().int().nonnegative(),
  bitsPerSample: z.number().nonnegative(),
  seconds: z.number().nonnegative(),
});

function parseManifest(path: string, text: string, shard: Shard): ShardManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `Cannot read the shard manifest: not JSON`,
      { path, cause: error },
    );
  }
  const parsed = MANIFEST_SCHEMA.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      `Cannot read the shard manifest: ${issue?.path.join(".") ?? ""} ${issue?.message ?? "invalid"}`,
      { path, cause: parsed.error },
    );
  }
  if (parsed.data.shard.index !== shard.index || parsed.data.shard.count !== shard.count) {
    throw new InputError(
      `Cannot read the shard manifest: it records shard ${parsed.data.shard.index}/${parsed.data.shard.count}`,
      { path },
    );
  }
  return parsed.data;
}
