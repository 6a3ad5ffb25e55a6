/**
 * `deno task bench train`: training-step and encoder throughput of the seed
 * model on the wasm backend, against a plain untransposed matMul measured in
 * the same run (SPEC §3.6).
 *
 * Results: `matmul` (1024³ GFLOP/s: median of the runs bracketing every
 * row), `g_step_b16`, `g_step_b4` (generator-only steps), `encode_b16`
 * (windows → codes), `gd_step_b16` (with the discriminator, the config's
 * disc_steps). Each row's `ratio_to_matmul` uses the matMul runs just before
 * and after it. GFLOP counts: `lib/train/step_flops.ts` (training = 3×
 * forward).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import denoConfig from "../deno.json" with { type: "json" };
import { initBackend } from "../lib/runtime/backend.ts";
import { parseConfig, segmentSamples } from "../lib/runtime/config.ts";
import { Rng } from "../lib/runtime/rng.ts";
import { outputActivationFor } from "../lib/model/decoder.ts";
import { encodeFlops, forwardFlops, trainStepFlops } from "../lib/train/step_flops.ts";
import { Trainer } from "../lib/train/trainer.ts";

/** Square matMul size of the baseline. */
const MATMUL_SIZE = 1024;
/** A disc_start no step reaches: generator-only steps. */
const NEVER = 1_000_000_000;
/** The `--tiny` model: a few channels, 800-sample windows. */
const TINY_CONFIG = {
  model: {
    enc_channels: [4, 8, 8],
    enc_down_strides: [4, 5],
    enc_num_res_blocks: 1,
    latent_dim: 8,
    codebook_size: 32,
    dec_channels: [8, 8, 4],
    dec_up_strides: [5, 4],
    dec_num_res_blocks: 1,
    discriminator: { channels: [4, 8], strides: [2, 2], kernel_size: 5, resblock_layers: 1 },
  },
  data: { segment_samples: 800, segment_sec: null },
};

interface Timing {
  readonly medianMs: number;
  readonly runsMs: readonly number[];
}

/** With `tiny`, every timing is one run without warm-up (a smoke run; its numbers mean nothing). */
let tinyRuns = false;

async function time(warmups: number, runs: number, fn: () => Promise<void>): Promise<Timing> {
  if (tinyRuns) [warmups, runs] = [0, 1];
  for (let i = 0; i < warmups; i++) await fn();
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    runsMs.push(performance.now() - t0);
  }
  const sorted = [...runsMs].sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)]!, runsMs };
}

async function matmulGflops(size: number): Promise<number> {
  const [a, b] = tf.tidy(
    () => [
      tf.randomNormal([size, size], 0, 1, "float32", 1),
      tf.randomNormal([size, size], 0, 1, "float32", 2),
    ],
  );
  const t = await time(2, 7, async () => {
    const c = tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);
    await c.data();
    c.dispose();
  });
  tf.dispose([a!, b!]);
  return 2 * size ** 3 / (t.medianMs * 1e6);
}

function rssGib(): number {
  return Deno.memoryUsage().rss / 2 ** 30;
}

/**
 * Run the benchmark.
 *
 * @param options `onProgress` receives one line per finished measurement; `tiny` uses a small model,
 *   800-sample windows and one run per row (a smoke run; its numbers mean nothing).
 * @returns The JSON document.
 */
