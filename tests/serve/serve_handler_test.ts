import { join } from "@std/path";
import { FACT_HEADERS } from "../../lib/serve/serve_operations.ts";
import { makeTinyCheckpoint } from "../codec/_tiny_checkpoint.ts";
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { runTask } from "../tasks/_run_task.ts";
import {
  DORADO_5KHZ,
  filesUnder,
  FIXTURES,
  heldRequest,
  post,
  postRequest,
  waitFor,
  withHandler,
  within,
  Z1,
} from "./_handler_fixture.ts";

const decoder = new TextDecoder();

async function sha256File(path: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await Deno.readFile(path)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function task(name: string, args: string[]): Promise<string> {
  const result = await runTask(name, args);
  assertEquals(result.code, 0, `${name} ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

Deno.test("createServeHandler() answers encode, decode and inspect with the bytes the tasks write", async () => {
  await withHandler(async ({ handler, ckptRun, dir, tempDir, codec }) => {
    const z1Tokens = join(dir, "z1.tokens"), plainTokens = join(dir, "dorado.plain.tokens");
    const doradoTokens = join(dir, "dorado.tokens"), doradoPod5 = join(dir, "dorado.pod5");
    await task("encode", [Z1, "-o", z1Tokens, "--ckpt", ckptRun, "--workers", "0"]);
    await task("encode", [DORADO_5KHZ, "-o", plainTokens, "--ckpt", ckptRun, "--codes", "plain", "--workers", "1"]);
    await task("encode", [DORADO_5KHZ, "-o", doradoTokens, "--ckpt", ckptRun, "--workers", "0"]);
    await task("decode", [doradoTokens, "-o", doradoPod5, "--ckpt", ckptRun, "--workers", "0"]);
    const z1 = await Deno.readFile(Z1), dorado = await Deno.readFile(DORADO_5KHZ);

    const encoded = await post(handler, "/v1/encode", z1);
    assertEquals(encoded.status, 200);
    assertEquals(encoded.bytes, await Deno.readFile(z1Tokens));
    assertEquals(encoded.headers.get("content-type"), "application/vnd.apache.arrow.file");
    assertEquals(encoded.headers.get("content-length"), String(encoded.bytes.byteLength));
    assertEquals(encoded.headers.get(FACT_HEADERS.reads), "3");
    assertEquals(encoded.headers.get(FACT_HEADERS.samples), "2319616");
    assertEquals(
      encoded.headers.get(FACT_HEADERS.bitsPerSample),
      ((8 * encoded.bytes.byteLength) / 2319616).toFixed(6),
    );
    assertEquals(encoded.headers.get(FACT_HEADERS.checkpointSha256), codec.checkpoint.sha256);
    assertMatch(encoded.headers.get("server-timing") ?? "", /^body;dur=\d+, queue;dur=\d+, work;dur=\d+$/);

    const plain = await post(handler, "/v1/encode?codes=plain", dorado, { "content-type": "application/octet-stream" });
    assertEquals([plain.status, plain.bytes], [200, await Deno.readFile(plainTokens)]);

    const decoded = await post(handler, "/v1/decode", await Deno.readFile(doradoTokens));
    assertEquals([decoded.status, decoded.headers.get("content-type")], [200, "application/octet-stream"]);
    assertEquals(decoded.bytes, await Deno.readFile(doradoPod5));
    assertEquals([decoded.headers.get(FACT_HEADERS.reads), decoded.headers.get(FACT_HEADERS.samples)], ["1", "2048"]);

    for (const [query, flags] of [["", []], ["?signal_sha256=1", ["--signal-sha256"]]] as const) {
      const inspected = await post(handler, `/v1/inspect${query}`, z1, {
        "content-type": "application/x-www-form-urlencoded", // what curl --data-binary sends
      });
      assertEquals([inspected.status, inspected.headers.get("content-type")], [200, "application/x-ndjson"]);
      assertEquals(decoder.decode(inspected.bytes), await task("inspect", [Z1, "--jsonl", ...flags]));
    }
    assertEquals(await filesUnder(tempDir), []);
  });
});

Deno.test("createServeHandler() refusing bad requests with a JSON error and the right status, leaving no file", async () => {
  await withHandler(async ({ handler, tempDir, dir, codec, log }) => {
    assertEquals(codec.checkpoint.sha256, await sha256File(join(codec.checkpoint.path, "generator.safetensors")));
    const otherRun = join(dir, "other");
    const other = await makeTinyCheckpoint(otherRun, { seed: 9 });
    const foreignTokens = join(dir, "foreign.tokens");
    await task("encode", [DORADO_5KHZ, "-o", foreignTokens, "--ckpt", otherRun, "--workers", "0"]);
    const otherSha = await sha256File(join(other, "generator.safetensors"));
    const file = (name: string) => Deno.readFile(join(FIXTURES, name));
    const dorado = await Deno.readFile(DORADO_5KHZ);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(dorado);
        controller.close();
      },
    });
    const cases: [string, Request, number, RegExp][] = [
      ["not a POD5", postRequest("/v1/encode", await file("not_a_pod5.pod5")), 400, /^body: Not a valid POD5 file: /],
      ["empty POD5", postRequest("/v1/inspect", await file("empty_pod5.pod5")), 400, /^body: Not a valid POD5 file/],
      ["POD5 to decode", postRequest("/v1/decode", dorado), 400, /^body: Not a token file, or truncated or damaged/],
      [
        "another checkpoint's tokens",
        postRequest("/v1/decode", await Deno.readFile(foreignTokens)),
        409,
        new RegExp(
          `^Cannot decode: the tokens were made by checkpoint sha256 ${otherSha} \\(step 10\\), this server's ` +
            `checkpoint has sha256 ${codec.checkpoint.sha256} \\(step 10\\)$`,
        ),
      ],
      [
        "4 kHz reads",
        postRequest("/v1/encode", await file("b1.pod5")),
        422,
        /^body: Cannot encode: read \S+ has a sample rate of 4000 Hz, the model's is 5000 Hz \(\?skip_mismatched=1 skips/,
      ],
      [
        "bad codes",
        postRequest("/v1/encode?codes=zip", dorado),
        400,
        /^Cannot encode: codes is packed or plain, not "zip"$/,
      ],
      [
        "unknown parameter",
        postRequest("/v1/decode?force=1", dorado),
        400,
        /^Cannot decode: unknown query parameter "force" \(it takes none\)$/,
      ],
      ["GET encode", new Request("http://127.0.0.1/v1/encode"), 405, /^Cannot GET \/v1\/encode: use POST/],
      ["POST healthz", postRequest("/healthz", dorado), 405, /^Cannot POST \/healthz: use GET$/],
      ["unknown path", postRequest("/v1/compress", dorado), 404, /^Cannot find \/v1\/compress: the endpoints are /],
      [
        "JSON body",
        postRequest("/v1/encode", dorado, { "content-type": "application/json" }),
        415,
        /^Cannot encode: the body must be a \.pod5 file sent as application\/octet-stream or application\/x-pod5 \(or with no type\), not application\/json$/,
      ],
      [
        "no Content-Length",
        new Request("http://127.0.0.1/v1/encode", { method: "POST", body: stream, duplex: "half" } as RequestInit),
        411,
        /^Cannot encode: the request needs a Content-Length/,
      ],
      [
        "too large",
        postRequest("/v1/encode", dorado, { "content-length": String(5 * 1024 * 1024) }),
        413,
        /^Cannot encode: the body of 5\.0 MiB is larger than this server's --max-body-mb \(4\.0 MiB\)$/,
      ],
      [
        "shorter than announced",
        postRequest("/v1/encode", dorado, { "content-length": String(dorado.byteLength + 10) }),
        400,
        /^Cannot read the body: it ended after 16144 of its Content-Length 16154 bytes$/,
      ],
    ];
    for (const [what, request, status, message] of cases) {
      const response = await handler(request);
      assertEquals(response.status, status, what);
      assertEquals(response.headers.get("content-type"), "application/json", what);
      const body = await response.json();
      assertEquals(Object.keys(body), ["error", "status"], what);
      assertEquals(body.status, status, what);
      assertMatch(body.error, message, what);
      assert(!body.error.includes(tempDir), `${what}: the message names the server's temp folder`);
      assertEquals(await filesUnder(tempDir), [], what);
    }
    assertEquals((await handler(new Request("http://127.0.0.1/v1/encode"))).headers.get("allow"), "POST");
    // Bad requests are logged as requests, never as internal errors.
    assertEquals(log.filter((line) => line.startsWith("error:")), []);
  }, { maxBodyBytes: 4 * 1024 * 1024 });
});

