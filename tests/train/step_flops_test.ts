import { assertEquals } from "../_assert.ts";
import { Codec } from "../../lib/model/codec.ts";
import { Discriminator } from "../../lib/model/discriminator.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { encodeFlops, forwardFlops, trainStepFlops } from "../../lib/train/step_flops.ts";

Deno.test("trainStepFlops() counts 3x the forward, plus the discriminator's passes", async () => {
  await initBackend("cpu");
  const { model } = parseConfig({});
  const plan = { conv: "custom", norm: "custom" } as const;
  const g = new Codec(model, { rng: Rng.fromSeed(0), plan, outputActivation: "linear" });
  const d = new Discriminator(model.discriminator, { rng: Rng.fromSeed(0), plan });
  const f = forwardFlops({ generator: g, discriminator: d }, 10000);
  // Encoder 691,072,000 + quant_conv 4,096,000 + search 131,072,000 (notes §11).
  assertEquals(f.encodePerWindow, 826240000);
  assertEquals(f.generatorPerWindow, 826240000 + 4096000 + 361344000);
  assertEquals(f.generatorPerCall, 2 * 4096 * 128 * 128);
  assertEquals(f.discriminatorPerWindow, 2924160000);
  const gOnly = 3 * (16 * f.generatorPerWindow + f.generatorPerCall);
  assertEquals(trainStepFlops(f, { windows: 16, discSteps: 0 }), gOnly);
  assertEquals(trainStepFlops(f, { windows: 16, discSteps: 2 }), gOnly + 16 * f.discriminatorPerWindow * 15);
  assertEquals(encodeFlops(f, 16), 16 * 826240000 + f.generatorPerCall);
  g.dispose();
  d.dispose();
});
