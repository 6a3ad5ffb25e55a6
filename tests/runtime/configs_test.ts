import { assert, assertEquals } from "../_assert.ts";
import { fromFileUrl } from "@std/path";
import { resolveConfig } from "../../lib/runtime/config.ts";
import { resolveValidateConfig } from "../../lib/validate/validate_config.ts";

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
  // Mixed batches (the seed interleaved its 8 reader threads' files; this port also shuffles windows).
  assertEquals([config.data.shuffle_buffer, config.data.interleave_files], [2048, 8]);
  assertEquals(config.data.root, fromFileUrl(new URL("../../data", import.meta.url)));
});

Deno.test("configs/quickstart.json numbers its runs, so running it again starts a new run", async () => {
  const config = await resolveConfig({ file: `${CONFIGS}quickstart.json` });
  assertEquals(config.checkpoint.numbered_runs, true);
  assertEquals(config.checkpoint.dir, fromFileUrl(new URL("../../checkpoints/quickstart", import.meta.url)));
  assertEquals([config.data.holdout_by, config.data.holdout_fraction], ["read_tail", 0.1]);
});

Deno.test("every config in configs/ parses, and the data files it names exist", async () => {
  const names: string[] = [];
  for await (const entry of Deno.readDir(CONFIGS)) {
    if (entry.isFile && entry.name.endsWith(".json")) names.push(entry.name);
  }
  assert(names.includes("quickstart.json"), "the README's first command uses configs/quickstart.json");
  for (const name of names.sort()) {
    if (name === "validate_dorado.json") {
      // The validation config has its own schema; its input file must exist too.
      const config = await resolveValidateConfig({ file: `${CONFIGS}${name}` });
      assert(
        config.pod5 !== null && (await Deno.stat(config.pod5)).isFile,
        `${name}: pod5 ${config.pod5} does not exist`,
      );
      continue;
    }
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
