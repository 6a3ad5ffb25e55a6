// A model of one quantizer must compute exactly what version 0.1.0 computed:
// the fixture tests/fixtures/model_0_1_0/ was written by 0.1.0 (commit
// 7a611eb, scripts/make_model_fixture.ts) on the cpu backend, which is pure
// JavaScript and reproducible bit for bit.
import * as tf from "@tensorflow/tfjs-core";
import { Codec } from "../../lib/model/codec.ts";
import { kernelPlanFor } from "../../lib/model/kernel_plan.ts";
import type { NamedArray } from "../../lib/model/params.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { decodeSafetensors } from "../../lib/checkpoint/safetensors.ts";
import { Trainer } from "../../lib/train/trainer.ts";
import { assertEquals } from "../_assert.ts";

const FIXTURE = new URL("../fixtures/model_0_1_0/", import.meta.url);
const WINDOW = 800, BATCH = 2, MICRO = 2, STEPS = 3;

async function fixtureJson(name: string): Promise<unknown> {
  return JSON.parse(await Deno.readTextFile(new URL(name, FIXTURE)));
}

async function fixtureFloats(name: string): Promise<Float32Array> {
  const bytes = await Deno.readFile(new URL(name, FIXTURE));
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

async function fixtureWeights(file: string): Promise<Map<string, NamedArray>> {
  const out = new Map<string, NamedArray>();
  for (const [name, t] of decodeSafetensors(await Deno.readFile(new URL(`checkpoint_3/${file}`, FIXTURE))).tensors) {
    out.set(name, { shape: t.shape, data: t.data as Float32Array });
  }
  return out;
}

function assertSameWeights(actual: ReadonlyMap<string, NamedArray>, expected: ReadonlyMap<string, NamedArray>): void {
  assertEquals([...actual.keys()].sort(), [...expected.keys()].sort());
  for (const [name, want] of expected) {
    const got = actual.get(name)!;
    assertEquals(got.shape, want.shape, name);
    assertEquals(Array.from(got.data), Array.from(want.data), name);
  }
}

const CONFIG = parseConfig(await fixtureJson("config.json"));

Deno.test("Trainer.step() with one quantizer reproduces 0.1.0's metrics, code counts and weights exactly [cpu]", async () => {
  const backend = await initBackend("cpu");
  const trainer = Trainer.create(
    { model: CONFIG.model, train: CONFIG.train, windowSamples: WINDOW, outputActivation: "linear" },
    { rng: Rng.fromSeed(CONFIG.seed), backend },
  );
  try {
    const inputs = await fixtureFloats("inputs.f32le");
    const size = BATCH * WINDOW;
    const expected = await fixtureJson("steps.json") as { metrics: unknown; code_counts: number[][] }[];
    for (let s = 0; s < STEPS; s++) {
      const batches = Array.from(
        { length: MICRO },
        (_, m) => inputs.slice((s * MICRO + m) * size, (s * MICRO + m + 1) * size),
      );
      const result = await trainer.step(batches, s + 1);
      assertEquals(result.metrics, expected[s]!.metrics, `step ${s + 1}`);
      // One array per micro-batch and quantizer stage; 0.1.0 had one stage.
      assertEquals(result.codeCounts.map((c) => c.length), Array.from({ length: MICRO }, () => 1));
      assertEquals(result.codeCounts.map((c) => Array.from(c[0]!)), expected[s]!.code_counts, `step ${s + 1}`);
    }
    const state = await trainer.exportState();
    assertSameWeights(state.generator, await fixtureWeights("generator.safetensors"));
    assertSameWeights(state.discriminator, await fixtureWeights("discriminator.safetensors"));
  } finally {
    trainer.dispose();
  }
});

Deno.test("Codec with one quantizer reproduces 0.1.0's forward, codes and decode of a 0.1.0 checkpoint exactly [cpu]", async () => {
  const backend = await initBackend("cpu");
  const g = new Codec(CONFIG.model, {
    rng: Rng.fromSeed(0),
    plan: kernelPlanFor(backend.name),
    outputActivation: "linear",
  });
  try {
    g.importParams(await fixtureWeights("generator.safetensors"));
    const windows = (await fixtureFloats("inputs.f32le")).slice(0, BATCH * WINDOW);
    const want = await fixtureJson("forward.json") as { indices: number[]; commit_loss: number; codes: number[] };
    const x = tf.tensor2d(windows, [BATCH, WINDOW]);
    const out = g.forward(x);
    assertEquals(Array.from(await out.indices.data()), want.indices);
    assertEquals((await out.commitLoss.data())[0], want.commit_loss);
    assertEquals(Array.from(await out.reconstruction.data()), Array.from(await fixtureFloats("reconstruction.f32le")));
    tf.dispose([x, out.reconstruction, out.indices, out.commitLoss]);
    const codes = await g.encodeWindows(windows, WINDOW);
    assertEquals(Array.from(codes), want.codes);
    const decoded = await g.decodeCodes(codes, WINDOW / g.hop);
    assertEquals(Array.from(decoded), Array.from(await fixtureFloats("decoded.f32le")));
  } finally {
    g.dispose();
  }
});
