/**
 * Writes `tests/fixtures/model_0_1_0/`: what the single-quantizer model of
 * version 0.1.0 (commit 7a611eb) computes for a tiny seeded model on the cpu
 * backend (pure JavaScript, bit-reproducible), so that later versions can be
 * checked against it: `model.num_quantizers` 1 must reproduce it exactly.
 *
 * It is written against 0.1.0's API (later versions changed the shape of
 * `StepResult.codeCounts`, one array per quantizer stage); run it there:
 *
 *     git worktree add /tmp/v010 7a611eb && cd /tmp/v010 && deno install --frozen
 *     deno run --allow-read --allow-write --allow-env <this file> OUT_DIR
 *
 * OUT_DIR gets:
 * - `config.json`: the config document (seed, tiny model, train settings);
 * - `inputs.f32le`: the training windows, `[steps, micro-batches, batch, 800]` float32 LE;
 * - `steps.json`: each step's metrics and per-micro-batch code counts;
 * - `checkpoint_3/`: the trained generator (and discriminator), loadable by `loadCodec`;
 * - `forward.json`, `reconstruction.f32le`, `decoded.f32le`: the trained
 *   generator on the first micro-batch: the training forward's codes,
 *   commitment loss and reconstruction, `encodeWindows` codes and
 *   `decodeCodes` of them;
 * - `dorado_5khz.packed.tokens`, `dorado_5khz.plain.tokens`: token files of
 *   the bundled 5 kHz POD5, and `tokens.json`: their decode's signal sha256
 *   per read.
 *
 * @module
 */
import { join } from "@std/path";
import { decodeTokens, encodePod5, loadCodec } from "../lib/codec/mod.ts";
import { Pod5Reader } from "../lib/pod5/reader.ts";
import { initBackend } from "../lib/runtime/backend.ts";
import { parseConfig } from "../lib/runtime/config.ts";
import { Rng } from "../lib/runtime/rng.ts";
import { sha256Hex } from "../lib/runtime/sha256_hex.ts";
import { saveCheckpoint } from "../lib/train/checkpoint.ts";
import { Trainer } from "../lib/train/trainer.ts";
import * as tf from "@tensorflow/tfjs-core";

const WINDOW = 800, BATCH = 2, MICRO = 2, STEPS = 3;
const DORADO_5KHZ = new URL(
  "../tests/fixtures/pod5/dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5",
  import.meta.url,
).pathname;

const CONFIG = {
  seed: 7,
  train: { batch_size: BATCH, learning_rate: 0.003, grad_accum_steps: MICRO, disc_start: 2, disc_steps: 2 },
  model: {
    base_channels: 4,
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
  data: { segment_samples: WINDOW, segment_sec: null },
};

const out = Deno.args[0];
if (out === undefined) throw new Error("usage: make_model_fixture.ts OUT_DIR");
await Deno.mkdir(out, { recursive: true });
const config = parseConfig(CONFIG);
const backend = await initBackend("cpu");
const trainer = Trainer.create(
  { model: config.model, train: config.train, windowSamples: WINDOW, outputActivation: "linear" },
  { rng: Rng.fromSeed(config.seed), backend },
);
const data = Rng.fromSeed(99);
const inputs = Float32Array.from({ length: STEPS * MICRO * BATCH * WINDOW }, () => data.nextNormal());
const microBatch = (step: number, m: number) => {
  const size = BATCH * WINDOW, at = (step * MICRO + m) * size;
  return inputs.slice(at, at + size);
};
const steps = [];
for (let s = 0; s < STEPS; s++) {
  const batches = Array.from({ length: MICRO }, (_, m) => microBatch(s, m));
  const result = await trainer.step(batches, s + 1);
  steps.push({ step: s + 1, metrics: result.metrics, code_counts: result.codeCounts.map((c) => Array.from(c)) });
}
const state = await trainer.exportState();
const empty = new Map();
const checkpoint = await saveCheckpoint(out, {
  step: STEPS,
  tensors: { generator: state.generator, discriminator: state.discriminator, optimizer: empty, loop: empty },
  state: { step: STEPS, config },
});

const g = trainer.generator;
const x = tf.tensor2d(microBatch(0, 0), [BATCH, WINDOW]);
const forward = g.forward(x);
const codes = await g.encodeWindows(microBatch(0, 0), WINDOW);
const decoded = await g.decodeCodes(codes, WINDOW / g.hop);
await Deno.writeFile(join(out, "reconstruction.f32le"), new Uint8Array((await forward.reconstruction.data()).buffer));
await Deno.writeFile(join(out, "decoded.f32le"), new Uint8Array(decoded.buffer));
const forwardJson = {
  windows: "the first micro-batch of step 1 (inputs.f32le), after the 3 steps",
  indices: Array.from(await forward.indices.data()),
  commit_loss: (await forward.commitLoss.data())[0],
  codes: Array.from(codes),
};
tf.dispose([x, forward.reconstruction, forward.indices, forward.commitLoss]);
trainer.dispose();

await Deno.writeTextFile(join(out, "config.json"), JSON.stringify(CONFIG, null, 2) + "\n");
await Deno.writeFile(join(out, "inputs.f32le"), new Uint8Array(inputs.buffer));
await Deno.writeTextFile(join(out, "steps.json"), JSON.stringify(steps, null, 1) + "\n");
await Deno.writeTextFile(join(out, "forward.json"), JSON.stringify(forwardJson) + "\n");

const codec = await loadCodec(checkpoint, { backend });
const hashes: Record<string, Record<string, string>> = {};
for (const codesEncoding of ["packed", "plain"] as const) {
  const tokens = join(out, `dorado_5khz.${codesEncoding}.tokens`);
  await encodePod5(DORADO_5KHZ, tokens, { codec, codes: codesEncoding, overwrite: true });
  const restored = join(out, `restored_${codesEncoding}.pod5`);
  await decodeTokens(tokens, restored, { codec, overwrite: true });
  const signals: Record<string, string> = {};
  {
    await using reader = await Pod5Reader.open(restored);
    for await (const read of reader.reads()) signals[read.readId] = sha256Hex(read.signal());
  }
  hashes[codesEncoding] = signals;
  await Deno.remove(restored);
}
codec.dispose();
await Deno.writeTextFile(
  join(out, "tokens.json"),
  JSON.stringify(
    {
      input: "tests/fixtures/pod5/dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5",
      checkpoint: "checkpoint_3",
      generator_sha256: sha256Hex(await Deno.readFile(join(checkpoint, "generator.safetensors"))),
      decoded_signal_sha256: hashes,
    },
    null,
    1,
  ) + "\n",
);
