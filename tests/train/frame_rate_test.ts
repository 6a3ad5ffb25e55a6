// Faster frame rates are configs, not code: 40× and 20× downsampling (the
// seed's stages with a stride of 4 or 5 lowered to 2) build with the
// written-out architecture's parameter counts, round-trip windows in the
// model against the float64 reference, and train, validate and resume in the
// trainer, also with residual quantizer stages.
import * as tf from "@tensorflow/tfjs-core";
import { Codec } from "../../lib/model/codec.ts";
import { kernelPlanFor } from "../../lib/model/kernel_plan.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { encoderHop, parseConfig } from "../../lib/runtime/config.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { loadCheckpoint } from "../../lib/checkpoint/checkpoint.ts";
import { trainModel } from "../../lib/train/loop.ts";
import { MetricsLog } from "../../lib/train/metrics_log.ts";
import { assert, assertEquals } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { assertClose, normals } from "../model/_reference.ts";
import {
  referenceCodebook,
  referenceDecode,
  referenceEncode,
  referenceResidualQuantize,
} from "../model/_reference_codec.ts";
import { architectureCosts } from "../model/_seed_architecture.ts";
import { tinyConfig } from "./_tiny_config.ts";

/** Frame rates as strides: the seed's [4, 4, 5, 1] is 80×. */
const RATES = [
  { hop: 40, enc_down_strides: [4, 2, 5, 1], dec_up_strides: [1, 5, 2, 4] },
  { hop: 20, enc_down_strides: [2, 2, 5, 1], dec_up_strides: [1, 5, 2, 2] },
] as const;

for (const rate of RATES) {
  const strides = { enc_down_strides: [...rate.enc_down_strides], dec_up_strides: [...rate.dec_up_strides] };

  Deno.test(`Codec() at ${rate.hop}× has the written-out architecture's parameters and FLOPs for 10,000-sample windows`, async () => {
    const backend = await initBackend("cpu");
    const config = parseConfig({ model: strides });
    assertEquals(encoderHop(config.model), rate.hop);
    const arch = architectureCosts(config.model, 10000);
    const codec = new Codec(config.model, {
      rng: Rng.fromSeed(1),
      plan: kernelPlanFor(backend.name),
      outputActivation: "linear",
    });
    try {
      assertEquals(codec.hop, rate.hop);
      assertEquals(codec.latentLength(10000), 10000 / rate.hop);
      assertEquals(arch.latentLength, 10000 / rate.hop);
      assertEquals(codec.moduleCounts("encoder").trainable, arch.encoder.params);
      assertEquals(codec.moduleCounts("decoder").trainable, arch.decoder.params);
      const flops = codec.flops(10000);
      assertEquals([flops.encoder, flops.decoder, flops.quantizer_search], [
        arch.encoder.flops,
        arch.decoder.flops,
        arch.quantizer.flops,
      ]);
    } finally {
      codec.dispose();
    }
  });

  Deno.test(`Codec() at ${rate.hop}× with 2 stages maps windows to ${rate.hop}-sample frames and back like the float64 reference [wasm]`, async () => {
    const backend = await initBackend("wasm");
    const model = parseConfig({
      model: {
        ...strides,
        enc_channels: [4, 4, 8, 8, 8],
        enc_num_res_blocks: 1,
        dec_channels: [8, 8, 8, 4, 4],
        dec_num_res_blocks: 1,
        latent_dim: 4,
        codebook_size: 16,
        num_quantizers: 2,
      },
    }).model;
    const codec = new Codec(model, {
      rng: Rng.fromSeed(2),
      plan: kernelPlanFor(backend.name),
      outputActivation: "linear",
    });
    try {
      const samples = 2 * rate.hop * 3; // 6 frames a window
      const xs = normals(Rng.fromSeed(3), 2 * samples);
      const params = await codec.exportParams();
      const z = referenceEncode(params, model, xs, [2, samples]);
      const codebooks = [referenceCodebook(params), referenceCodebook(params, "quantizer/stage_2")];
      for (const k of [1, 2]) {
        const want = referenceResidualQuantize(codebooks.slice(0, k), z, model.beta);
        const codes = await codec.encodeWindows(xs, samples, { quantizers: k });
        assertEquals(codes.length, 2 * 6 * k);
        assertEquals(Array.from(codes), want.indices[0]!.flatMap((_, i) => want.indices.map((stage) => stage[i]!)));
        const windows = await codec.decodeCodes(codes, 6, { quantizers: k });
        assertEquals(windows.length, 2 * samples);
        assertClose(windows, referenceDecode(params, model, want.quantized, false), 1e-4, 1e-4);
      }
      const x = tf.tensor2d(xs, [2, samples]);
      const out = codec.forward(x);
      assertEquals(out.indices.shape, [2, 6, 2]);
      assertEquals(out.reconstruction.shape, [2, samples]);
      tf.dispose([x, out.reconstruction, out.indices, out.commitLoss]);
    } finally {
      codec.dispose();
    }
  });

  Deno.test(`trainModel() at ${rate.hop}× with 2 stages trains, validates and resumes exactly`, async () => {
    const backend = await initBackend("wasm");
    await withTempDir(async (dir) => {
      const config = (ckpt: string, train: Record<string, unknown> = {}) => {
        const base = tinyConfig(ckpt, { max_steps: 4, val_every: 2, ...train });
        return {
          ...base,
          model: {
            ...(base["model"] as Record<string, unknown>),
            ...strides,
            enc_channels: [4, 4, 8, 8, 8],
            dec_channels: [8, 8, 8, 4, 4],
            num_quantizers: 2,
            quantizer_dropout: 0.5,
          },
        };
      };
      const straight = await trainModel({ config: parseConfig(config(`${dir}/a`)), backend });
      assertEquals(straight.steps, 4);
      await trainModel({ config: parseConfig(config(`${dir}/b`, { max_steps: 2 })), backend });
      await trainModel({
        config: parseConfig({ ...config(`${dir}/b`), checkpoint: { dir: `${dir}/b`, resume_from: "auto" } }),
        backend,
      });
      const strip = (r: Record<string, unknown>) => ({ ...r, windows_per_s: 0, seconds: 0 });
      const a = await (await MetricsLog.open(`${dir}/a`)).records();
      const b = await (await MetricsLog.open(`${dir}/b`)).records();
      assertEquals(b.map(strip), a.map(strip));
      const last = a.at(-1)!;
      for (const key of ["total_loss", "val_snr_db", "val_snr_db_k1", "val_codebook_perplexity_q2"]) {
        assert(Number.isFinite(last[key]), `${key}: ${last[key]}`);
      }
      const generator = (await loadCheckpoint(`${dir}/a/checkpoint_4`)).tensors.generator;
      assertEquals(generator.get("quantizer/stage_2/W")!.shape, [8, 8]);
    });
  });
}
