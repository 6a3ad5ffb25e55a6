/**
 * The one way files go through the codec, shared by `encodePod5` and
 * `decodeTokens`: plan the outputs (and the shard) → check the shard
 * manifest's path → run every file's pre-flight check before any work →
 * start the runner (this call's own, or a pool's) → per file, stream its
 * reads through the model in an ordered in-flight queue, reporting progress
 * after every read → write the shard manifest. The two pipelines differ only
 * in their {@linkcode FileMapper}: how a file's reads become model jobs and
 * how the results are written.
 *
 * Output bytes never depend on the worker count: jobs depend only on a read's
 * length, and results are written in read order whatever order the model
 * finishes them in.
 *
 * @module
 */
import type { Shard } from "../runtime/shard.ts";
import type { CodecPool } from "./codec_pool.ts";
import type { LoadedCodec } from "./load_codec.ts";
import { type ModelRunner, startRunner } from "./_model_runner.ts";
import { type FilePair, type FilePlan, makeOutputFolders, planFiles } from "./_codec_paths.ts";
import { shardManifestOf, shardManifestPath, writeShardManifest } from "./shard_manifest.ts";
import type { CodecProgress } from "./types.ts";

/**
 * The back-pressure bound of a file's in-flight queue: reads are started
 * until the model jobs they hold exceed this many per job the runner can
 * usefully hold (`ModelRunner.capacity`), then the oldest is finished first.
 * Two per slot keeps every worker busy (one job running, one waiting, and
 * the next read already cut) while the memory held stays bounded by the
 * runner's size, not the file's: at most about `2 · capacity · JOB_WINDOWS`
 * windows (plus the one read that crosses the bound).
 */
export const IN_FLIGHT_JOBS_PER_SLOT = 2;

/**
 * Files whose pre-flight value (an open reader) is kept for the run; the
 * others are checked and closed, then opened again when their turn comes.
 * Bounds the files held open by a large folder, while a single file (a
 * server's request) is opened once.
 */
export const KEPT_PREFLIGHT_FILES = 4;

/** One read started: the model jobs it holds and what they will give. */
export interface ReadWork<R> {
  /** Model jobs the read holds (for the in-flight bound). */
  readonly jobs: number;
  /** The read's model results. */
  readonly result: Promise<R>;
}

/** How one file's reads go through the model: the per-read part of a pipeline. */
export interface FileMapper<Item, R, Out> extends AsyncDisposable {
  /** The file's reads, in order. */
  reads(): AsyncIterable<Item>;
  /** Start a read's model work; `undefined` skips the read. */
  start(item: Item): ReadWork<R> | undefined;
  /**
   * Write a finished read (called in read order).
   *
   * @returns The read's samples and the fraction of the file now done.
   */
  finish(item: Item, result: R): Promise<{ readonly numSamples: number; readonly fileFraction: number }>;
  /** Complete the file (rename it into place). */
  close(): Promise<Out>;
}

/** What every file's result carries for the shard manifest. */
export interface PipelineFile {
  /** The input file. */
  readonly input: string;
  /** The output file. */
  readonly output: string;
  /** Reads written. */
  readonly reads: number;
  /** Samples written. */
  readonly numSamples: number;
}

/** The two pipelines' specifics. */
export interface PipelineSpec<P extends AsyncDisposable, Item, R, Out extends PipelineFile> {
  /** The task, as the shard manifest records it. */
  readonly task: "encode" | "decode";
  /** Input extension, e.g. `.pod5`. */
  readonly from: string;
  /** Output extension, e.g. `.tokens`. */
  readonly to: string;
  /**
   * A check of one input that runs for every file before any work starts
   * (a token file's header against the codec). With `keep`, what it returns
   * (an open reader) goes to `open`; without, it returns nothing to keep.
   */
  readonly preflight?: (pair: FilePair, keep: boolean) => Promise<P | undefined>;
  /** Open one file's mapper; it owns `prepared`. */
  readonly open: (pair: FilePair, context: FileContext<P>) => Promise<FileMapper<Item, R, Out>>;
  /** Bytes of the file's token file (the output for encode, the input for decode), for the manifest. */
  readonly tokenBytes: (file: Out) => number;
}

/** What a mapper gets to work with. */
export interface FileContext<P> {
  /** Where the model runs. */
  readonly runner: ModelRunner;
  /** The file's pre-flight value, when kept. */
  readonly prepared: P | undefined;
}

/** The options both pipelines take. */
export interface PipelineOptions {
  /** The codec. */
  readonly codec: LoadedCodec;
  /** Workers of this call's own runner (0: this thread). */
  readonly workers?: number;
  /** A long-lived pool to run on instead (`workers` is then ignored). */
  readonly pool?: CodecPool;
  /** Replace existing outputs. */
  readonly overwrite?: boolean;
  /** Only this shard's files, and its manifest. */
  readonly shard?: Shard;
  /** Called after every read. */
  readonly onProgress?: (progress: CodecProgress) => void;
  /** Checked before every read. */
  readonly signal?: AbortSignal;
}

/** What a pipeline run gave. */
export interface PipelineResult<Out> {
  /** Per file, in input order. */
  readonly files: readonly Out[];
  /** Wall time, seconds. */
  readonly seconds: number;
  /** With a shard: the manifest written; otherwise null. */
  readonly shardManifest: string | null;
}

/**
 * Run `spec` over `input` (a file or a folder) into `output`.
 *
 * @param input A file or a folder.
 * @param output A file or a folder.
 * @param spec The pipeline's pre-flight check and per-file mapper.
 * @param options Codec, runner, shard, progress and abort signal.
 * @returns The files' results, the wall time and the manifest.
 */
