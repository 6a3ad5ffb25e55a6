// Training with residual quantizer stages (model.num_quantizers) and
// quantizer dropout (model.quantizer_dropout): per-stage logs, held-out SNR
// per K, and exact resume of the dropout draws on 1 and 2 workers.
import { assert, assertEquals } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { loadCheckpoint } from "../../lib/checkpoint/checkpoint.ts";
import { trainModel } from "../../lib/train/loop.ts";
import { MetricsLog, type MetricsRecord } from "../../lib/train/metrics_log.ts";
import { tinyConfig } from "./_tiny_config.ts";

const backend = await initBackend("wasm");

/** The tiny config with two quantizer stages and dropout 0.5. */
function rvqConfig(ckpt: string, train: Record<string, unknown> = {}): Record<string, unknown> {
  const config = tinyConfig(ckpt, train);
  return {
    ...config,
    model: { ...(config["model"] as Record<string, unknown>), num_quantizers: 2, quantizer_dropout: 0.5 },
  };
}

/** The metrics that do not depend on wall time. */
function deterministic(record: MetricsRecord): MetricsRecord {
  const { windows_per_s: _rate, seconds: _seconds, ...rest } = record;
  return rest;
}

const STAGE_KEYS = ["codebook_perplexity_q2", "codebook_util_q2", "quantizers"];
const VALIDATION_KEYS = ["val_codebook_util_q2", "val_codebook_perplexity_q2", "val_snr_db_k1"];

for (const workers of [1, 2]) {
  Deno.test(`trainModel() with 2 stages and quantizer dropout 0.5 on ${workers} worker(s), resumed at step 4, repeats 8 steps straight exactly`, async () => {
    await withTempDir(async (dir) => {
      const config = (ckpt: string, train: Record<string, unknown> = {}) => rvqConfig(ckpt, { workers, ...train });
      await trainModel({ config: parseConfig(config(`${dir}/a`)), backend });
      await trainModel({ config: parseConfig(config(`${dir}/b`, { max_steps: 4 })), backend });
      const resumed = await trainModel({
        config: parseConfig({ ...config(`${dir}/b`), checkpoint: { dir: `${dir}/b`, resume_from: "auto" } }),
        backend,
      });
      assertEquals([resumed.steps, resumed.stepsThisRun], [8, 4]);
      const a = await (await MetricsLog.open(`${dir}/a`)).records();
      const b = await (await MetricsLog.open(`${dir}/b`)).records();
      assertEquals(b.map(deterministic), a.map(deterministic));
      const [ca, cb] = [await loadCheckpoint(`${dir}/a/checkpoint_8`), await loadCheckpoint(`${dir}/b/checkpoint_8`)];
      for (const file of ["generator", "discriminator", "optimizer", "loop"] as const) {
        assertEquals(cb.tensors[file], ca.tensors[file], file);
      }
      // The code window holds both stages.
      assertEquals(ca.tensors.loop.get("code_window")!.shape, [8, 2, 32]);
      // Dropout drew both rates (one micro-batch a step: K is 1 or 2); stage 2 was logged every step.
      const ks = a.slice(0, 8).map((r) => r["quantizers"]);
      assert(ks.includes(1) && ks.includes(2), `K per step: ${ks}`);
      for (const record of a.slice(0, 8)) {
        for (const key of STAGE_KEYS) assertEquals(typeof record[key], "number", `step ${record["step"]}: ${key}`);
      }
      // Validation (steps 4 and 8) scores stage 2's codes and the SNR of stage 1 alone.
      for (const record of [a[3]!, a[7]!]) {
        for (const key of VALIDATION_KEYS) assertEquals(typeof record[key], "number", `step ${record["step"]}: ${key}`);
      }
      assertEquals(resumed.heldOut?.snrDbByQuantizers.length, 2);
      assertEquals(resumed.heldOut?.snrDbByQuantizers[1], resumed.heldOut?.snrDb);
    });
  });
}

Deno.test("trainModel() with 2 workers draws the same quantizer counts as 1 worker and trains like it within 1e-4", async () => {
  await withTempDir(async (dir) => {
    const run = async (workers: number) => {
      await trainModel({ config: parseConfig(rvqConfig(`${dir}/w${workers}`, { workers, max_steps: 4 })), backend });
      return await (await MetricsLog.open(`${dir}/w${workers}`)).records();
    };
    const one = await run(1), two = await run(2);
    assertEquals(two.map((r) => r["quantizers"]), one.map((r) => r["quantizers"]));
    one.forEach((ra, i) => {
      const keys = ["total_loss", "commit_loss", "reconstruct_loss", "codebook_perplexity_q2"];
      // The last record is step 4's validation: the replicas reconstruct, at K = 1 too.
      if (i === one.length - 1) keys.push("val_snr_db", "val_snr_db_k1", "val_codebook_perplexity_q2");
      for (const key of keys) {
        const [x, y] = [ra[key] as number, two[i]![key] as number];
        assert(Math.abs(x - y) <= 1e-4 * Math.max(1, Math.abs(x)), `step ${ra["step"]}: ${key} ${y} vs ${x}`);
      }
    });
  });
});

Deno.test("trainModel() with one stage logs no stage or per-K keys (the logs of 0.1.0)", async () => {
  await withTempDir(async (dir) => {
    await trainModel({ config: parseConfig(tinyConfig(dir, { max_steps: 4 })), backend });
    const records = await (await MetricsLog.open(dir)).records();
    const keys = new Set(records.flatMap((r) => Object.keys(r)));
    for (const key of [...STAGE_KEYS, ...VALIDATION_KEYS]) assert(!keys.has(key), key);
    assert(keys.has("codebook_perplexity") && keys.has("val_codebook_perplexity"));
  });
});
