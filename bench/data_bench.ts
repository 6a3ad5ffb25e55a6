/**
 * `deno task bench data`: windows/s of {@linkcode NanoporeSignalDataset} with
 * 0, 1 and 2 loader workers on the bundled 5 kHz sample (z1.pod5, listed
 * many times), mixing batches as configs/train_config.json does (files in a
 * seeded order, `interleave_files` at a time, a `shuffle_buffer` block
 * shuffle), against same-run baselines: the same run in plain file order,
 * decoding alone, copying windows,
 * and the per-stage cost of one window (decode, stats, normalise, transfer);
 * plus how long a consumer paced at 4,000 windows/s waits in `next()`.
 *
 * @module
 */
import { fromFileUrl } from "@std/path";
import { cpuUsage } from "node:process";
import denoJson from "../deno.json" with { type: "json" };
import trainConfig from "../configs/train_config.json" with { type: "json" };
import { NanoporeSignalDataset } from "../lib/data/mod.ts";
import { Pod5Reader } from "../lib/pod5/mod.ts";
import { normalisationStats, normalisationStatsFromAdc, normaliseAdc } from "../lib/signal/mod.ts";
import { adcToPa } from "../lib/pod5/calibration.ts";

/** The bundled sample: 3 reads, 230 windows of 10,000 samples. */
const SAMPLE = fromFileUrl(new URL("../tests/fixtures/pod5/z1.pod5", import.meta.url));
const WINDOW_SAMPLES = 10_000;
const SAMPLE_RATE_HZ = 5_000;
/** The run's sizes: full by default, a few batches with `--tiny` (a smoke run; its numbers mean nothing). */
interface Sizes {
  /** Times the sample is listed: 100 × 230 = 23,000 windows (230 M samples) per run. */
  readonly fileRepeats: number;
  /** The config's default `train.batch_size`. */
  readonly batchSize: number;
  /** Batches the paced consumer takes. */
  readonly pacedBatches: number;
  /** Repeats of each single-thread stage measurement. */
  readonly stageRepeats: number;
}
const FULL: Sizes = { fileRepeats: 100, batchSize: 256, pacedBatches: 40, stageRepeats: 8 };
const TINY: Sizes = { fileRepeats: 1, batchSize: 16, pacedBatches: 2, stageRepeats: 1 };
/** The config's default `data.loader_prefetch_chunks`. */
const PREFETCH_BATCHES = 8;
const WORKER_COUNTS = [0, 1, 2] as const;
/** How training mixes batches (configs/train_config.json). */
const TRAINING_MIX: DatasetMix = {
  shuffleFiles: true,
  interleaveFiles: trainConfig.data.interleave_files,
  shuffleWindows: trainConfig.data.shuffle_buffer,
};
/** The same-run baseline: one file at a time, in the given order, no shuffle. */
const FILE_ORDER: DatasetMix = { shuffleFiles: false, interleaveFiles: 1, shuffleWindows: 0 };
/** The paced consumer asks for windows at twice the issue's 2,000 windows/s target. */
const PACED_WINDOWS_PER_S = 4_000;

/** One result row (SPEC §3.6). */
type BenchResult = { readonly name: string } & Record<string, number | string>;

/**
 * Run the benchmark.
 *
 * @param options `onProgress` receives one line per step; `tiny` runs a few batches (a smoke run).
 * @returns `{bench, version, backend, device, commit, conditions, results}`.
 */
export async function runBench(
  options: { onProgress: (line: string) => void; tiny?: boolean },
): Promise<Record<string, unknown>> {
  const progress = options.onProgress;
  const sizes = options.tiny === true ? TINY : FULL;
  const files = Array.from({ length: sizes.fileRepeats }, () => SAMPLE);
  progress("warming up");
  await runDataset(files.slice(0, 4), 0, sizes);
  const results: BenchResult[] = [];
  const stages = await measureStages(sizes);
  const decodeOnly = await measureDecodeOnly(sizes);
  results.push(decodeOnly, await measureWindowCopy(sizes), ...stages);
  for (const workers of WORKER_COUNTS) {
    progress(`dataset with ${workers} workers: ${files.length} files`);
    const run = await runDataset(files, workers, sizes);
    results.push({
      name: `dataset_workers_${workers}`,
      ...run,
      ratio_to_decode_only: round(run.windows_per_s / Number(decodeOnly.windows_per_s), 3),
    });
  }
  progress(`dataset with 2 workers in file order, one file at a time, no shuffle: ${files.length} files`);
  const plain = await runDataset(files, 2, sizes, FILE_ORDER);
  results.push({ name: "dataset_workers_2_file_order", ...plain });
  const mixed = results.find((r) => r.name === "dataset_workers_2")!;
  (mixed as Record<string, number | string>).ratio_to_file_order = round(
    Number(mixed.windows_per_s) / plain.windows_per_s,
    3,
  );
  progress(`dataset with 2 workers, consumer paced at ${PACED_WINDOWS_PER_S} windows/s`);
  results.push(await runPaced(files, 2, sizes));
  const inline = results.find((r) => r.name === "dataset_workers_0")!;
  for (const r of results) {
    if (/^dataset_workers_\d+$/.test(r.name) && r !== inline) {
      (r as Record<string, number | string>).speedup_vs_workers_0 = round(
        Number(r.windows_per_s) / Number(inline.windows_per_s),
        3,
      );
    }
  }
  return {
    bench: "data",
    version: denoJson.version,
    backend: "none (CPU: Deno Workers)",
    device: `${navigator.hardwareConcurrency} CPU threads`,
    commit: await gitCommit(),
    conditions: {
      file: "tests/fixtures/pod5/z1.pod5",
      file_repeats: sizes.fileRepeats,
      windows_per_run: 230 * sizes.fileRepeats,
      window_samples: WINDOW_SAMPLES,
      batch_size: sizes.batchSize,
      prefetch_batches: PREFETCH_BATCHES,
      shuffle_files: TRAINING_MIX.shuffleFiles,
      interleave_files: TRAINING_MIX.interleaveFiles,
      shuffle_buffer: TRAINING_MIX.shuffleWindows,
      normalisation: "median_mad",
    },
    results,
  };
}

