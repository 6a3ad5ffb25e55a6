import { join } from "@std/path";
import { readLayout } from "../../lib/codec/read_layout.ts";
import { TokenFileReader } from "../../lib/codec/token_file_reader.ts";
import { TokenFileWriter } from "../../lib/codec/token_file_writer.ts";
import { HttpError } from "../../lib/serve/errors.ts";
import { checkWork, defaultMaxSamples } from "../../lib/serve/work_budget.ts";
import { assert, assertEquals, assertLess, assertThrows } from "../_assert.ts";
import { runTask } from "../tasks/_run_task.ts";
import { filesUnder, post, withHandler, Z1 } from "./_handler_fixture.ts";

const decoder = new TextDecoder();
const errorOf = (bytes: Uint8Array) => JSON.parse(decoder.decode(bytes));

Deno.test("checkWork() refusing reads, then samples, past the budget with 413 and the numbers", () => {
  const budget = { maxSamples: 1000, maxReads: 2 };
  checkWork("decode", { reads: 2, samples: 1000 }, budget);
  checkWork("inspect", { reads: 1 }, budget);
  const reads = assertThrows(() => checkWork("encode", { reads: 3, samples: 10 }, budget), HttpError);
  assertEquals([reads.status, reads.message], [
    413,
    "Cannot encode: the body holds 3 reads, more than this server's --max-reads (2)",
  ]);
  const samples = assertThrows(() => checkWork("decode", { reads: 1, samples: 1001 }, budget), HttpError);
  assertEquals(
    samples.message,
    "Cannot decode: the body's 1 read holds 1001 samples, more than this server's --max-samples (1000)",
  );
  assertEquals(defaultMaxSamples(3), 4);
});

Deno.test("createServeHandler() refusing POD5 bodies over --max-reads or --max-samples with 413, before any model work", async () => {
  await withHandler(async ({ handler, pool, tempDir }) => {
    const z1 = await Deno.readFile(Z1);
    const cases: [string, number, string][] = [
      [
        "/v1/encode",
        413,
        "Cannot encode: the body's 3 reads hold 2319616 samples, more than this server's --max-samples (1000000)",
      ],
      [
        "/v1/inspect?signal_sha256=1",
        413,
        "Cannot inspect: the body's 3 reads hold 2319616 samples, more than this server's --max-samples (1000000)",
      ],
    ];
    for (const [path, status, message] of cases) {
      const response = await post(handler, path, z1);
      assertEquals([response.status, errorOf(response.bytes).error], [status, message], path);
    }
    // Without the hashes, inspect reads no signal: the samples do not count.
    const inspected = await post(handler, "/v1/inspect", z1);
    assertEquals(inspected.status, 200);
    assertEquals(pool.jobsStarted, 0);
    assertEquals(await filesUnder(tempDir), []);
  }, { budget: { maxSamples: 1_000_000, maxReads: 10 } });
  await withHandler(async ({ handler, pool }) => {
    for (const path of ["/v1/encode", "/v1/inspect"]) {
      const response = await post(handler, path, await Deno.readFile(Z1));
      assertEquals(response.status, 413, path);
      assertEquals(
        errorOf(response.bytes).error,
        `Cannot ${path.slice(4)}: the body holds 3 reads, more than this server's --max-reads (2)`,
      );
    }
    assertEquals(pool.jobsStarted, 0);
  }, { budget: { maxSamples: 10_000_000, maxReads: 2 } });
});

Deno.test("createServeHandler() refusing a few-KB token file that claims more than --max-samples: 413 before any model work", async () => {
  await withHandler(async ({ handler, pool, dir, ckptRun }) => {
    // A real token file of z1 (2.3 M samples, within the budget), its decode timed as the scale.
    const z1Tokens = join(dir, "z1.tokens");
    const encoded = await runTask("encode", [Z1, "-o", z1Tokens, "--ckpt", ckptRun, "--workers", "0"]);
    assertEquals(encoded.code, 0, encoded.stderr);
    const decodeStarted = performance.now();
    const decoded = await post(handler, "/v1/decode", await Deno.readFile(z1Tokens));
    const decodeMs = performance.now() - decodeStarted;
    assertEquals(decoded.status, 200);
    const jobsOfZ1 = pool.jobsStarted;

    // The bomb: dorado's read, claiming 50 M samples of one constant code (a long flat read).
    const bomb = join(dir, "bomb.tokens");
    {
      await using source = await TokenFileReader.open(z1Tokens);
      const [read] = await Array.fromAsync(source.reads());
      const numSamples = 50_000_000;
      const layout = readLayout(numSamples, source.header);
      await using writer = await TokenFileWriter.create(bomb, source.header);
      await writer.addRead({ ...read!, numSamples, codes: new Uint16Array(layout.numCodes) });
      await writer.close();
    }
    const bytes = await Deno.readFile(bomb);
    assertLess(bytes.byteLength, 16 * 1024, `the bomb is ${bytes.byteLength} bytes`);
    const started = performance.now();
    const refused = await post(handler, "/v1/decode", bytes);
    const refusedMs = performance.now() - started;
    assertEquals(refused.status, 413);
    assertEquals(
      errorOf(refused.bytes).error,
      "Cannot decode: the body's 1 read holds 50000000 samples, more than this server's --max-samples (5000000)",
    );
    // No model job ran, and the refusal came sooner than a real decode of 20 times fewer samples.
    assertEquals(pool.jobsStarted, jobsOfZ1);
    assert(refusedMs < decodeMs, `413 after ${refusedMs.toFixed(0)} ms, z1's decode took ${decodeMs.toFixed(0)} ms`);
    console.log(
      `bomb of ${bytes.byteLength} bytes: 413 after ${refusedMs.toFixed(0)} ms; ` +
        `decoding z1 (2.3 M samples) took ${decodeMs.toFixed(0)} ms`,
    );
  }, { budget: { maxSamples: 5_000_000, maxReads: 10 } });
});
