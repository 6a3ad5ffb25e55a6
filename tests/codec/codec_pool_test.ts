import { join } from "@std/path";
import { CodecPool, decodeTokens, encodePod5, loadCodec, type LoadedCodec } from "../../lib/codec/mod.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { makeTinyCheckpoint } from "./_tiny_checkpoint.ts";

const FIXTURES = new URL("../fixtures/pod5/", import.meta.url).pathname;
const Z1 = join(FIXTURES, "z1.pod5");
const DORADO_5KHZ = join(FIXTURES, "dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5");

/** Wait (bounded, yielding to the event loop) until `condition` holds. */
async function waitFor(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

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

Deno.test("CodecPool serves concurrent calls in turn, job by job: a short call is not held up behind a long one", async () => {
  await withCodec(async (codec, dir) => {
    // One Worker: this thread stays free for the calls' file work while the model runs.
    await using pool = await CodecPool.start(codec, { workers: 1 });
    await encodePod5(DORADO_5KHZ, join(dir, "dorado.ref.tokens"), { codec, pool });
    const doradoJobs = pool.jobsStarted;
    await encodePod5(Z1, join(dir, "z1.ref.tokens"), { codec, pool });
    const z1Jobs = pool.jobsStarted - doradoJobs;
    assert(z1Jobs > 100 && doradoJobs === 2, `${z1Jobs} jobs for z1, ${doradoJobs} for dorado`);

    const before = pool.jobsStarted;
    const long = encodePod5(Z1, join(dir, "z1.tokens"), { codec, pool });
    let startedByThen: number;
    try {
      await waitFor("the long call's first job", () => pool.jobsStarted > before);
      await encodePod5(DORADO_5KHZ, join(dir, "dorado.tokens"), { codec, pool });
      startedByThen = pool.jobsStarted - before;
    } finally {
      await long;
    }
    // In one line, dorado's jobs would have waited behind z1's last read, which is 96% of its jobs.
    assert(startedByThen < z1Jobs / 2, `${startedByThen} of z1's ${z1Jobs} jobs ran before the short call ended`);
    assertEquals(pool.jobsStarted - before, z1Jobs + doradoJobs);
    assertEquals(await Deno.readFile(join(dir, "z1.tokens")), await Deno.readFile(join(dir, "z1.ref.tokens")));
    assertEquals(await Deno.readFile(join(dir, "dorado.tokens")), await Deno.readFile(join(dir, "dorado.ref.tokens")));
  });
});

Deno.test("CodecPool drops an aborted call's jobs at once and frees its workers; other calls give the same bytes", async () => {
  await withCodec(async (codec, dir) => {
    await encodePod5(DORADO_5KHZ, join(dir, "dorado.ref.tokens"), { codec, workers: 0 });
    for (const workers of [0, 1]) {
      await using pool = await CodecPool.start(codec, { workers });
      const stop = new AbortController();
      const aborted = encodePod5(Z1, join(dir, `z1.w${workers}.tokens`), { codec, pool, signal: stop.signal });
      await waitFor("the call's first job", () => pool.jobsStarted > 0);
      const reason = new Error("the work took too long");
      stop.abort(reason);
      const error = await aborted.catch((e: unknown) => e);
      assert(error === reason, `rejected with ${Deno.inspect(error)}, not the abort reason`);
      // The jobs handed to the workers (at most their capacity) finish, unused; no other job of the call runs.
      const startedAtAbort = pool.jobsStarted;
      await waitFor("the workers to be free", () => pool.jobsRunning === 0);
      assertEquals(pool.jobsStarted, startedAtAbort, `${workers} workers`);
      assert(startedAtAbort < 100, `${startedAtAbort} jobs started (z1 needs more than 100), ${workers} workers`);
      await assertRejects(() => Deno.stat(join(dir, `z1.w${workers}.tokens`)), Deno.errors.NotFound);
      // The pool goes on serving other calls.
      const out = join(dir, `dorado.w${workers}.tokens`);
      await encodePod5(DORADO_5KHZ, out, { codec, pool });
      assertEquals(await Deno.readFile(out), await Deno.readFile(join(dir, "dorado.ref.tokens")));
    }
  });
});
