import { assertEquals, assertStringIncludes } from "../_assert.ts";
import { seedFigures } from "../model/_seed_architecture.ts";
import { ROOT, taskArgs } from "./_run_task.ts";

async function summary(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // Exactly the `deno run` line of `deno task summary` in deno.json, run from the repository root.
  const [run, ...rest] = await taskArgs("summary");
  const out = await new Deno.Command(Deno.execPath(), {
    args: [run!, "--no-prompt", ...rest, ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("summary task prints JSON counts on wasm with only the task's permissions", async () => {
  const { code, stdout } = await summary(["--json", "--backend", "wasm"]);
  assertEquals(code, 0);
  const json = JSON.parse(stdout);
  assertEquals(json.latentLength, 125);
  const seed = seedFigures().params;
  assertEquals(json.generator.trainableParams, seed.generator_trainable);
  assertEquals(json.modules.map((m: { name: string; trainableParams: number }) => m.trainableParams), [
    seed.encoder,
    seed.quant_conv,
    seed.quantizer_trainable,
    seed.post_quant_conv,
    seed.decoder,
    seed.discriminator,
  ]);
  assertStringIncludes(json.backend, "backend wasm (XNNPACK, SIMD, 1 thread)");
});

Deno.test("summary task rejects an unknown backend with exit code 2", async () => {
  const { code, stderr } = await summary(["--backend", "tpu"]);
  assertEquals(code, 2);
  assertStringIncludes(stderr, "train.backend");
});
