import { assert, assertEquals, assertNotEquals, assertThrows } from "../_assert.ts";
import { isHeldOutRead, readSplitFilter } from "../../lib/data/mod.ts";
import { Rng } from "../../lib/runtime/rng.ts";

function uuids(count: number): string[] {
  const rng = Rng.fromSeed(99);
  const hex = () => rng.nextUint32().toString(16).padStart(8, "0");
  return Array.from({ length: count }, () => {
    const h = hex() + hex() + hex() + hex();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  });
}

Deno.test("readSplitFilter() splits reads into disjoint train and held-out parts of the asked size", () => {
  const ids = uuids(4000);
  const info = (readId: string) => ({ readId, fileIndex: 0, path: "x.pod5", readIndex: 0, numSamples: 1 });
  const train = readSplitFilter("train", { fraction: 0.1 });
  const heldOut = readSplitFilter("heldout", { fraction: 0.1 });
  let held = 0;
  for (const id of ids) {
    assert(train(info(id)) !== heldOut(info(id)), `${id} is in exactly one part`);
    if (heldOut(info(id))) held++;
  }
  assert(held > 340 && held < 460, `about 10% held out, got ${held}`);
  assertEquals(ids.filter((id) => isHeldOutRead(id, { fraction: 0 })).length, 0);
});

Deno.test("isHeldOutRead() depends only on the read id, the fraction and the salt", () => {
  const ids = uuids(500);
  const a = ids.filter((id) => isHeldOutRead(id, { fraction: 0.3 }));
  assertEquals(ids.filter((id) => isHeldOutRead(id.toUpperCase(), { fraction: 0.3 })), a);
  assertNotEquals(ids.filter((id) => isHeldOutRead(id, { fraction: 0.3, salt: "other" })), a);
  // A larger fraction holds out a superset.
  const b = new Set(ids.filter((id) => isHeldOutRead(id, { fraction: 0.5 })));
  assert(a.every((id) => b.has(id)));
});

Deno.test("isHeldOutRead() rejecting a fraction outside [0, 1)", () => {
  assertThrows(() => isHeldOutRead("x", { fraction: 1 }), RangeError, "fraction 1 must be in [0, 1)");
  assertThrows(() => readSplitFilter("train", { fraction: -0.1 }), RangeError);
});
