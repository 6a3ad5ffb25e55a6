import { join } from "@std/path";
import { checkFuzzAnswer, type FuzzCase, fuzzCases } from "../../bench/_serve_fuzz.ts";
import { rawRequest } from "../../bench/_raw_http.ts";
import { FIXTURE_FILES, startServer } from "../../bench/_serve_load.ts";
import { makeTinyCheckpoint } from "../codec/_tiny_checkpoint.ts";
import { assert, assertEquals } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { runTask } from "../tasks/_run_task.ts";
import { filesUnder, FIXTURES, waitFor } from "./_handler_fixture.ts";

/** Cases sent (a fixed seed: the same cases every run). */
const FUZZ_CASES = 2400;
const FUZZ_SEED = 23;
/** Concurrent clients (within --concurrency + --queue and --max-uploads, so nothing is refused as busy). */
const CLIENTS = 4;
/** The longest one answer may take, and the whole run, ms. */
const ANSWER_TIMEOUT_MS = 30_000;
const RUN_TIMEOUT_MS = 300_000;

Deno.test("deno task serve answers thousands of malformed requests with 4xx JSON errors: never a 5xx, a hang or a stack, no file left", async () => {
  await withTempDir(async (dir) => {
    const run = join(dir, "run");
    await makeTinyCheckpoint(run);
    const tokens: Record<string, Uint8Array> = {};
    for (
      const [name, input, codes] of [["dorado", FIXTURE_FILES.dorado, "packed"], ["z1", FIXTURE_FILES.z1, "packed"], [
        "z1.plain",
        FIXTURE_FILES.z1,
        "plain",
      ]] as const
    ) {
      const out = join(dir, `${name}.tokens`);
      const result = await runTask("encode", [input, "-o", out, "--ckpt", run, "--workers", "0", "--codes", codes]);
      assertEquals(result.code, 0, result.stderr);
      tokens[`${name}.tokens`] = await Deno.readFile(out);
    }
    const pod5: Record<string, Uint8Array> = {};
    for (
      const name of [
        "dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5",
        "b1.pod5",
        "can_reads.pod5",
        "z1.pod5",
        "empty_pod5.pod5",
        "not_a_pod5.pod5",
      ]
    ) {
      pod5[name] = await Deno.readFile(join(FIXTURES, name));
    }
    const cases = fuzzCases({ pod5, tokens, slow: ["z1.pod5"] }, { seed: FUZZ_SEED, count: FUZZ_CASES });
    assert(cases.length >= FUZZ_CASES - 10, `${cases.length} cases`);

    const temp = join(dir, "temp");
    await Deno.mkdir(temp);
    const server = await startServer(
      ["--ckpt", run, "--port", "0", "--max-body-mb", "2", "--concurrency", "2", "--queue", "16", "--workers", "1"]
        .concat(["--max-uploads", "8", "--body-timeout", "5", "--temp-dir", temp]),
    );
    let code: number | undefined;
    const problems: string[] = [];
    const byKind = new Map<string, Map<number, number>>();
    try {
      const [serverTemp] = await filesUnder(temp);
      const url = new URL(server.url);
      const address = { hostname: url.hostname, port: Number(url.port) };
      const serverPaths = [temp, dir, "/tmp/"];
      const started = performance.now();
      let next = 0;
      const client = async () => {
        while (next < cases.length && performance.now() - started < RUN_TIMEOUT_MS) {
          const item: FuzzCase = cases[next++]!;
          const answer = await rawRequest(address, { head: item.head, body: item.body, method: item.method }, {
            timeoutMs: ANSWER_TIMEOUT_MS,
            // A 408 ends a body whose client may send nothing more: its connection can stay open.
            readUntil: "error-body",
            ...item.send,
          });
          const counts = byKind.get(item.kind) ?? new Map<number, number>();
          counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
          byKind.set(item.kind, counts);
          const problem = checkFuzzAnswer(item, answer, serverPaths);
          if (problem !== undefined) problems.push(`${item.name}: ${problem}`);
        }
      };
      await Promise.all(Array.from({ length: CLIENTS }, client));
      const seconds = (performance.now() - started) / 1000;
      assertEquals(next >= cases.length, true, `only ${next} of ${cases.length} cases ran within ${RUN_TIMEOUT_MS} ms`);
      const summary = [...byKind].map(([kind, counts]) =>
        `${kind} ${[...counts].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(" ")}`
      );
      console.log(`fuzz: ${cases.length} cases in ${seconds.toFixed(0)} s; ${summary.join("; ")}`);
      assertEquals(problems.slice(0, 20), [], `${problems.length} wrong answers`);
      // The server is well, idle, and every request's files are gone.
      const health = await (await fetch(`${server.url}/healthz`)).json();
      assertEquals([health.status, health.uploads, health.active, health.queued], ["ok", 0, 0, 0]);
      await waitFor("the requests' files to go", async () => (await filesUnder(temp)).length === 1);
      assertEquals(await filesUnder(temp), [serverTemp]);
    } finally {
      code = await server.stop();
    }
    assertEquals(code, 0, server.log.slice(-20).join("\n"));
    // No internal error was logged (a 5xx would have been).
    assertEquals(server.log.filter((line) => line.startsWith("error")), []);
  });
});
