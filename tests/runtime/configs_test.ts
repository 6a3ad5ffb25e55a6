import { assertEquals } from "../_assert.ts";
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
