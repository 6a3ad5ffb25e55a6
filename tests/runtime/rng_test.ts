import { assertEquals, assertNotEquals } from "../_assert.ts";
import { Rng } from "../../lib/runtime/rng.ts";

Deno.test("Rng.fromSeed() gives the same stream for the same seed and another for another", () => {
  const a = Rng.fromSeed(42), b = Rng.fromSeed(42), c = Rng.fromSeed(43);
  const take = (r: Rng) => Array.from({ length: 8 }, () => r.nextUint32());
  const sa = take(a);
  assertEquals(sa, take(b));
  assertNotEquals(sa, take(c));
});

Deno.test("Rng.fromState() continues exactly where state() was taken", () => {
  const a = Rng.fromSeed(7);
  for (let i = 0; i < 100; i++) a.nextFloat();
  const saved = a.state();
  const expected = Array.from({ length: 16 }, () => a.nextUint32());
  const b = Rng.fromState(JSON.parse(JSON.stringify(saved)));
  assertEquals(Array.from({ length: 16 }, () => b.nextUint32()), expected);
});

Deno.test("Rng.nextInt() stays in range and covers it", () => {
  const r = Rng.fromSeed(1);
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    const x = r.nextInt(10);
    if (x < 0 || x >= 10 || !Number.isInteger(x)) throw new Error(`out of range: ${x}`);
    seen.add(x);
  }
  assertEquals(seen.size, 10);
});

Deno.test("Rng.nextNormal() has mean 0 and variance 1", () => {
  const r = Rng.fromSeed(3);
  let sum = 0, sq = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const x = r.nextNormal();
    sum += x;
    sq += x * x;
  }
  const mean = sum / n;
  const variance = sq / n - mean * mean;
  if (Math.abs(mean) > 0.03 || Math.abs(variance - 1) > 0.04) throw new Error(`mean ${mean}, var ${variance}`);
});

Deno.test("Rng.shuffle() is a seeded permutation", () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const a = Rng.fromSeed(5).shuffle([...items]);
  assertEquals(a, Rng.fromSeed(5).shuffle([...items]));
  assertNotEquals(a, items);
  assertEquals([...a].sort((x, y) => x - y), items);
});
