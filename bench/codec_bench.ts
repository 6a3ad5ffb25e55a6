/**
 * `deno task bench codec [--ckpt DIR]`: the codec's pipelines on the bundled
 * 5 kHz data with the seed architecture, against the generator's own encode
 * on ready windows measured in the same run.
 *
 * Results (names are a contract):
 * - `model_encode_only`: `Codec.encode` on batches of 16 ready windows in this
 *   thread, no I/O (the baseline; measured before and after the pipelines);
 * - `encode_workers_1`, `encode_workers_2`: `encodePod5` on a folder holding
 *   z1 twice and Dorado's 5 kHz test file (4.6 M samples: whole files, worker
 *   start-up included), with `ratio_to_model_encode_only`;
 * - `decode_workers_1`, `decode_workers_2`: `decodeTokens` of those files;
 * - `bits_z1`: `bits_per_sample_codes`, `bits_per_sample_file` (packed) and
 *   `vbz_bits_per_sample` (the input's signal table) on z1.
 * Each pipeline row gives `samples_per_s` and `realtime_minion`
 * (samples/s ÷ 2.56 M/s, a MinION flow cell's rate) and
 * `realtime_promethion` (÷ 13.4 M/s).
 *
 * Without `--ckpt` the generator has random seed-architecture weights (speed
 * does not depend on them; bits per sample do: give a trained checkpoint for
 * those).
 *
 * @module
 */
import { join } from "@std/path";
import * as tf from "@tensorflow/tfjs-core";
import { decodeTokens, encodePod5, loadCodec } from "../lib/codec/mod.ts";
import { Codec } from "../lib/model/codec.ts";
import { outputActivationFor } from "../lib/model/decoder.ts";
import { kernelPlanFor } from "../lib/model/kernel_plan.ts";
import { initBackend } from "../lib/runtime/backend.ts";
import { parseConfig } from "../lib/runtime/config.ts";
import { Rng } from "../lib/runtime/rng.ts";
import { writeGeneratorCheckpoint } from "../lib/checkpoint/write_generator_checkpoint.ts";
import { benchEnvironment } from "./_common.ts";

/** A MinION flow cell's sample rate (512 channels at 5 kHz). */
const MINION_SAMPLES_PER_S = 2.56e6;
/** A PromethION flow cell's sample rate. */
const PROMETHION_SAMPLES_PER_S = 13.4e6;
/** Windows per model call, as the pipelines use (`JOB_WINDOWS`). */
const BATCH_WINDOWS = 16;

const FIXTURES = new URL("../tests/fixtures/pod5/", import.meta.url).pathname;

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
  },
  data: { segment_samples: 800, segment_sec: null },
};

/**
 * Run the benchmark.
 *
 * @param options Progress callback, flags (`ckpt`) and `tiny`: a small random model, z1 alone and
 *   two model runs (a smoke run; its numbers mean nothing).
 * @returns The JSON document.
 */