Deno.test("createServeHandler() requiring the bearer token when one is set; /healthz stays open", async () => {
  await withHandler(async ({ handler }) => {
    const dorado = await Deno.readFile(DORADO_5KHZ);
    for (
      const [what, authorization] of [
        ["no header", undefined],
        ["wrong token", "Bearer s3cres"],
        ["a longer token", "Bearer s3cret-and-more"],
        ["wrong scheme", "Basic s3cret"],
      ] as const
    ) {
      for (const path of ["/v1/inspect", "/v1/nothing"]) {
        const response = await post(handler, path, dorado, authorization === undefined ? {} : { authorization });
        assertEquals(response.status, 401, `${what} ${path}`);
        assertEquals(response.headers.get("www-authenticate"), 'Bearer realm="simvqgan"');
        assertMatch(JSON.parse(decoder.decode(response.bytes)).error, /^Cannot authorize the request/);
      }
    }
    assertEquals((await post(handler, "/v1/inspect", dorado, { authorization: "bearer s3cret" })).status, 200);
    const health = await handler(new Request("http://127.0.0.1/healthz"));
    assertEquals(health.status, 200);
    assertEquals((await health.json()).status, "ok");
  }, { token: "s3cret" });
});

Deno.test("createServeHandler() queueing requests past --concurrency, refusing past --queue with 503 and Retry-After", async () => {
  await withHandler(async ({ handler, limiter, tempDir }) => {
    const dorado = await Deno.readFile(DORADO_5KHZ);
    // The one processing slot is busy (as with a long encode).
    const busy = await limiter.acquire();
    const waiting = new AbortController();
    const queued = handler(postRequest("/v1/inspect", dorado, {}, { signal: waiting.signal }));
    await waitFor("the second request to wait", () => limiter.queued === 1);
    // Its body is already on disk: it waits for a slot, not for its upload.
    assert((await filesUnder(tempDir)).some((name) => name.endsWith("/body.pod5")));
    const third = await post(handler, "/v1/inspect", dorado);
    assertEquals(third.status, 503);
    assertMatch(third.headers.get("retry-after") ?? "", /^[1-9]\d*$/);
    assertMatch(
      JSON.parse(decoder.decode(third.bytes)).error,
      /^Cannot take the request: 1 requests are being processed and 1 are waiting/,
    );
    // A client that gives up while waiting leaves the queue, and its file goes.
    waiting.abort();
    assertEquals((await queued).status, 499);
    assertEquals([limiter.active, limiter.queued], [1, 0]);
    await waitFor("the waiting request's files to go", async () => (await filesUnder(tempDir)).length === 0);
    const next = handler(postRequest("/v1/inspect", dorado));
    await waitFor("the next request to wait", () => limiter.queued === 1);
    busy();
    const done = await next;
    assertEquals(done.status, 200);
    assertEquals(decoder.decode(await done.bytes()), await task("inspect", [DORADO_5KHZ, "--jsonl"]));
    assertEquals([limiter.active, limiter.queued], [0, 0]);
    assertEquals(await filesUnder(tempDir), []);
  }, { concurrency: 1, queue: 1 });
});

