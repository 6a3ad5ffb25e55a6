import { assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "../_assert.ts";
import * as tf from "@tensorflow/tfjs-core";
import { ParamStateError } from "../../lib/model/errors.ts";
import { ParamStore } from "../../lib/model/params.ts";
import { initBackend } from "../../lib/runtime/backend.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { AdamW, type AdamWConfig, adamWConfigFrom } from "../../lib/train/optimizer.ts";

const CONFIG: AdamWConfig = {
  learningRate: 0.1,
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  clipNorm: null,
};

function store(values: number[]): ParamStore {
  const s = new ParamStore();
  s.add("p", [values.length], Float32Array.from(values));
  s.add("frozen", [1], Float32Array.from([7]), { trainable: false });
  return s;
}

/** optax adamw in float64. */
function reference(p: number[], grads: number[][], c: AdamWConfig): number[] {
  let m = p.map(() => 0), v = p.map(() => 0), x = [...p];
  grads.forEach((g, t) => {
    m = m.map((mi, i) => c.beta1 * mi + (1 - c.beta1) * g[i]!);
    v = v.map((vi, i) => c.beta2 * vi + (1 - c.beta2) * g[i]! ** 2);
    const b1 = 1 - c.beta1 ** (t + 1), b2 = 1 - c.beta2 ** (t + 1);
    x = x.map((xi, i) =>
      xi - c.learningRate * ((m[i]! / b1) / (Math.sqrt(v[i]! / b2) + c.epsilon) + c.weightDecay * xi)
    );
  });
  return x;
}

Deno.test("adamWConfigFrom() takes the train section's optimizer keys", () => {
  assertEquals(adamWConfigFrom(parseConfig({}).train), {
    learningRate: 2e-4,
    weightDecay: 1e-4,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    clipNorm: 1.0,
  });
});

Deno.test("AdamW.apply() matches optax adamw over two steps and skips frozen values", async () => {
  await initBackend("cpu");
  const s = store([1, -2, 0.5]);
  const opt = new AdamW(s, CONFIG);
  const grads = [[0.5, 0.1, -0.3], [-0.2, 0.4, 0.05]];
  for (const g of grads) {
    const t = tf.tensor1d(g);
    await opt.apply(new Map([["p", t]]));
    t.dispose();
  }
  assertEquals(opt.step, 2);
  const got = Array.from(s.get("p").dataSync());
  reference([1, -2, 0.5], grads, CONFIG).forEach((x, i) => assertAlmostEquals(got[i]!, x, 1e-6));
  assertEquals(Array.from(s.get("frozen").dataSync()), [7]);
  opt.dispose();
  s.dispose();
});

Deno.test("AdamW.apply() clips to the global norm and reports the norm before clipping", async () => {
  await initBackend("cpu");
  const s = store([0, 0]);
  const opt = new AdamW(s, { ...CONFIG, clipNorm: 1, weightDecay: 0 });
  const g = tf.tensor1d([3, 4]);
  const report = await opt.apply(new Map([["p", g]]));
  assertAlmostEquals(report.gradNorm, 5, 1e-6);
  const state = await opt.exportState();
  // m = (1 − β1)·g·(1/5)
  const m = Array.from(state.firstMoments.get("p")!.data);
  assertAlmostEquals(m[0]!, 0.1 * 0.6, 1e-7);
  assertAlmostEquals(m[1]!, 0.1 * 0.8, 1e-7);
  tf.dispose(g);
  opt.dispose();
  s.dispose();
});

Deno.test("AdamW.importState() resumes bit-identically", async () => {
  await initBackend("cpu");
  const [sa, sb] = [store([1, 2, 3]), store([0, 0, 0])];
  const [a, b] = [new AdamW(sa, CONFIG), new AdamW(sb, CONFIG)];
  const g1 = tf.tensor1d([0.3, -0.1, 0.2]), g2 = tf.tensor1d([-0.5, 0.25, 0.125]);
  await a.apply(new Map([["p", g1]]));
  sb.importArrays(await sa.exportArrays());
  b.importState(await a.exportState());
  assertEquals(b.step, 1);
  await a.apply(new Map([["p", g2]]));
  await b.apply(new Map([["p", g2]]));
  assertEquals(sb.get("p").dataSync(), sa.get("p").dataSync());
  assertEquals(await b.exportState(), await a.exportState());
  tf.dispose([g1, g2]);
  [a, b].forEach((o) => o.dispose());
  [sa, sb].forEach((s) => s.dispose());
});

Deno.test("AdamW.importState() rejects a state for other parameters", async () => {
  await initBackend("cpu");
  const s = store([1, 2]);
  const opt = new AdamW(s, CONFIG);
  const wrong = { shape: [3], data: new Float32Array(3) };
  assertThrows(
    () => opt.importState({ step: 1, firstMoments: new Map([["p", wrong]]), secondMoments: new Map([["p", wrong]]) }),
    ParamStateError,
    'Cannot import parameters: "p" has shape [3] (3 values), expected [2]',
  );
  assertThrows(
    () => opt.importState({ step: 1, firstMoments: new Map(), secondMoments: new Map() }),
    ParamStateError,
    'Cannot import optimizer state: first moment of "p" is missing',
  );
  assertEquals(opt.step, 0);
  await assertRejects(() => opt.apply(new Map()), RangeError, 'Cannot apply update: no gradient for "p"');
  opt.dispose();
  s.dispose();
});