export async function runBench(
  options: { onProgress: (line: string) => void; flags: ReadonlyMap<string, string>; tiny?: boolean },
): Promise<Record<string, unknown>> {
  const tiny = options.tiny === true;
  const log = options.onProgress;
  const backend = await initBackend("wasm");
  const scratch = `bench/results/.codec-${Deno.pid}`;
  await Deno.mkdir(join(scratch, "in"), { recursive: true });
  try {
    const given = options.flags.get("ckpt");
    const ckpt = given ?? await writeGeneratorCheckpoint(join(scratch, "ckpt"), { config: tiny ? TINY_CONFIG : {} });
    const codec = await loadCodec(ckpt, { backend });
    const samples = codec.windowSamples;
    await Deno.copyFile(join(FIXTURES, "z1.pod5"), join(scratch, "in", "z1_a.pod5"));
    if (!tiny) {
      await Deno.copyFile(join(FIXTURES, "z1.pod5"), join(scratch, "in", "z1_b.pod5"));
      await Deno.copyFile(
        join(FIXTURES, "dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5"),
        join(scratch, "in", "dorado_5khz.pod5"),
      );
    }

    // The baseline: the generator's encode on ready windows, in this thread.
    const config = parseConfig({});
    const generator = new Codec(codec.model, {
      rng: Rng.fromSeed(1),
      plan: kernelPlanFor(backend.name),
      outputActivation: outputActivationFor(codec.normalisation),
    });
    const rng = Rng.fromSeed(config.seed);
    const batch = tf.tensor2d(
      Float32Array.from({ length: BATCH_WINDOWS * samples }, () => rng.nextNormal()),
      [BATCH_WINDOWS, samples],
    );
    const modelEncode = async (): Promise<number> => {
      const runs: number[] = [];
      for (let i = 0; i < (tiny ? 2 : 6); i++) {
        const t0 = performance.now();
        const codes = generator.encode(batch);
        await codes.data();
        codes.dispose();
        if (i > 0) runs.push(performance.now() - t0);
      }
      runs.sort((a, b) => a - b);
      return (BATCH_WINDOWS * samples) / (runs[runs.length >> 1]! / 1000);
    };
    const baselines = [await modelEncode()];
    log(`model_encode_only: ${Math.round(baselines[0]!)} samples/s`);

    const results: Record<string, unknown>[] = [];
    const rate = (samplesPerS: number) => ({
      samples_per_s: samplesPerS,
      realtime_minion: samplesPerS / MINION_SAMPLES_PER_S,
      realtime_promethion: samplesPerS / PROMETHION_SAMPLES_PER_S,
    });
    for (const workers of [1, 2]) {
      const encoded = await encodePod5(join(scratch, "in"), join(scratch, `tokens_${workers}`), { codec, workers });
      const encodeRate = encoded.numSamples / encoded.seconds;
      results.push({
        name: `encode_workers_${workers}`,
        workers,
        samples: encoded.numSamples,
        seconds: encoded.seconds,
        ...rate(encodeRate),
      });
      log(`encode_workers_${workers}: ${Math.round(encodeRate)} samples/s`);
      const decoded = await decodeTokens(join(scratch, `tokens_${workers}`), join(scratch, `pod5_${workers}`), {
        codec,
        workers,
      });
      const decodeRate = decoded.numSamples / decoded.seconds;
      results.push({
        name: `decode_workers_${workers}`,
        workers,
        samples: decoded.numSamples,
        seconds: decoded.seconds,
        ...rate(decodeRate),
      });
      log(`decode_workers_${workers}: ${Math.round(decodeRate)} samples/s`);
      baselines.push(await modelEncode());
      log(`model_encode_only: ${Math.round(baselines.at(-1)!)} samples/s`);
    }
    batch.dispose();
    generator.dispose();
    const baseline = baselines.reduce((a, b) => a + b, 0) / baselines.length;
    const byName = (name: string) => results.find((r) => r["name"] === name)!;
    const speed = (name: string) => Number(byName(name)["samples_per_s"]);
    for (const row of results) row["ratio_to_model_encode_only"] = Number(row["samples_per_s"]) / baseline;
    byName("encode_workers_2")["speedup_vs_workers_1"] = speed("encode_workers_2") / speed("encode_workers_1");
    byName("decode_workers_2")["speedup_vs_workers_1"] = speed("decode_workers_2") / speed("decode_workers_1");
    results.unshift({
      name: "model_encode_only",
      batch_windows: BATCH_WINDOWS,
      runs: baselines.length,
      runs_samples_per_s: baselines.map(Math.round),
      ...rate(baseline),
    });

    const z1 = await encodePod5(join(FIXTURES, "z1.pod5"), join(scratch, "z1.tokens"), { codec, workers: 0 });
    results.push({
      name: "bits_z1",
      bits_per_sample_codes: z1.bitsPerSampleCodes,
      bits_per_sample_file: z1.bitsPerSampleFile,
      nominal_bits_per_sample: z1.nominalBitsPerSample,
      vbz_bits_per_sample: z1.inputBitsPerSample,
      compression_ratio_vs_pod5: z1.compressionRatio,
    });
    codec.dispose();
    return {
      bench: "codec",
      ...await benchEnvironment(),
      backend: backend.name,
      device_detail: backend.device,
      generator: given === undefined ? "random seed-architecture weights" : `checkpoint ${codec.checkpoint.path}`,
      checkpoint_sha256: codec.checkpoint.sha256,
      results,
    };
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
}