interface DatasetRun {
  readonly windows: number;
  readonly seconds: number;
  readonly windows_per_s: number;
  readonly samples_per_s: number;
  readonly steady_windows_per_s: number;
  readonly first_batch_ms: number;
  readonly cpu_cores_used: number;
  readonly [key: string]: number;
}

/** How a run orders and mixes windows. */
interface DatasetMix {
  readonly shuffleFiles: boolean;
  readonly interleaveFiles: number;
  readonly shuffleWindows: number;
}

/** The dataset every run measures: the bench's batch, window, rate and prefetch, with `workers` and a mix. */
function benchDataset(
  files: readonly string[],
  workers: number,
  sizes: Sizes,
  mix: DatasetMix,
): NanoporeSignalDataset {
  return new NanoporeSignalDataset({
    files,
    batchSize: sizes.batchSize,
    windowSamples: WINDOW_SAMPLES,
    sampleRateHz: SAMPLE_RATE_HZ,
    workers,
    prefetchBatches: PREFETCH_BATCHES,
    ...mix,
    seed: trainConfig.seed,
  });
}

async function runDataset(
  files: readonly string[],
  workers: number,
  sizes: Sizes,
  mix = TRAINING_MIX,
): Promise<DatasetRun> {
  await using dataset = benchDataset(files, workers, sizes, mix);
  const cpu0 = cpuUsage();
  const t0 = performance.now();
  let firstAt = 0;
  let windows = 0;
  let checksum = 0;
  for await (const batch of dataset.batches()) {
    if (windows === 0) firstAt = performance.now();
    windows += batch.batchSize;
    checksum += batch.values[batch.values.length - 1]!;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuUsage(cpu0);
  if (!Number.isFinite(checksum)) throw new Error("Cannot benchmark: non-finite windows");
  const steadySeconds = seconds - (firstAt - t0) / 1000;
  return {
    windows,
    seconds: round(seconds, 3),
    windows_per_s: round(windows / seconds, 0),
    samples_per_s: round((windows * WINDOW_SAMPLES) / seconds, 0),
    steady_windows_per_s: round((windows - sizes.batchSize) / steadySeconds, 0),
    first_batch_ms: round(firstAt - t0, 1),
    cpu_cores_used: round((cpu.user + cpu.system) / 1e6 / seconds, 2),
  };
}

/**
 * A consumer that waits (like an asynchronous GPU step) `batchSize / PACED_WINDOWS_PER_S` seconds per batch:
 * how long does `next()` block it, i.e. how much would a GPU at that rate starve?
 */
async function runPaced(files: readonly string[], workers: number, sizes: Sizes): Promise<BenchResult> {
  await using dataset = benchDataset(files, workers, sizes, TRAINING_MIX);
  const stepMs = (sizes.batchSize / PACED_WINDOWS_PER_S) * 1000;
  const iterator = dataset.batches();
  await iterator.next(); // Worker start-up is not starvation.
  let waitedMs = 0;
  let windows = 0;
  const t0 = performance.now();
  for (let i = 0; i < sizes.pacedBatches; i++) {
    await new Promise((resolve) => setTimeout(resolve, stepMs));
    const asked = performance.now();
    const next = await iterator.next();
    waitedMs += performance.now() - asked;
    if (next.done === true) break;
    windows += next.value.batchSize;
  }
  const seconds = (performance.now() - t0) / 1000;
  await iterator.return();
  return {
    name: `dataset_workers_${workers}_paced`,
    consumer_windows_per_s: PACED_WINDOWS_PER_S,
    windows_per_s: round(windows / seconds, 0),
    next_ms_per_batch: round(waitedMs / sizes.pacedBatches, 2),
    starved_fraction: round(waitedMs / 1000 / seconds, 4),
  };
}

/** Baseline: decode every read of the sample, nothing else, on this thread. */
async function measureDecodeOnly(sizes: Sizes): Promise<BenchResult> {
  await using reader = await Pod5Reader.open(SAMPLE);
  const ids = reader.readIds();
  let samples = 0;
  const t0 = performance.now();
  for (let r = 0; r < sizes.stageRepeats; r++) {
    for (const id of ids) samples += (await reader.read(id)).signal().length;
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    name: "decode_only",
    samples_per_s: round(samples / seconds, 0),
    windows_per_s: round(samples / WINDOW_SAMPLES / seconds, 0),
  };
}

/** Baseline: copy 10,000-sample windows into batch buffers (what the consumer side does per window). */
function measureWindowCopy(sizes: Sizes): Promise<BenchResult> {
  const { batchSize } = sizes;
  const source = new Float32Array(batchSize * WINDOW_SAMPLES).fill(1);
  const rounds = 20;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    const batch = new Float32Array(batchSize * WINDOW_SAMPLES);
    for (let i = 0; i < batchSize; i++) {
      batch.set(source.subarray(i * WINDOW_SAMPLES, (i + 1) * WINDOW_SAMPLES), i * WINDOW_SAMPLES);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  return Promise.resolve({ name: "window_copy", windows_per_s: round((rounds * batchSize) / seconds, 0) });
}

/** Single-thread cost per window of each step of the loader, on the sample's reads. */
async function measureStages(sizes: Sizes): Promise<BenchResult[]> {
  await using reader = await Pod5Reader.open(SAMPLE);
  const reads = await Promise.all(reader.readIds().map((id) => reader.read(id)));
  const adcs = reads.map((read) => read.signal());
  const windows = adcs.reduce((n, adc) => n + adc.length, 0) / WINDOW_SAMPLES;
  const time = (step: () => void): number => {
    const t0 = performance.now();
    for (let r = 0; r < sizes.stageRepeats; r++) step();
    return (performance.now() - t0) / sizes.stageRepeats / windows;
  };
  const decode = time(() => reads.forEach((read) => read.signal()));
  const stats = time(() => reads.forEach((read, i) => normalisationStatsFromAdc(adcs[i]!, read.calibration)));
  const allStats = reads.map((read, i) => normalisationStatsFromAdc(adcs[i]!, read.calibration));
  const normalise = time(() =>
    reads.forEach((read, i) => normaliseAdc(adcs[i]!, read.calibration, { stats: allStats[i]! }))
  );
  const pA = reads.map((read, i) => adcToPa(adcs[i]!, read.calibration));
  const quickselect = time(() => pA.forEach((values) => normalisationStats(values)));
  const sortOnce = performance.now();
  pA.forEach((values) => Float32Array.from(values).sort());
  const sort = (performance.now() - sortOnce) / windows;
  const buffers = Array.from({ length: 64 }, () => new Float32Array(WINDOW_SAMPLES * 64));
  const t0 = performance.now();
  for (const buffer of buffers) structuredClone(buffer, { transfer: [buffer.buffer] });
  const transfer = (performance.now() - t0) / (64 * 64);
  const longest = pA.reduce((a, b) => (a.length >= b.length ? a : b));
  const copy = time(() => structuredClone(longest)) * windows / (longest.length / WINDOW_SAMPLES);
  return [
    { name: "stage_decode", ms_per_window: round(decode, 4) },
    { name: "stage_stats_histogram", ms_per_window: round(stats, 4) },
    { name: "stage_normalise", ms_per_window: round(normalise, 4) },
    { name: "stage_stats_quickselect_pa", ms_per_window: round(quickselect, 4) },
    { name: "stage_stats_full_sort_pa", ms_per_window: round(sort, 4) },
    { name: "stage_transfer", ms_per_window: round(transfer, 5) },
    { name: "stage_structured_clone_copy", ms_per_window: round(copy, 4) },
  ];
}

/** The checked-out commit, read from `.git` (best effort: null when it cannot be read). */
async function gitCommit(): Promise<string | null> {
  try {
    let gitDir = fromFileUrl(new URL("../.git", import.meta.url));
    const info = await Deno.stat(gitDir);
    if (info.isFile) {
      const pointer = (await Deno.readTextFile(gitDir)).trim().replace(/^gitdir:\s*/, "");
      gitDir = pointer;
    }
    const head = (await Deno.readTextFile(`${gitDir}/HEAD`)).trim();
    if (!head.startsWith("ref: ")) return head;
    const ref = head.slice(5);
    let common = gitDir;
    try {
      common = `${gitDir}/${(await Deno.readTextFile(`${gitDir}/commondir`)).trim()}`;
    } catch {
      // Not a linked worktree: refs live in gitDir itself.
    }
    try {
      return (await Deno.readTextFile(`${common}/${ref}`)).trim();
    } catch {
      const packed = await Deno.readTextFile(`${common}/packed-refs`);
      return packed.split("\n").find((line) => line.endsWith(` ${ref}`))?.split(" ")[0] ?? null;
    }
  } catch {
    return null;
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