Deno.test("createServeHandler() receiving a body without a processing slot: a stalled upload holds up no other request", async () => {
  await withHandler(async ({ handler, limiter, uploads, tempDir }) => {
    const dorado = await Deno.readFile(DORADO_5KHZ);
    const stalled = heldRequest("/v1/encode", dorado);
    const stalledResponse = handler(stalled.request);
    stalled.sendHalf();
    await waitFor("the stalled upload", () => uploads.active === 1);
    // The only processing slot is free: another encode is answered while the first upload waits.
    assertEquals(limiter.active, 0);
    const other = await within(30_000, "the other encode's answer", post(handler, "/v1/encode", dorado));
    assertEquals(other.status, 200);
    assertEquals([uploads.active, limiter.active], [1, 0]);
    // --max-uploads 2: one more upload in progress fills the upload slots; the next is refused at once.
    const second = heldRequest("/v1/inspect", dorado);
    const secondResponse = handler(second.request);
    await waitFor("the second upload", () => uploads.active === 2);
    const refused = await post(handler, "/v1/inspect", dorado);
    assertEquals(refused.status, 503);
    assertMatch(refused.headers.get("retry-after") ?? "", /^[1-9]\d*$/);
    assertEquals(
      JSON.parse(decoder.decode(refused.bytes)).error,
      "Cannot take the request: 2 uploads are in progress (the server's --max-uploads)",
    );
    second.sendHalf();
    second.sendRest();
    stalled.sendRest();
    const [first, last] = [await stalledResponse, await secondResponse];
    assertEquals([first.status, last.status], [200, 200]);
    assertEquals(await first.bytes(), other.bytes);
    await last.bytes();
    assertEquals([uploads.active, limiter.active], [0, 0]);
    assertEquals(await filesUnder(tempDir), []);
  }, { concurrency: 1, queue: 4, maxUploads: 2 });
});

