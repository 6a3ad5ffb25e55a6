import { join } from "@std/path";
import {
  expectedOutputs,
  MIXED_BAD,
  MIXED_GOOD,
  mixedCases,
  runLoad,
  serverRssBytes,
  startServer,
} from "../../bench/_serve_load.ts";
import { loadCodec } from "../../lib/codec/load_codec.ts";
import { makeTinyCheckpoint } from "../codec/_tiny_checkpoint.ts";
import { assertEquals, assertMatch } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { filesUnder } from "./_handler_fixture.ts";

const TOKEN = "load-test-token";

Deno.test("deno task serve answers 40 mixed requests from 8 clients, every good one byte for byte, every bad one's status", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await makeTinyCheckpoint(join(dir, "run"));
    const foreign = await makeTinyCheckpoint(join(dir, "foreign"), { seed: 9 });
    const scratch = join(dir, "expected"), temp = join(dir, "temp");
    await Deno.mkdir(scratch);
    await Deno.mkdir(temp);
    const expected = await expectedOutputs(ckpt, foreign, scratch);
    const codec = await loadCodec(ckpt, { backend: "wasm" });
    const identity = { token: TOKEN, sha256: codec.checkpoint.sha256, step: codec.checkpoint.step };
    codec.dispose();
    const cases = await mixedCases(expected, identity);
    assertEquals(cases.length, MIXED_GOOD + MIXED_BAD);

    const server = await startServer(
      // The run folder, as a user gives it; the task resolves its newest checkpoint.
      ["--ckpt", join(dir, "run"), "--port", "0", "--max-body-mb", "2", "--concurrency", "2", "--queue", "8"]
        .concat(["--workers", "2", "--temp-dir", temp]),
      { SIMVQGAN_TOKEN: TOKEN },
    );
    let code: number | undefined;
    try {
      const [serverTemp] = await filesUnder(temp);
      assertMatch(serverTemp ?? "", /^simvqgan-serve-/);
      const rssBefore = await serverRssBytes(server.url);
      const results = await runLoad(server.url, cases, { clients: 8, requestTimeoutMs: 120_000 });
      const rssAfter = await serverRssBytes(server.url);
      const problems = results.filter((r) => r.problem !== undefined).map((r) => `${r.name}: ${r.problem}`);
      assertEquals(problems, [], server.log.filter((line) => line.startsWith("error")).join("\n"));
      assertEquals(results.filter((r) => r.status === 200).length, MIXED_GOOD);
      assertEquals(
        results.filter((r) => r.status >= 400).map((r) => r.status).sort(),
        [400, 400, 400, 401, 404, 405, 409, 411, 413, 415],
      );
      // Every request's files are gone; only the server's own (empty) folder is left.
      assertEquals(await filesUnder(temp), [serverTemp]);
      console.log(
        `serve load: ${results.length} requests, RSS before ${(rssBefore / 2 ** 20).toFixed(0)} MiB, ` +
          `after ${(rssAfter / 2 ** 20).toFixed(0)} MiB`,
      );
    } finally {
      code = await server.stop();
    }
    // SIGTERM stops it cleanly (exit code 0), and the task removes its temp folder.
    assertEquals(code, 0, server.log.join("\n"));
    assertEquals(await filesUnder(temp), []);
    assertEquals(server.log.filter((line) => line.startsWith("error")), []);
  });
});

Deno.test("deno task serve stops at once on SIGINT (Ctrl-C), removing its temp folder", async () => {
  await withTempDir(async (dir) => {
    await makeTinyCheckpoint(join(dir, "run"));
    const temp = join(dir, "temp");
    await Deno.mkdir(temp);
    const server = await startServer(
      ["--ckpt", join(dir, "run"), "--port", "0", "--workers", "1", "--temp-dir", temp],
      {},
    );
    assertEquals((await filesUnder(temp)).length, 1);
    const code = await server.stop("SIGINT");
    assertEquals(code, 0, server.log.join("\n"));
    assertEquals(await filesUnder(temp), []);
  });
});
