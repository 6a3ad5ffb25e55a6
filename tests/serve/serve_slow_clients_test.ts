import { join } from "@std/path";
import { rawRequest, type RawResponse } from "../../bench/_raw_http.ts";
import { FIXTURE_FILES, startServer } from "../../bench/_serve_load.ts";
import { CONNECTION_DROPPED_LINE } from "../../lib/serve/closing_response.ts";
import { makeTinyCheckpoint } from "../codec/_tiny_checkpoint.ts";
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { filesUnder, waitFor } from "./_handler_fixture.ts";

/** The default --body-timeout, ms. */
const BODY_TIMEOUT_MS = 30_000;
/** How late after the body timeout a slow client may be cut off ("a few seconds"). */
const CUT_OFF_SLACK_MS = 5_000;
const MIB = 1024 * 1024;

interface Health {
  readonly uploads: number;
  readonly active: number;
  readonly queued: number;
}

async function health(base: string): Promise<Health> {
  return await (await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(30_000) })).json();
}

Deno.test("deno task serve: with --concurrency uploads trickling in, an encode is answered at once; the tricklers get 408 after --body-timeout", async () => {
  await withTempDir(async (dir) => {
    await makeTinyCheckpoint(join(dir, "run"));
    const temp = join(dir, "temp");
    await Deno.mkdir(temp);
    const server = await startServer(
      ["--ckpt", join(dir, "run"), "--port", "0", "--concurrency", "2", "--queue", "4", "--workers", "1"]
        .concat(["--temp-dir", temp]),
    );
    let code: number | undefined;
    try {
      const [serverTemp] = await filesUnder(temp);
      const url = new URL(server.url);
      const address = { hostname: url.hostname, port: Number(url.port) };
      const head =
        `POST /v1/encode HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: ${MIB}\r\nConnection: close\r\n\r\n`;
      const body = new Uint8Array(MIB).fill(0x41);
      const startedAt = performance.now();
      const slow: Promise<RawResponse>[] = [
        // As many tricklers as processing slots: one byte a second of a 1 MiB upload...
        ...[1, 2].map(() =>
          rawRequest(address, { head, body }, { timeoutMs: 90_000, trickle: { bytes: 1, everyMs: 1000 } })
        ),
        // ...and one that sends 1000 bytes, then nothing.
        rawRequest(address, { head, body }, { timeoutMs: 90_000, stopAfterBytes: 1000, readUntil: "body" }),
      ];
      await waitFor("the three uploads to be in progress", async () => (await health(server.url)).uploads === 3);

      const encodeStarted = performance.now();
      const encoded = await fetch(`${server.url}/v1/encode`, {
        method: "POST",
        body: await Deno.readFile(FIXTURE_FILES.z1),
        signal: AbortSignal.timeout(60_000),
      });
      const tokens = await encoded.bytes();
      const encodeMs = performance.now() - encodeStarted;
      assertEquals(encoded.status, 200, new TextDecoder().decode(tokens.slice(0, 300)));
      assertEquals(encoded.headers.get("x-simvqgan-samples"), "2319616");
      assert(encodeMs < 60_000, `the encode took ${encodeMs} ms`);
      // The slow uploads were still going: receiving them held no processing slot.
      assertEquals((await health(server.url)).uploads, 3, `the encode took ${encodeMs} ms`);
      assert(performance.now() - startedAt < BODY_TIMEOUT_MS, "the encode came after the body timeout");

      const cut = await Promise.all(slow);
      for (const [i, response] of cut.entries()) {
        const what = i < 2 ? `trickler ${i + 1}` : "the stalled upload";
        // 408 with the JSON error; a trickler's connection is then dropped (at its next byte). The stalled
        // one's stays open until the client closes it: Deno's server cannot drop it while it waits for bytes.
        assertEquals([response.status, response.timedOut], [408, false], what);
        assert(response.headMs >= BODY_TIMEOUT_MS - 100, `${what} cut off after ${response.headMs} ms`);
        assert(response.headMs <= BODY_TIMEOUT_MS + CUT_OFF_SLACK_MS, `${what} cut off after ${response.headMs} ms`);
        if (i < 2) {
          assert(response.closed, `${what}: the connection stayed open`);
          assert(response.ms <= BODY_TIMEOUT_MS + CUT_OFF_SLACK_MS, `${what} dropped after ${response.ms} ms`);
        }
        const error = JSON.parse(new TextDecoder().decode(response.body));
        assertEquals(error.status, 408, what);
        assertMatch(
          error.error,
          i < 2
            ? /^Cannot read the body: \d+ of its 1048576 bytes arrived in 3\d\.\d s, slower than this server's minimum of 64 KiB\/s after its --body-timeout of 30 s$/
            : /^Cannot read the body: nothing arrived for 30 s \(this server's --body-timeout\), after 1000 of its 1048576 bytes in 3\d\.\d s$/,
          what,
        );
      }
      console.log(
        `encode answered in ${encodeMs.toFixed(0)} ms with 3 slow uploads in progress; ` +
          `they were cut off after ${cut.map((r) => (r.headMs / 1000).toFixed(1)).join(", ")} s`,
      );
      const after = await health(server.url);
      assertEquals([after.uploads, after.active, after.queued], [0, 0, 0]);
      await waitFor("the uploads' files to go", async () => (await filesUnder(temp)).length === 1);
      assertEquals(await filesUnder(temp), [serverTemp]);
    } finally {
      code = await server.stop();
    }
    assertEquals(code, 0, server.log.join("\n"));
    assertEquals(
      server.log.filter((line) => line === CONNECTION_DROPPED_LINE).length >= 2,
      true,
      server.log.join("\n"),
    );
    assertEquals(server.log.filter((line) => line.startsWith("error")), []);
  });
});
