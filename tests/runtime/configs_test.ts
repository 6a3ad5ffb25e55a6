import { assert, assertEquals } from "../_assert.ts";
import { fromFileUrl } from "@std/path";
import { resolveConfig } from "../../lib/runtime/config.ts";

const CONFIGS = fromFileUrl(new URL("../../configs/", import.meta.url));

Deno.test("configs/train_config.json parses and holds the seed's training values", async () => {
  const config = await resolveConfig({ file: `${CONFIGS}train_config.json` });
  assertEquals(config.seed, 42);
  assertEquals(
    [config.train.epochs, config.train.batch_size, config.train.learning_rate, config.train.grad_accum_steps],
    [2, 256, 2e-4, 2],
  );
  assertEquals([config.train.disc_start, config.train.disc_steps, config.train.save_every, config.train.keep_last], [
    5000,
    2,
    1000,
    5,
  ]);
  assertEquals(config.train.loss_weights, { time_l1: 1.0, commit: 1.0, gan: 0.05, feature: 0.1 });
  assertEquals(config.model.codebook_size, 4096);
  assertEquals(config.data.subdirs, ["FC01/pod5", "FC02/pod5", "FC03/pod5"]);
  assertEquals(config.data.root, fromFileUrl(new URL("../../data", import.meta.url)));
});

Deno.test("every config in configs/ parses, and the data files it names exist", async () => {
  const names: string[] = [];
  for await (const entry of Deno.readDir(CONFIGS)) {
    if (entry.isFile && entry.name.endsWith(".json")) names.push(entry.name);
  }
  assert(names.includes("quickstart.json"), "the README's first command uses configs/quickstart.json");
  for (const name of names.sort()) {
    const config = await resolveConfig({ file: `${CONFIGS}${name}` });
    for (const file of config.data.files ?? []) {
      assert((await Deno.stat(file)).isFile, `${name}: data file ${file} does not exist`);
    }
  }
});

Deno.test("configs/quickstart.json trains on the bundled fixture with loader workers", async () => {
  const config = await resolveConfig({ file: `${CONFIGS}quickstart.json` });
  assertEquals(config.data.files, [fromFileUrl(new URL("../fixtures/pod5/z1.pod5", import.meta.url))]);
  assert(config.data.loader_workers >= 1);
  assert(config.train.max_steps !== null && config.train.max_steps > 0);
  assertEquals(config.checkpoint.dir, fromFileUrl(new URL("../../checkpoints/quickstart", import.meta.url)));
});