export async function runFilePipeline<P extends AsyncDisposable, Item, R, Out extends PipelineFile>(
  input: string,
  output: string,
  spec: PipelineSpec<P, Item, R, Out>,
  options: PipelineOptions,
): Promise<PipelineResult<Out>> {
  const started = performance.now();
  const plan = await planFiles(input, output, {
    from: spec.from,
    to: spec.to,
    shard: options.shard,
    ...(options.overwrite === undefined ? {} : { overwrite: options.overwrite }),
  });
  const manifest = options.shard === undefined
    ? null
    : await shardManifestPath(plan.outputRoot, options.shard, options.overwrite === true);
  const prepared = await preflight(plan.pairs, spec);
  try {
    await makeOutputFolders(plan.pairs);
    const files = await runFiles(plan.pairs, { spec, options, prepared, started });
    const seconds = (performance.now() - started) / 1000;
    if (manifest !== null && options.shard !== undefined) {
      await writeManifest(manifest, { plan, shard: options.shard, files, seconds }, spec);
    }
    return { files, seconds, shardManifest: manifest };
  } finally {
    for (const value of prepared.values()) await value[Symbol.asyncDispose]();
  }
}

async function preflight<P extends AsyncDisposable>(
  pairs: readonly FilePair[],
  spec: Pick<PipelineSpec<P, unknown, unknown, PipelineFile>, "preflight">,
): Promise<Map<number, P>> {
  const kept = new Map<number, P>();
  if (spec.preflight === undefined) return kept;
  try {
    for (const [index, pair] of pairs.entries()) {
      const value = await spec.preflight(pair, index < KEPT_PREFLIGHT_FILES);
      if (value !== undefined) kept.set(index, value);
    }
  } catch (error) {
    for (const value of kept.values()) await value[Symbol.asyncDispose]();
    throw error;
  }
  return kept;
}

interface RunContext<P extends AsyncDisposable, Item, R, Out extends PipelineFile> {
  readonly spec: PipelineSpec<P, Item, R, Out>;
  readonly options: PipelineOptions;
  /** Pre-flight values by file index; taken out as each file's mapper takes them over. */
  readonly prepared: Map<number, P>;
  readonly started: number;
}

async function runFiles<P extends AsyncDisposable, Item, R, Out extends PipelineFile>(
  pairs: readonly FilePair[],
  context: RunContext<P, Item, R, Out>,
): Promise<Out[]> {
  const { options } = context;
  const sizes = await Promise.all(pairs.map(async (pair) => (await Deno.stat(pair.input)).size));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const runner = options.pool?.runnerFor(options.codec, { signal: options.signal }) ??
    await startRunner(options.codec, options.workers ?? 0);
  const files: Out[] = [];
  const done = { reads: 0, samples: 0, bytes: 0 };
  try {
    for (const [fileIndex, pair] of pairs.entries()) {
      const report = (numSamples: number, fileFraction: number) => {
        done.reads++;
        done.samples += numSamples;
        options.onProgress?.({
          file: pair.input,
          fileIndex,
          files: pairs.length,
          reads: done.reads,
          samples: done.samples,
          fraction: totalBytes === 0 ? 1 : (done.bytes + fileFraction * sizes[fileIndex]!) / totalBytes,
          elapsedMs: performance.now() - context.started,
        });
      };
      const prepared = context.prepared.get(fileIndex);
      context.prepared.delete(fileIndex);
      await using mapper = await context.spec.open(pair, { runner, prepared });
      await runReads(mapper, runner, { report, signal: options.signal });
      files.push(await mapper.close());
      done.bytes += sizes[fileIndex]!;
    }
  } finally {
    await runner.close();
  }
  return files;
}

/**
 * A file's reads through the model: each read is started as soon as the
 * in-flight bound allows, and finished (written) in read order.
 */
async function runReads<Item, R>(
  mapper: FileMapper<Item, R, unknown>,
  runner: ModelRunner,
  options: {
    readonly report: (numSamples: number, fileFraction: number) => void;
    readonly signal?: AbortSignal | undefined;
  },
): Promise<void> {
  const queue: { readonly item: Item; readonly work: ReadWork<R> }[] = [];
  let queuedJobs = 0;
  const finishOldest = async () => {
    const { item, work } = queue.shift()!;
    queuedJobs -= work.jobs;
    const { numSamples, fileFraction } = await mapper.finish(item, await work.result);
    options.report(numSamples, fileFraction);
  };
  for await (const item of mapper.reads()) {
    options.signal?.throwIfAborted();
    const work = mapper.start(item);
    if (work === undefined) continue;
    // Awaited in order below; a later read's failure must not go unhandled meanwhile.
    work.result.catch(() => {});
    queue.push({ item, work });
    queuedJobs += work.jobs;
    while (queue.length > 1 && queuedJobs > IN_FLIGHT_JOBS_PER_SLOT * runner.capacity) await finishOldest();
  }
  while (queue.length > 0) await finishOldest();
}

async function writeManifest<Out extends PipelineFile>(
  path: string,
  run: { readonly plan: FilePlan; readonly shard: Shard; readonly files: readonly Out[]; readonly seconds: number },
  spec: Pick<PipelineSpec<AsyncDisposable, unknown, unknown, Out>, "task" | "tokenBytes">,
): Promise<void> {
  await Deno.mkdir(run.plan.outputRoot, { recursive: true });
  const results = run.files.map((f) => ({ ...f, tokenBytes: spec.tokenBytes(f) }));
  const job = { task: spec.task, shard: run.shard, ...run.plan };
  await writeShardManifest(path, shardManifestOf(job, results, run.seconds));
}
