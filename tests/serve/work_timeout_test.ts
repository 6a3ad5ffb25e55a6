import { join } from "@std/path";
import { assert, assertEquals } from "../_assert.ts";
import { runTask } from "../tasks/_run_task.ts";
import { DORADO_5KHZ, filesUnder, post, waitFor, withHandler, Z1 } from "./_handler_fixture.ts";

const decoder = new TextDecoder();

for (const workers of [0, 1]) {
  Deno.test(`createServeHandler() ending work past --work-timeout with 503, freeing its slot and the model (--workers ${workers})`, async () => {
    await withHandler(async ({ handler, limiter, pool, tempDir, ckptRun, dir }) => {
      // z1's encode is 186 model jobs, far more than the 0.3 s allowed.
      const z1 = await Deno.readFile(Z1);
      const started = performance.now();
      const late = await post(handler, "/v1/encode", z1);
      const tookMs = performance.now() - started;
      assertEquals(late.status, 503);
      assertEquals(JSON.parse(decoder.decode(late.bytes)), {
        error: "Cannot encode: the work took longer than this server's --work-timeout (0.3 s)",
        status: 503,
      });
      // The slot is free at once; the model within the jobs it already held (at most 2 per Worker).
      assertEquals([limiter.active, limiter.queued], [0, 0]);
      await waitFor("the model to be free", () => pool.jobsRunning === 0);
      const startedJobs = pool.jobsStarted;
      assert(startedJobs < 186, `${startedJobs} jobs ran: the encode was not cut short`);
      assert(tookMs < 30_000, `the 503 took ${tookMs} ms`);
      assertEquals(await filesUnder(tempDir), []);
      // The server goes on: an encode within the limit gives the task's bytes.
      const expected = join(dir, "dorado.tokens");
      const result = await runTask("encode", [DORADO_5KHZ, "-o", expected, "--ckpt", ckptRun, "--workers", "0"]);
      assertEquals(result.code, 0, result.stderr);
      const next = await post(handler, "/v1/encode", await Deno.readFile(DORADO_5KHZ));
      assertEquals([next.status, next.bytes], [200, await Deno.readFile(expected)]);
      assertEquals(pool.jobsStarted - startedJobs, 2);
    }, { workTimeoutMs: 300, workers });
  });
}
