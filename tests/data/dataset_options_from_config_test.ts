import { assert, assertEquals, assertRejects, assertThrows } from "../_assert.ts";
import { datasetOptionsFromConfig } from "../../lib/data/mod.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { ConfigError } from "../../lib/runtime/errors.ts";
import { fixture, POD5_DIR } from "../pod5/_fixtures.ts";

const read = (readId: string) => ({ readId, fileIndex: 0, path: "x.pod5", readIndex: 0, numSamples: 1 });

Deno.test("datasetOptionsFromConfig() maps the config's data, train and seed keys", async () => {
  const config = parseConfig({ data: { root: POD5_DIR } });
  const options = await datasetOptionsFromConfig(config);
  assertEquals(options.files.length, 6);
  assertEquals(options.files, [...options.files].sort());
  assertEquals(
    { ...options, files: [] },
    {
      files: [],
      batchSize: 256,
      windowSamples: 10_000,
      sampleRateHz: 5_000,
      normalisation: "median_mad",
      clip: null,
      shuffleWindows: 0,
      seed: 42,
      shuffleFiles: true,
      interleaveFiles: 8,
      workers: 2,
      prefetchBatches: 8,
      dropLast: true,
    },
  );
});

Deno.test("datasetOptionsFromConfig() applies the data.train override", async () => {
  const config = parseConfig({
    data: { root: "/nonexistent", train: { files: [fixture("z1.pod5")], segment_samples: 8_000 } },
  });
  const options = await datasetOptionsFromConfig(config);
  assertEquals(options.files, [fixture("z1.pod5")]);
  assertEquals(options.windowSamples, 8_000);
});

Deno.test("datasetOptionsFromConfig() splits reads by data.holdout_fraction into train and held-out parts", async () => {
  const config = parseConfig({
    data: { files: [fixture("z1.pod5")], holdout_fraction: 0.5, shuffle_buffer: 100, interleave_files: 3 },
  });
  const train = await datasetOptionsFromConfig(config);
  const heldOut = await datasetOptionsFromConfig(config, { part: "heldout" });
  assertEquals([train.shuffleWindows, train.dropLast, train.shuffleFiles, train.interleaveFiles], [100, true, true, 3]);
  assertEquals([heldOut.shuffleWindows, heldOut.dropLast, heldOut.shuffleFiles, heldOut.interleaveFiles], [
    0,
    false,
    false,
    1,
  ]);
  const ids = Array.from({ length: 200 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
  const inTrain = ids.filter((id) => train.readFilter!(read(id)));
  const inHeldOut = ids.filter((id) => heldOut.readFilter!(read(id)));
  assertEquals(inTrain.length + inHeldOut.length, ids.length);
  assert(inTrain.every((id) => !inHeldOut.includes(id)));
  assert(inHeldOut.length > 60 && inHeldOut.length < 140, `about half held out, got ${inHeldOut.length}`);
});

Deno.test("datasetOptionsFromConfig() splits every read's windows with data.holdout_by read_tail", async () => {
  const config = parseConfig({ data: { files: [fixture("z1.pod5")], holdout_fraction: 0.1, holdout_by: "read_tail" } });
  const train = await datasetOptionsFromConfig(config);
  const heldOut = await datasetOptionsFromConfig(config, { part: "heldout" });
  assertEquals([train.tailSplit, train.readFilter], [{ fraction: 0.1, part: "train" }, undefined]);
  assertEquals([heldOut.tailSplit, heldOut.dropLast, heldOut.shuffleWindows], [
    { fraction: 0.1, part: "heldout" },
    false,
    0,
  ]);
});

Deno.test("datasetOptionsFromConfig() rejecting a held-out part without a holdout fraction", async () => {
  const config = parseConfig({ data: { files: [fixture("z1.pod5")] } });
  assertEquals(config.data.holdout_fraction, 0);
  await assertRejects(() => datasetOptionsFromConfig(config, { part: "heldout" }), RangeError, "holdout_fraction is 0");
  const error = assertThrows(() => parseConfig({ data: { holdout_fraction: 1 } }), ConfigError);
  assertEquals(error.keyPath, "data.holdout_fraction");
});
