import { assertEquals, assertThrows } from "../_assert.ts";
import * as tf from "@tensorflow/tfjs-core";
import { ParamStateError } from "../../lib/model/errors.ts";
import { ParamStore } from "../../lib/model/params.ts";
import { initBackend } from "../../lib/runtime/backend.ts";

Deno.test("ParamStore.exportArrays() and importArrays() round-trip every parameter", async () => {
  await initBackend("cpu");
  const a = new ParamStore();
  a.add("w", [2, 2], Float32Array.from([1, 2, 3, 4]));
  a.add("frozen", [3], Float32Array.from([5, 6, 7]), { trainable: false });
  assertEquals(a.trainableNames(), ["w"]);
  assertEquals(a.counts(), { trainable: 4, frozen: 3 });
  const b = new ParamStore();
  b.add("w", [2, 2], new Float32Array(4));
  b.add("frozen", [3], new Float32Array(3), { trainable: false });
  const before = tf.memory().numTensors;
  b.importArrays(await a.exportArrays());
  assertEquals(tf.memory().numTensors, before);
  assertEquals(Array.from(b.get("w").dataSync()), [1, 2, 3, 4]);
  assertEquals(Array.from(b.get("frozen").dataSync()), [5, 6, 7]);
  a.dispose();
  b.dispose();
});

Deno.test("ParamStore.importArrays() rejects missing, unknown and misshapen arrays without changing anything", async () => {
  await initBackend("cpu");
  const s = new ParamStore();
  s.add("w", [2], Float32Array.from([1, 2]));
  const ok = { shape: [2], data: Float32Array.from([9, 9]) };
  let e = assertThrows(() => s.importArrays(new Map()), ParamStateError, 'Cannot import parameters: "w" is missing');
  assertEquals(e.paramName, "w");
  e = assertThrows(
    () => s.importArrays(new Map([["w", ok], ["x", ok]])),
    ParamStateError,
    'Cannot import parameters: "x" is not a parameter of this network',
  );
  assertThrows(
    () => s.importArrays(new Map([["w", { shape: [1, 2], data: Float32Array.from([9, 9]) }]])),
    ParamStateError,
    'Cannot import parameters: "w" has shape [1,2] (2 values), expected [2]',
  );
  assertEquals(Array.from(s.get("w").dataSync()), [1, 2]);
  assertThrows(() => s.add("w", [1], new Float32Array(1)), RangeError, 'Cannot add parameter: "w" already exists');
  s.dispose();
});
