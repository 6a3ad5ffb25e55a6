import { assignShards, parseShard, selectShard, shardManifestName, type SizedFile } from "../../lib/runtime/shard.ts";
import { UsageError } from "../../lib/runtime/args.ts";
import { parseFileTaskFlags } from "../../lib/runtime/file_task_flags.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { assert, assertEquals, assertThrows } from "../_assert.ts";

/** 40 files of seeded random sizes (a few very large, some empty), paths in a tree. */
function randomFiles(seed: number): SizedFile[] {
  const rng = Rng.fromSeed(seed);
  return Array.from({ length: 40 }, (_, i) => {
    const u = rng.nextFloat();
    const sizeBytes = i % 9 === 0 ? 0 : Math.floor(u < 0.1 ? 5e8 * u : 4e6 * u);
    return { path: `run${i % 3}/batch_${String(i).padStart(2, "0")}.pod5`, sizeBytes };
  });
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rng = Rng.fromSeed(seed), out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.nextFloat() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

Deno.test("selectShard() covers every file exactly once for N in 1, 2, 3, 7", () => {
  const files = randomFiles(7);
  const all = files.map((f) => f.path).sort();
  for (const count of [1, 2, 3, 7]) {
    const seen: string[] = [];
    for (let index = 0; index < count; index++) {
      const part = selectShard(files, { index, count }).map((f) => f.path);
      assertEquals(part, [...part].sort(), `shard ${index}/${count} is sorted by path`);
      seen.push(...part);
    }
    assertEquals(seen.length, files.length, `N=${count}: no file in two shards`);
    assertEquals([...seen].sort(), all, `N=${count}: the union is the whole set`);
  }
});

Deno.test("selectShard() gives the same split whatever order the files are listed in", () => {
  const files = randomFiles(3);
  for (const count of [2, 3, 7]) {
    for (let index = 0; index < count; index++) {
      const a = selectShard(files, { index, count }).map((f) => f.path);
      const b = selectShard(shuffled(files, 100 + index), { index, count }).map((f) => f.path);
      assertEquals(b, a, `shard ${index}/${count}`);
    }
  }
});

Deno.test("assignShards() balances bytes: no shard more than one file's size above another", () => {
  for (const seed of [1, 2, 3]) {
    const files = randomFiles(seed);
    const largest = Math.max(...files.map((f) => f.sizeBytes));
    for (const count of [2, 3, 7]) {
      const assigned = assignShards(files, count);
      const bytes = new Array<number>(count).fill(0);
      for (const file of files) bytes[assigned.get(file.path)!]! += file.sizeBytes;
      const spread = Math.max(...bytes) - Math.min(...bytes);
      assert(spread <= largest, `seed ${seed}, N=${count}: spread ${spread} > largest file ${largest}`);
      // A round-robin split by path would be far worse on these sizes; the greedy split beats it.
      const roundRobin = new Array<number>(count).fill(0);
      [...files].sort((a, b) => a.path < b.path ? -1 : 1).forEach((f, i) => roundRobin[i % count]! += f.sizeBytes);
      assert(Math.max(...bytes) <= Math.max(...roundRobin), `seed ${seed}, N=${count}: worse than round robin`);
    }
  }
});

Deno.test("assignShards() spreads empty files by count, and a hand-worked split", () => {
  const empty = Array.from({ length: 6 }, (_, i) => ({ path: `f${i}`, sizeBytes: 0 }));
  assertEquals([...assignShards(empty, 3).values()].sort(), [0, 0, 1, 1, 2, 2]);
  // 9 → 0; 7 → 1; 6 → 2; 4 → 2 (6 < 7 < 9); 2 → 1 (7 < 9 < 10).
  const sizes = { a: 4, b: 9, c: 6, d: 2, e: 7 };
  const files = Object.entries(sizes).map(([path, sizeBytes]) => ({ path, sizeBytes }));
  assertEquals(Object.fromEntries(assignShards(files, 3)), { b: 0, e: 1, c: 2, a: 2, d: 1 });
  assertEquals(selectShard(files, { index: 3 - 1, count: 3 }).map((f) => f.path), ["a", "c"]);
  assertEquals(selectShard(files.slice(0, 1), { index: 1, count: 2 }), [], "more shards than files");
});

Deno.test("parseShard() reading I/N and rejecting bad values", () => {
  assertEquals(parseShard("0/1"), { index: 0, count: 1 });
  assertEquals(parseShard("6/7"), { index: 6, count: 7 });
  for (const bad of ["7/7", "1/0", "-1/3", "1", "a/b", "1/2/3", ""]) {
    assertThrows(() => parseShard(bad), UsageError, "--shard is I/N");
  }
  assertThrows(() => assignShards([{ path: "x", sizeBytes: 1 }, { path: "x", sizeBytes: 1 }], 2), RangeError, "twice");
  assertEquals(shardManifestName({ index: 2, count: 7 }), "shard-2-of-7.json");
});

Deno.test("parseFileTaskFlags() reading --shard, as a Kubernetes or Slurm job passes it", () => {
  assertEquals(parseFileTaskFlags(["run/", "-o", "tokens/", "--shard", "6/7"], {}).shard, { index: 6, count: 7 });
  assertEquals(parseFileTaskFlags(["run/", "-o", "tokens/"], {}).shard, undefined);
  assertThrows(() => parseFileTaskFlags(["run/", "-o", "t/", "--shard", "7/7"], {}), UsageError, 'not "7/7"');
});