Deno.test("createServeHandler() removing a request's files when its client goes away, in any phase", async () => {
  await withHandler(async ({ handler, tempDir }) => {
    const z1 = await Deno.readFile(Z1), dorado = await Deno.readFile(DORADO_5KHZ);
    const bodyFile = async () => {
      const files = await filesUnder(tempDir);
      return files.find((name) => name.endsWith("/body.pod5"));
    };
    const sizeOf = async (name: string | undefined) =>
      name === undefined ? -1 : (await Deno.stat(join(tempDir, name))).size;

    // 1. During the upload: half the body is on disk, then the connection breaks.
    const gone = new AbortController();
    const upload = heldRequest("/v1/encode", z1, gone.signal);
    const uploading = handler(upload.request);
    upload.sendHalf();
    await waitFor("half the body on disk", async () => await sizeOf(await bodyFile()) === z1.byteLength >> 1);
    gone.abort();
    upload.breakOff();
    assertEquals((await uploading).status, 499);
    await waitFor("the upload's files to go", async () => (await filesUnder(tempDir)).length === 0);

    // 2. While the model works: the whole body is on disk, then the client leaves.
    const leaving = new AbortController();
    const working = heldRequest("/v1/encode", z1, leaving.signal);
    const encoding = handler(working.request);
    working.sendHalf();
    working.sendRest();
    await waitFor("the whole body on disk", async () => await sizeOf(await bodyFile()) === z1.byteLength);
    leaving.abort();
    assertEquals((await encoding).status, 499);
    await waitFor("the encode's files to go", async () => (await filesUnder(tempDir)).length === 0);

    // 3. While the response streams: the client reads one chunk and hangs up.
    // (plain codes of z1: some 230 kB, several chunks, so most of the file is still to be read)
    const streaming = await handler(postRequest("/v1/encode?codes=plain", z1));
    assertEquals(streaming.status, 200);
    assert((await filesUnder(tempDir)).length > 0, "the output should still be on disk while it streams");
    const reader = streaming.body!.getReader();
    await reader.read();
    await reader.cancel();
    await waitFor("the streamed output's files to go", async () => (await filesUnder(tempDir)).length === 0);

    // 4. A response whose body is never read, on a connection that failed.
    let fail!: (error: Error) => void;
    const completed = new Promise<void>((_, reject) => void (fail = reject));
    const unread = await handler(postRequest("/v1/encode", dorado), { completed });
    assertEquals(unread.status, 200);
    fail(new Deno.errors.Interrupted("connection closed"));
    await waitFor("the unread response's files to go", async () => (await filesUnder(tempDir)).length === 0);
  }, { concurrency: 4 });
});
