import { assertEquals, assertStringIncludes, assertThrows } from "../_assert.ts";
import { ConfigError } from "../../lib/runtime/errors.ts";
import { encoderHop, mergeConfigLayers, parseConfig, resolveConfig } from "../../lib/runtime/config.ts";

Deno.test("parseConfig() fills the seed defaults for an empty document", () => {
  const config = parseConfig({});
  assertEquals(config.seed, 42);
  assertEquals(config.train.batch_size, 256);
  assertEquals(config.train.learning_rate, 2e-4);
  assertEquals(config.train.loss_weights, { time_l1: 1.0, commit: 1.0, gan: 0.05, feature: 0.1 });
  assertEquals(config.train.disc_start, 5000);
  assertEquals(config.train.disc_steps, 2);
  assertEquals(config.train.workers, "auto");
  assertEquals(config.model.enc_channels, [32, 32, 64, 64, 128]);
  assertEquals(config.model.discriminator, {
    channels: [32, 64, 128, 256],
    strides: [2, 2, 2, 2],
    kernel_size: 15,
    resblock_layers: 2,
  });
  assertEquals(config.data.segment_samples, 10000);
  assertEquals(config.logging.wandb.enabled, false);
  assertEquals(encoderHop(config.model), 80);
  // One quantizer, no dropout: the model of 0.1.0.
  assertEquals([config.model.num_quantizers, config.model.quantizer_dropout], [1, 0]);
});

Deno.test("parseConfig() rejecting a quantizer count or dropout out of range names the key", () => {
  for (const n of [0, 1.5, 33, "4"]) {
    const error = assertThrows(() => parseConfig({ model: { num_quantizers: n } }), ConfigError);
    assertEquals(error.keyPath, "model.num_quantizers");
  }
  for (const p of [-0.1, 1.5, null]) {
    const error = assertThrows(() => parseConfig({ model: { quantizer_dropout: p } }), ConfigError);
    assertEquals(error.keyPath, "model.quantizer_dropout");
  }
  const config = parseConfig({ model: { num_quantizers: 32, quantizer_dropout: 1 } });
  assertEquals([config.model.num_quantizers, config.model.quantizer_dropout], [32, 1]);
});

Deno.test("parseConfig() returns a frozen object", () => {
  const config = parseConfig({});
  assertThrows(() => {
    (config.train as { batch_size: number }).batch_size = 1;
  }, TypeError);
});

Deno.test("parseConfig() rejecting an unknown key names its path and the nearest valid key", () => {
  const error = assertThrows(() => parseConfig({ train: { batch_sise: 8 } }), ConfigError);
  assertEquals(error.keyPath, "train.batch_sise");
  assertStringIncludes(error.message, 'did you mean "train.batch_size"?');
  const nested = assertThrows(() => parseConfig({ model: { discriminator: { chanels: [8] } } }), ConfigError);
  assertEquals(nested.keyPath, "model.discriminator.chanels");
  assertStringIncludes(nested.message, "model.discriminator.channels");
});

Deno.test("parseConfig() rejecting a wrong type names the key", () => {
  const error = assertThrows(() => parseConfig({ train: { epochs: "two" } }), ConfigError);
  assertEquals(error.keyPath, "train.epochs");
  for (const workers of [0, 1.5, "all"]) {
    assertEquals(assertThrows(() => parseConfig({ train: { workers } }), ConfigError).keyPath, "train.workers");
  }
});

Deno.test("parseConfig() rejecting inconsistent schedules", () => {
  const strides = assertThrows(() => parseConfig({ model: { dec_up_strides: [1, 5, 4, 2] } }), ConfigError);
  assertEquals(strides.keyPath, "model.dec_up_strides");
  assertStringIncludes(strides.message, "80");
  const channels = assertThrows(() => parseConfig({ model: { enc_channels: [32, 64] } }), ConfigError);
  assertEquals(channels.keyPath, "model.enc_channels");
  const hop = assertThrows(
    () => parseConfig({ data: { segment_samples: 10040, segment_sec: null } }),
    ConfigError,
  );
  assertEquals(hop.keyPath, "data.segment_samples");
  const seconds = assertThrows(() => parseConfig({ data: { sample_rate: 4000 } }), ConfigError);
  assertEquals(seconds.keyPath, "data.segment_sec");
});

Deno.test("parseConfig() rejecting an API key in the config", () => {
  const error = assertThrows(() => parseConfig({ logging: { wandb: { api_key: "secret" } } }), ConfigError);
  assertEquals(error.keyPath, "logging.wandb.api_key");
  assertStringIncludes(error.message, "WANDB_API_KEY");
});

Deno.test("mergeConfigLayers() lets the top layer win key by key and replaces arrays", () => {
  const merged = mergeConfigLayers(
    { train: { batch_size: 8, epochs: 3 }, model: { enc_channels: [1, 2] } },
    { train: { batch_size: 4 }, model: { enc_channels: [5] } },
  );
  assertEquals(merged, { train: { batch_size: 4, epochs: 3 }, model: { enc_channels: [5] } });
});

Deno.test("resolveConfig() applies overrides over the file and resolves data paths against it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/cfg.json`;
    await Deno.writeTextFile(
      file,
      JSON.stringify({ train: { batch_size: 8, epochs: 3 }, data: { root: "data" }, checkpoint: { dir: "ckpt" } }),
    );
    const config = await resolveConfig({ file, overrides: { train: { batch_size: 2 } } });
    assertEquals(config.train.batch_size, 2);
    assertEquals(config.train.epochs, 3);
    assertEquals(config.data.root, `${dir}/data`);
    assertEquals(config.checkpoint.dir, `${dir}/ckpt`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resolveConfig() with overrides naming the data drops the file's data.train source keys", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/cfg.json`;
    const data = {
      root: "data",
      subdirs: ["FC01/pod5"],
      train: { root: "split", subdirs: ["x"], segment_samples: 8000 },
    };
    await Deno.writeTextFile(file, JSON.stringify({ data }));
    const config = await resolveConfig({
      file,
      overrides: { data: { root: "/mnt/run", subdirs: ["."], files: null } },
    });
    assertEquals([config.data.root, config.data.subdirs, config.data.files], ["/mnt/run", ["."], null]);
    assertEquals(config.data.train, { segment_samples: 8000 }, "the split's window stays; its source goes");
    const untouched = await resolveConfig({ file, overrides: { data: { clip: 5 } } });
    assertEquals(untouched.data.train, { root: `${dir}/split`, subdirs: ["x"], segment_samples: 8000 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resolveConfig() rejecting a missing file and bad JSON names the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const missing = await resolveConfig({ file: `${dir}/nope.json` }).then(() => undefined, (e: unknown) => e);
    if (!(missing instanceof ConfigError)) throw new Error("expected ConfigError");
    assertEquals(missing.path, `${dir}/nope.json`);
    await Deno.writeTextFile(`${dir}/bad.json`, "{ not json");
    const bad = await resolveConfig({ file: `${dir}/bad.json` }).then(() => undefined, (e: unknown) => e);
    if (!(bad instanceof ConfigError)) throw new Error("expected ConfigError");
    assertStringIncludes(bad.message, "invalid JSON");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
