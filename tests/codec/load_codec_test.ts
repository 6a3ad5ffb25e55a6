import { join } from "@std/path";
import { loadCodec } from "../../lib/codec/load_codec.ts";
import { CheckpointError } from "../../lib/checkpoint/errors.ts";
import { assertEquals, assertRejects } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { makeTinyCheckpoint } from "./_tiny_checkpoint.ts";

async function webCryptoSha256(path: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await Deno.readFile(path)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("loadCodec() takes a run folder's newest checkpoint and names it by its generator's sha256", async () => {
  await withTempDir(async (dir) => {
    await makeTinyCheckpoint(dir, { step: 5, seed: 1 });
    const newest = await makeTinyCheckpoint(dir, { step: 12, seed: 2 });
    const codec = await loadCodec(dir, { backend: "wasm" });
    try {
      assertEquals(codec.checkpoint, {
        path: newest,
        step: 12,
        sha256: await webCryptoSha256(join(newest, "generator.safetensors")),
      });
      assertEquals([codec.windowSamples, codec.hopSamples, codec.codesPerWindow, codec.sampleRateHz], [
        800,
        20,
        40,
        5000,
      ]);
      assertEquals([codec.codebookSize, codec.normalisation, codec.clip], [32, "median_mad", null]);
    } finally {
      codec.dispose();
    }
  });
});

Deno.test("loadCodec() rejecting missing, damaged and mismatched checkpoints with a CheckpointError", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await makeTinyCheckpoint(join(dir, "run"));
    const generator = join(ckpt, "generator.safetensors");
    const state = join(ckpt, "state.json");
    const good = { generator: await Deno.readFile(generator), state: await Deno.readTextFile(state) };
    const expect = async (message: string) => {
      const error = await assertRejects(() => loadCodec(ckpt, { backend: "wasm" }), CheckpointError, message);
      assertEquals(error.message.startsWith(`${ckpt}: `), true, error.message);
    };
    await assertRejects(() => loadCodec(join(dir, "none"), { backend: "wasm" }), CheckpointError, "no such directory");
    await assertRejects(() => loadCodec(dir, { backend: "wasm" }), CheckpointError, "neither a checkpoint_<step>");
    await Deno.writeFile(generator, good.generator.subarray(0, good.generator.length - 10));
    await expect("generator.safetensors is damaged");
    await Deno.remove(generator);
    await expect("generator.safetensors cannot be read");
    await Deno.writeFile(generator, good.generator);
    const recorded = JSON.parse(good.state);
    recorded.config.model.latent_dim = 16;
    await Deno.writeTextFile(state, JSON.stringify(recorded));
    await expect("does not fit the recorded model config");
    recorded.config.model.enc_channels = "wide";
    await Deno.writeTextFile(state, JSON.stringify(recorded));
    await expect("state.json config.model.enc_channels");
    await Deno.writeTextFile(state, good.state.slice(0, 20));
    await expect("state.json cannot be read");
  });
});

Deno.test("loadCodec() refusing a checkpoint of several quantizer stages, which token files cannot hold yet", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await makeTinyCheckpoint(dir, { numQuantizers: 2 });
    const error = await assertRejects(() => loadCodec(ckpt, { backend: "wasm" }), CheckpointError);
    assertEquals(
      error.message,
      `${ckpt}: Cannot load codec: the checkpoint has 2 quantizer stages (model.num_quantizers), ` +
        "and token files of this version hold one code per frame",
    );
  });
});
