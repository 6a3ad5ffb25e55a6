import { MIN_BODY_BYTES_PER_S, timedBody } from "../../lib/serve/body_deadline.ts";
import { CONNECTION_DROPPED_LINE } from "../../lib/serve/closing_response.ts";
import { BodyTimeoutError } from "../../lib/serve/errors.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "../_assert.ts";
import { runTask } from "../tasks/_run_task.ts";
import { DORADO_5KHZ, filesUnder, heldRequest, waitFor, withHandler } from "./_handler_fixture.ts";

/** A body of `bytes` sent `chunkBytes` at a time, one chunk every `everyMs`. */
function trickle(bytes: Uint8Array, chunkBytes: number, everyMs: number): ReadableStream<Uint8Array> {
  let at = 0, timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    pull: (controller) =>
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          controller.enqueue(bytes.slice(at, at + chunkBytes));
          at += chunkBytes;
          if (at >= bytes.byteLength) controller.close();
          resolve();
        }, everyMs);
      }),
    cancel: () => clearTimeout(timer),
  });
}

function trickledRequest(path: string, body: Uint8Array, chunkBytes: number, everyMs: number): Request {
  return new Request(`http://127.0.0.1${path}`, {
    method: "POST",
    body: trickle(body, chunkBytes, everyMs),
    headers: { "content-length": String(body.byteLength) },
    duplex: "half",
  } as RequestInit);
}

/** A 408's JSON, and how its body ends: a clean end, or the failure that drops the connection. */
async function readCutOff(response: Response): Promise<{ error: string; status: number; ending: unknown }> {
  const reader = response.body!.getReader();
  const first = await reader.read();
  assert(!first.done, "the 408 has no body");
  const ending = await reader.read().then((next) => next.done ? "a clean end" : "more", (reason: unknown) => reason);
  return { ...JSON.parse(new TextDecoder().decode(first.value)), ending };
}

Deno.test("timedBody() passes a steady body through, and cuts off a silent one and a slow one", async () => {
  const bytes = new Uint8Array(4000).map((_, i) => i % 251);
  const chunks: Uint8Array[] = [];
  for await (const chunk of timedBody(trickle(bytes, 1000, 20), { timeoutMs: 1000, sizeBytes: 4000 })) {
    chunks.push(chunk);
  }
  assertEquals(chunks.map((c) => c.length), [1000, 1000, 1000, 1000]);

  let cancelled = false;
  const silent = new ReadableStream<Uint8Array>({
    start: (c) => c.enqueue(new Uint8Array(10)),
    cancel: () => void (cancelled = true),
  });
  const started = performance.now();
  const idle = await assertRejects(async () => {
    for await (const _ of timedBody(silent, { timeoutMs: 100, sizeBytes: 50 })) { /* drain */ }
  }, BodyTimeoutError);
  assert(performance.now() - started >= 100, "cut off before the timeout");
  assertEquals(idle.status, 408);
  assertMatch(
    idle.message,
    /^Cannot read the body: nothing arrived for 0\.1 s \(this server's --body-timeout\), after 10 of its 50 bytes in \d+\.\d s$/,
  );
  // Nothing more arrives: the body is let go of after the timeout (the longest it waits for its last read).
  await idle.released;
  assert(cancelled, "the body was not cancelled");

  // One byte every 10 ms never leaves a silence of 400 ms, but is far below 64 KiB/s: cut off after 0.4 s.
  const slow = await assertRejects(async () => {
    for await (const _ of timedBody(trickle(bytes, 1, 10), { timeoutMs: 400, sizeBytes: 4000 })) { /* drain */ }
  }, BodyTimeoutError);
  assertMatch(
    slow.message,
    /^Cannot read the body: \d+ of its 4000 bytes arrived in \d+\.\d s, slower than this server's minimum of 64 KiB\/s after its --body-timeout of 0\.4 s$/,
  );
  assertEquals(MIN_BODY_BYTES_PER_S, 65536);
});

Deno.test("createServeHandler() cutting off a stalled upload with 408, dropping its connection once it sends again", async () => {
  await withHandler(async ({ handler, limiter, uploads, tempDir, log }) => {
    const dorado = await Deno.readFile(DORADO_5KHZ);
    for (const sendsAgain of [true, false]) {
      const stalled = heldRequest("/v1/encode", dorado);
      const started = performance.now();
      const response = handler(stalled.request);
      stalled.sendHalf();
      await waitFor("the upload to start", () => uploads.active === 1);
      // Cut off: its upload slot is free, and the 408 waits (a while) for the read the server was waiting on.
      await waitFor("the upload to be cut off", () => uploads.active === 0);
      assert(performance.now() - started >= 300, "cut off before the body timeout");
      // Its next bytes end that read: the connection can then be dropped after the 408.
      if (sendsAgain) stalled.sendRest();
      const cut = await response;
      assertEquals([cut.status, cut.headers.get("content-type")], [408, "application/json"]);
      const { error, status, ending } = await readCutOff(cut);
      assertEquals(status, 408);
      assertMatch(
        error,
        /^Cannot read the body: nothing arrived for 0\.3 s \(this server's --body-timeout\), after 8072 of its 16144 bytes in \d+\.\d s$/,
      );
      // Without: a plain 408 (the client keeps its connection until it closes it).
      assertEquals(ending, sendsAgain ? CONNECTION_DROPPED_LINE : "a clean end");
      assertEquals([uploads.active, limiter.active], [0, 0]);
      assertEquals(await filesUnder(tempDir), []);
    }
    assertEquals(log.filter((line) => line.startsWith("error:")), []);
  }, { bodyTimeoutMs: 300 });
});

Deno.test("createServeHandler() cutting off a trickled upload at the minimum rate, but taking a slow steady one", async () => {
  await withHandler(async ({ handler, tempDir }) => {
    const dorado = await Deno.readFile(DORADO_5KHZ);
    // 100 bytes every 20 ms (5 kB/s): below 10 KiB/s, cut off once the 0.6 s allowance and its bytes' share
    // have passed (about 1.2 s).
    const cut = await handler(trickledRequest("/v1/inspect", dorado, 100, 20));
    assertEquals(cut.status, 408);
    assertMatch(
      (await readCutOff(cut)).error,
      /^Cannot read the body: \d+ of its 16144 bytes arrived in \d+\.\d s, slower than this server's minimum of 10 KiB\/s after its --body-timeout of 0\.6 s$/,
    );
    // 1,000 bytes every 50 ms (20 kB/s): 0.6 s of silence never happens and the rate holds, so the
    // upload goes on past the 0.6 s and is answered.
    const started = performance.now();
    const taken = await handler(trickledRequest("/v1/inspect", dorado, 1000, 50));
    assertEquals(taken.status, 200);
    assert(performance.now() - started > 600, "the steady upload was quicker than the body timeout");
    const inspected = await runTask("inspect", [DORADO_5KHZ, "--jsonl"]);
    assertEquals(new TextDecoder().decode(await taken.bytes()), inspected.stdout);
    assertEquals(await filesUnder(tempDir), []);
  }, { bodyTimeoutMs: 600, minBodyBytesPerS: 10 * 1024 });
});
