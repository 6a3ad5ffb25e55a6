import { join } from "@std/path";
import { createHash } from "node:crypto";
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { makeTinyCheckpoint } from "../codec/_tiny_checkpoint.ts";
import { saveCheckpoint } from "../../lib/checkpoint/checkpoint.ts";
import { runTask } from "./_run_task.ts";

async function sha256Of(checkpoint: string): Promise<string> {
  return createHash("sha256").update(await Deno.readFile(join(checkpoint, "generator.safetensors"))).digest("hex");
}

Deno.test("deno task export writes DIR/codec_<sha>, says so, and keeps one already there", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await makeTinyCheckpoint(join(dir, "run"), { step: 12 });
    const sha = await sha256Of(ckpt);
    const path = join(dir, "models", `codec_${sha.slice(0, 16)}`);
    const first = await runTask("export", ["--ckpt", join(dir, "run"), "-o", join(dir, "models"), "--json"]);
    assertEquals(first.code, 0, first.stderr);
    assertEquals(first.stderr, `exported ${ckpt} (step 12, sha256 ${sha.slice(0, 12)}…) to ${path}`);
    const record = JSON.parse(first.stdout);
    assertEquals([record.path, record.sha256, record.step, record.source, record.created], [path, sha, 12, ckpt, true]);
    assertEquals(
      await Deno.readFile(join(path, "generator.safetensors")),
      await Deno.readFile(join(ckpt, "generator.safetensors")),
    );
    const again = await runTask("export", ["--ckpt", ckpt, "-o", join(dir, "models")]);
    assertEquals(again.stderr, `already exported: ${ckpt} (step 12, sha256 ${sha.slice(0, 12)}…) is ${path}`);
    const missing = await runTask("export", ["--ckpt", join(dir, "run", "checkpoint_9"), "-o", join(dir, "models")]);
    assertEquals(missing.code, 2);
    assertEquals(
      missing.stderr,
      `error: ${dir}/run/checkpoint_9: Cannot load checkpoint: no such directory (${dir}/run holds checkpoint_12)`,
    );
    const usage = await runTask("export", ["--ckpt", ckpt]);
    assertMatch(usage.stderr, /^error: Cannot export: give --ckpt CKPT and -o DIR/);
  });
});

Deno.test("deno task checkpoints lists each run's checkpoints with step, held-out SNR, rate, sha256 and exports", async () => {
  await withTempDir(async (dir) => {
    const run = join(dir, "checkpoints", "quickstart");
    // Two checkpoints of a run that recorded held-out scores, one of them exported, and a pruned one's export.
    const empty = new Map();
    const weights = (value: number) => new Map([["w", { shape: [1], data: Float32Array.of(value) }]]);
    const save = (step: number, snr: number) =>
      saveCheckpoint(run, {
        step,
        tensors: { generator: weights(step), discriminator: empty, optimizer: empty, loop: empty },
        state: {
          step,
          config: { model: {}, data: { sample_rate: 4000 } },
          metrics: { last_validation: { step, val_snr_db: snr } },
        },
      });
    const pruned = await save(3, 1.5);
    const kept = await save(5, 2.25);
    const newest = await save(6, 2.5);
    for (const [ckpt, out] of [[pruned, join(run, "exports")], [kept, join(dir, "checkpoints", "models")]]) {
      const exported = await runTask("export", ["--ckpt", ckpt!, "-o", out!]);
      assertEquals(exported.code, 0, exported.stderr);
    }
    const prunedSha = await sha256Of(pruned), keptSha = await sha256Of(kept), newestSha = await sha256Of(newest);
    await Deno.remove(pruned, { recursive: true });
    const other = await makeTinyCheckpoint(join(dir, "checkpoints", "fc01"), { step: 10 });

    const listed = await runTask("checkpoints", [join(dir, "checkpoints")]);
    assertEquals(listed.code, 0, listed.stderr);
    const c = join(dir, "checkpoints");
    assertEquals(listed.stdout.trimEnd().split("\n"), [
      `${c}/fc01: 1 checkpoint`,
      "  checkpoint     step  held-out SNR  sample rate  generator sha256  exported",
      `  checkpoint_10    10             —      5000 Hz  ${(await sha256Of(other)).slice(0, 12)}…     no`,
      "",
      `${c}/models: 1 export`,
      "  checkpoint              step  held-out SNR  sample rate  generator sha256  exported",
      `  codec_${keptSha.slice(0, 16)}     5       2.25 dB      4000 Hz  ${
        keptSha.slice(0, 12)
      }…     (an export of ${kept})`,
      "",
      `${c}/quickstart: 2 checkpoints, 1 export`,
      "  checkpoint                      step  held-out SNR  sample rate  generator sha256  exported",
      `  checkpoint_5                       5       2.25 dB      4000 Hz  ${
        keptSha.slice(0, 12)
      }…     ${c}/models/codec_${keptSha.slice(0, 16)}`,
      `  checkpoint_6                       6       2.50 dB      4000 Hz  ${newestSha.slice(0, 12)}…     no`,
      `  exports/codec_${prunedSha.slice(0, 16)}     3       1.50 dB      4000 Hz  ${
        prunedSha.slice(0, 12)
      }…     (an export of ${pruned}, gone)`,
    ]);
    const json = JSON.parse((await runTask("checkpoints", [run, "--json"])).stdout);
    assertEquals(json.map((r: { path: string }) => r.path), [run]);
    assertEquals(
      json[0].rows.map((r: { kind: string; step: number; sha256: string }) => [r.kind, r.step, r.sha256]),
      [["checkpoint", 5, keptSha], ["checkpoint", 6, newestSha], ["export", 3, prunedSha]],
    );
    const nothing = await runTask("checkpoints", [join(dir, "nowhere")]);
    assertEquals([nothing.code, nothing.stdout.trim()], [0, `no checkpoints or codec exports under ${dir}/nowhere`]);
    assert(listed.stderr === "", listed.stderr);
  });
});