export async function runBench(
  options: { onProgress: (line: string) => void; tiny?: boolean },
): Promise<Record<string, unknown>> {
  const log = options.onProgress;
  const backend = await initBackend("wasm");
  tinyRuns = options.tiny === true;
  const matmulSize = tinyRuns ? 128 : MATMUL_SIZE;
  const config = parseConfig(tinyRuns ? TINY_CONFIG : {});
  const samples = segmentSamples(config.data);
  const rng = Rng.fromSeed(config.seed);
  const windows = (count: number) => Float32Array.from({ length: count * samples }, () => rng.nextNormal());
  const setup = {
    model: config.model,
    windowSamples: samples,
    outputActivation: outputActivationFor(config.data.normalization),
  };
  const results: Record<string, unknown>[] = [];
  // Other processes may share the CPU: each row is bracketed by matMul runs
  // and compared with their mean, so a row and its baseline see the same load.
  const baselines: number[] = [await matmulGflops(matmulSize)];
  log(`matmul ${matmulSize}³: ${baselines[0]!.toFixed(1)} GFLOP/s`);
  const measure = async (
    name: string,
    count: number,
    stepFlops: number,
    run: () => Promise<Timing>,
    extra: Record<string, number> = {},
  ) => {
    const before = baselines[baselines.length - 1]!;
    const t = await run();
    const after = await matmulGflops(matmulSize);
    baselines.push(after);
    const gflops = stepFlops / (t.medianMs * 1e6);
    const matmul = (before + after) / 2;
    const row = {
      name,
      windows: count,
      ms: t.medianMs,
      runs_ms: t.runsMs.map((ms) => Math.round(ms)),
      windows_per_s: count / (t.medianMs / 1000),
      gflops,
      gflop_per_step: stepFlops / 1e9,
      matmul_gflops: matmul,
      ratio_to_matmul: gflops / matmul,
      rss_gib: rssGib(),
      ...extra,
    };
    results.push(row);
    log(
      `${name}: ${row.windows_per_s.toFixed(2)} windows/s, ${gflops.toFixed(2)} GFLOP/s, ` +
        `${(100 * row.ratio_to_matmul).toFixed(0)}% of matMul (${matmul.toFixed(1)} GFLOP/s around it)`,
    );
  };

  const gOnly = Trainer.create({ ...setup, train: { ...config.train, disc_start: NEVER } }, { rng, backend });
  const flops = forwardFlops(gOnly, samples);
  let step = 1;
  for (const count of [16, 4]) {
    const batch = windows(count);
    await measure(
      `g_step_b${count}`,
      count,
      trainStepFlops(flops, { windows: count, discSteps: 0 }),
      () => time(1, 3, async () => void (await gOnly.step([batch], step++))),
    );
  }
  const encodeBatch = tf.tensor2d(windows(16), [16, samples]);
  const encodeOnce = async () => {
    const codes = gOnly.generator.encode(encodeBatch);
    await codes.data();
    codes.dispose();
  };
  let encodeMs = 0;
  await measure("encode_b16", 16, encodeFlops(flops, 16), async () => {
    const t = await time(1, 5, encodeOnce);
    encodeMs = t.medianMs;
    return t;
  });
  results[results.length - 1]!["samples_per_s"] = 16 * samples / (encodeMs / 1000);
  encodeBatch.dispose();
  gOnly.dispose();

  const discSteps = config.train.disc_steps;
  const gd = Trainer.create({ ...setup, train: { ...config.train, disc_start: 1 } }, { rng, backend });
  const gdBatch = windows(16);
  let gdStep = 1;
  await measure(
    "gd_step_b16",
    16,
    trainStepFlops(flops, { windows: 16, discSteps }),
    () => time(1, 1, async () => void (await gd.step([gdBatch], gdStep++))),
    { disc_steps: discSteps },
  );
  gd.dispose();

  const sorted = [...baselines].sort((a, b) => a - b);
  results.unshift({
    name: "matmul",
    gflops: sorted[Math.floor(sorted.length / 2)]!,
    gflops_min: sorted[0]!,
    gflops_max: sorted[sorted.length - 1]!,
    runs: baselines.length,
    size: matmulSize,
  });
  return {
    bench: "train",
    version: denoConfig.version,
    backend: backend.name,
    device: backend.device,
    conditions: {
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      logical_cpus: navigator.hardwareConcurrency,
      model: tinyRuns ? "tiny smoke-run model, 800-sample windows" : "seed config (notes §1–4), 10,000-sample windows",
      flop_counting: "2 per multiply-add of convs and matMuls; training step = 3x forward (dx and dW each ~1x), " +
        "discriminator inside the generator loss = 2x (dx only) on fake + 1x on real, each discriminator repeat = 3x on real and fake",
    },
    results,
  };
}
