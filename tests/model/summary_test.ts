import { assertAlmostEquals, assertEquals, assertStringIncludes } from "../_assert.ts";
import { formatSummary, summarizeModel } from "../../lib/model/summary.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";

Deno.test("summarizeModel() reports the seed model's counts, FLOPs and compression", async () => {
  const backend = await initBackend("cpu");
  const s = summarizeModel(parseConfig({}), { backend });
  assertEquals(
    s.modules.map((m) => [m.name, m.trainableParams, m.frozenParams]),
    [
      ["encoder", 551328, 0],
      ["quant_conv", 16384, 0],
      ["quantizer", 16512, 524288],
      ["post_quant_conv", 16384, 0],
      ["decoder", 679457, 0],
      ["discriminator", 1695169, 0],
    ],
  );
  const gflop = Object.fromEntries(s.modules.map((m) => [m.name, m.gflopPerWindow]));
  assertAlmostEquals(gflop["encoder"]!, 0.691, 5e-4);
  assertAlmostEquals(gflop["decoder"]!, 0.361, 5e-4);
  assertAlmostEquals(gflop["discriminator"]!, 2.924, 5e-4);
  assertAlmostEquals(gflop["quantizer"]!, 0.131, 5e-4);
  assertAlmostEquals(s.modules[2]!.gflopPerCall, 0.134, 5e-4);
  assertEquals(s.generator.trainableParams, 1280065);
  assertEquals([s.windowSamples, s.hopSamples, s.latentLength, s.bitsPerCode], [10000, 80, 125, 12]);
  assertAlmostEquals(s.bitsPerSample, 0.15, 1e-12);
  assertAlmostEquals(s.bitsPerSecond, 750, 1e-9);
  assertAlmostEquals(s.compressionVsAdc, 16 / 0.15, 1e-9);
  assertEquals(s.outputActivation, "linear");
  assertStringIncludes(s.backend, "backend cpu");
  const text = formatSummary(s);
  assertStringIncludes(text, "window 10,000 samples at 5,000 Hz → 125 codes × 128 dims (hop 80)");
  assertStringIncludes(text, "0.1500 bits/sample, 750 bit/s, 106.7x smaller than 16-bit ADC");
  assertStringIncludes(text, "discriminator    1,695,169        0             2.924");
});

Deno.test("summarizeModel() follows the config: minmax data gets a tanh head, other codebooks other rates", async () => {
  const backend = await initBackend("cpu");
  const s = summarizeModel(parseConfig({ data: { normalization: "minmax" }, model: { codebook_size: 1024 } }), {
    backend,
  });
  assertEquals(s.outputActivation, "tanh");
  assertEquals(s.bitsPerCode, 10);
  assertAlmostEquals(s.bitsPerSecond, 625, 1e-9);
  assertEquals(s.modules[2]!.frozenParams, 1024 * 128);
});

Deno.test("summarizeModel() counts every quantizer stage: N stages, N times the codes, parameters and search", async () => {
  const backend = await initBackend("cpu");
  const s = summarizeModel(parseConfig({ model: { num_quantizers: 4 } }), { backend });
  assertEquals([s.numQuantizers, s.bitsPerCode], [4, 12]);
  assertAlmostEquals(s.bitsPerSample, 4 * 0.15, 1e-12);
  assertAlmostEquals(s.bitsPerSecond, 3000, 1e-9);
  assertEquals([s.modules[2]!.trainableParams, s.modules[2]!.frozenParams], [4 * 16512, 4 * 524288]);
  assertAlmostEquals(s.modules[2]!.gflopPerWindow, 4 * 0.131, 2e-3);
  assertEquals(s.generator.trainableParams, 1280065 + 3 * 16512);
  assertStringIncludes(formatSummary(s), "codebook 4,096 (12.00 bits/code) × 4 quantizer stages: 0.6000 bits/sample");
});
