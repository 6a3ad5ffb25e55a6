import { assertEquals } from "../_assert.ts";
import { Codec } from "../../lib/model/codec.ts";
import { Discriminator } from "../../lib/model/discriminator.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { encodeFlops, forwardFlops, trainStepFlops } from "../../lib/train/step_flops.ts";
import { architectureCosts } from "../model/_seed_architecture.ts";

Deno.test("trainStepFlops() counts 3x the forward, plus the discriminator's passes", async () => {
  await initBackend("cpu");
  const { model } = parseConfig({});
  const plan = { conv: "custom", norm: "custom" } as const;
  const g = new Codec(model, { rng: Rng.fromSeed(0), plan, outputActivation: "linear" });
  const d = new Discriminator(model.discriminator, { rng: Rng.fromSeed(0), plan });
  const f = forwardFlops({ generator: g, discriminator: d }, 10000);
  // The per-layer count written out from the architecture, not lib/model's own flops().
  const a = architectureCosts(model, 10000);
  const encode = a.encoder.flops + a.quant_conv.flops + a.quantizer.flops;
  assertEquals(f.encodePerWindow, encode);
  assertEquals(f.generatorPerWindow, encode + a.post_quant_conv.flops + a.decoder.flops);
  assertEquals(f.generatorPerCall, 2 * 4096 * 128 * 128);
  assertEquals(f.discriminatorPerWindow, a.discriminator.flops);
  const gOnly = 3 * (16 * f.generatorPerWindow + f.generatorPerCall);
  assertEquals(trainStepFlops(f, { windows: 16, discSteps: 0 }), gOnly);
  assertEquals(trainStepFlops(f, { windows: 16, discSteps: 2 }), gOnly + 16 * f.discriminatorPerWindow * 15);
  assertEquals(encodeFlops(f, 16), 16 * encode + f.generatorPerCall);
  g.dispose();
  d.dispose();
});
