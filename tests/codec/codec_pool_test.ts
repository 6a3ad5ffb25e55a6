import { join } from "@std/path";
import { CodecPool, decodeTokens, encodePod5, loadCodec, type LoadedCodec } from "../../lib/codec/mod.ts";
import { assertEquals, assertRejects, assertThrows } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { makeTinyCheckpoint } from "./_tiny_checkpoint.ts";

const FIXTURES = new URL("../fixtures/pod5/", import.meta.url).pathname;
const Z1 = join(FIXTURES, "z1.pod5");
const DORADO_5KHZ = join(FIXTURES, "dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5");

async function withCodec(fn: (codec: LoadedCodec, dir: string) => Promise<void>): Promise<void> {
  await withTempDir(async (dir) => {
    const codec = await loadCodec(await makeTinyCheckpoint(join(dir, "ckpt")), { backend: "wasm" });
    try {
      await fn(codec, dir);
    } finally {
      codec.dispose();
    }
  });
}

Deno.test("CodecPool runs concurrent encodePod5() and decodeTokens() calls, giving the bytes of calls without it", async () => {
  await withCodec(async (codec, dir) => {
    // References: each call on its own, in this thread.
    for (const [name, input] of [["z1", Z1], ["dorado", DORADO_5KHZ]] as const) {
      await encodePod5(input, join(dir, `${name}.ref.tokens`), { codec, workers: 0 });
      await decodeTokens(join(dir, `${name}.ref.tokens`), join(dir, `${name}.ref.pod5`), { codec, workers: 0 });
    }
    for (const workers of [0, 2]) {
      await using pool = await CodecPool.start(codec, { workers });
      assertEquals(pool.workers, workers);
      // Two rounds: a call must leave the pool open for the next one (z1, 3 reads, only in the first).
      for (const round of [1, 2]) {
        const names = round === 1 ? ["z1", "dorado"] : ["dorado"];
        const out = (name: string) => join(dir, `${name}.w${workers}.r${round}`);
        await Promise.all(names.flatMap((name) => [
          encodePod5(name === "z1" ? Z1 : DORADO_5KHZ, `${out(name)}.tokens`, { codec, pool }),
          decodeTokens(join(dir, `${name}.ref.tokens`), `${out(name)}.pod5`, { codec, pool }),
        ]));
        for (const name of names) {
          for (const ext of [".tokens", ".pod5"]) {
            assertEquals(
              await Deno.readFile(`${out(name)}${ext}`),
              await Deno.readFile(join(dir, `${name}.ref${ext}`)),
              `${name}${ext}, ${workers} workers, round ${round}`,
            );
          }
        }
      }
    }
  });
});

Deno.test("CodecPool refuses another codec's calls, and calls after close()", async () => {
  await withCodec(async (codec, dir) => {
    const other = await loadCodec(await makeTinyCheckpoint(join(dir, "other"), { seed: 2 }), { backend: "wasm" });
    const pool = await CodecPool.start(codec, { workers: 1 });
    try {
      assertThrows(
        () => pool.runnerFor(other),
        TypeError,
        `Cannot use the codec pool: it runs checkpoint sha256 ${codec.checkpoint.sha256}, not the codec of this call`,
      );
      await assertRejects(
        () => encodePod5(DORADO_5KHZ, join(dir, "other.tokens"), { codec: other, pool }),
        TypeError,
        "Cannot use the codec pool",
      );
    } finally {
      await pool.close();
      other.dispose();
    }
    await pool.close(); // a second close does nothing
    await assertRejects(
      () => encodePod5(DORADO_5KHZ, join(dir, "late.tokens"), { codec, pool }),
      Error,
      "Cannot run the model: the codec pool is closed",
    );
    await assertRejects(() => CodecPool.start(codec, { workers: -1 }), RangeError, "workers must be a non-negative");
  });
});
