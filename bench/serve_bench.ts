/**
 * `deno task bench serve [--ckpt DIR] [--requests N]`: `deno task serve`
 * under load over loopback, beside `deno task encode` on the same file in
 * the same run. `deno task bench serve --soak SECONDS` runs the soak
 * instead (`_serve_soak.ts`): one result, `serve_soak`, and the bench fails
 * when a good request failed, a bad or slow one got a wrong answer, a file
 * was left in the server's temp folder or the server logged an error.
 *
 * Results (names are a contract):
 * - `task_encode_z1`: `deno task encode z1.pod5` (default workers): `wall_ms`
 *   of the whole process (start-up and checkpoint load included) and
 *   `encode_ms`, its own summary's time;
 * - `serve_mixed_40`: the load test's 40 mixed requests (30 good: encode,
 *   decode, inspect, healthz; 10 bad) from 8 clients, every response
 *   checked (`correct` counts them; the bench fails on a wrong one):
 *   `seconds`, `requests_per_s`, `rss_before_bytes`, `rss_after_bytes`, and
 *   `encode_z1_p50_ms` / `encode_z1_p95_ms` over its z1 encodes;
 * - `serve_encode_z1_1_client`: z1 encodes one after another: `p50_ms`,
 *   `p95_ms`, `requests_per_s`, `ratio_p50_to_task_wall`, `ratio_p50_to_task_encode`;
 * - `serve_encode_z1_8_clients`: `--requests` z1 encodes (default 16) from
 *   8 clients: `p50_ms`, `p95_ms`, `requests_per_s`, `samples_per_s`,
 *   `rss_after_bytes`.
 *
 * The server runs with its defaults (concurrency: cores; model workers:
 * cores, at most 4), `--max-body-mb 2` and a queue of 64.
 *
 * @module
 */
import { join } from "@std/path";
import { GENERATOR_FILE, resolveCheckpointDir } from "../lib/checkpoint/mod.ts";
import { sha256Hex } from "../lib/runtime/sha256_hex.ts";
import { benchEnvironment } from "./_common.ts";
import { runSoak } from "./_serve_soak.ts";
import {
  expectedOutputs,
  FIXTURE_FILES,
  type LoadCase,
  type LoadResult,
  mixedCases,
  percentile,
  runLoad,
  serverHealth,
  serverRssBytes,
  startServer,
} from "./_serve_load.ts";

/** Samples in z1.pod5. */
const Z1_SAMPLES = 2_319_616;
const TOKEN = "bench-token";
const REQUEST_TIMEOUT_MS = 600_000;

/** A copy of `checkpointDir` whose generator differs in one bit (another sha256, same geometry). */
async function foreignCheckpoint(checkpointDir: string, scratch: string): Promise<string> {
  const dir = join(scratch, "foreign", "checkpoint_1");
  await Deno.mkdir(dir, { recursive: true });
  for await (const entry of Deno.readDir(checkpointDir)) {
    if (entry.isFile) await Deno.copyFile(join(checkpointDir, entry.name), join(dir, entry.name));
  }
  const generator = await Deno.readFile(join(dir, GENERATOR_FILE));
  const last = generator.length - 1;
  generator[last] = generator[last]! ^ 1; // the lowest mantissa bit of the last weight
  await Deno.writeFile(join(dir, GENERATOR_FILE), generator);
  return dir;
}

function latency(results: readonly LoadResult[], name: string) {
  const ms = results.filter((r) => r.name === name).map((r) => r.ms);
  return { n: ms.length, p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

function checkAll(results: readonly LoadResult[], what: string): void {
  const wrong = results.filter((r) => r.problem !== undefined);
  if (wrong.length > 0) throw new Error(`${what}: ${wrong.map((r) => `${r.name}: ${r.problem}`).join("; ")}`);
}

async function timed(
  base: string,
  cases: readonly LoadCase[],
  clients: number,
): Promise<{ results: LoadResult[]; seconds: number }> {
  const started = performance.now();
  const results = await runLoad(base, cases, { clients, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  return { results, seconds: (performance.now() - started) / 1000 };
}

/**
 * Run the bench.
 *
 * @param options Progress output and flags (`--ckpt`, `--requests`).
 * @returns The JSON document.
 */
export async function runBench(
  options: { onProgress: (line: string) => void; flags: ReadonlyMap<string, string> },
): Promise<Record<string, unknown>> {
  const checkpointDir = await resolveCheckpointDir(options.flags.get("ckpt") ?? "checkpoints/quickstart");
  const soak = options.flags.get("soak");
  if (soak !== undefined) return await soakBench(checkpointDir, Number(soak), options.onProgress);
  const requests = Number(options.flags.get("requests") ?? "16");
  if (!Number.isInteger(requests) || requests < 1) {
    throw new RangeError(`Cannot run bench serve: --requests ${requests}`);
  }
  const environment = await benchEnvironment();
  const scratch = `bench/results/.serve-${Deno.pid}`;
  await Deno.mkdir(scratch, { recursive: true });
  try {
    const foreign = await foreignCheckpoint(checkpointDir, scratch);
    options.onProgress(`the tasks' outputs for ${checkpointDir} (and the task's own encode of z1)`);
    const expected = await expectedOutputs(checkpointDir, foreign, scratch);
    const sha256 = sha256Hex(await Deno.readFile(join(checkpointDir, GENERATOR_FILE)));
    const step = Number(JSON.parse(await Deno.readTextFile(join(checkpointDir, "state.json"))).step);
    const mixed = await mixedCases(expected, { token: TOKEN, sha256, step });
    const server = await startServer(
      ["--ckpt", checkpointDir, "--port", "0", "--max-body-mb", "2", "--queue", "64"],
      { SIMVQGAN_TOKEN: TOKEN },
    );
    try {
      options.onProgress(server.log.at(-1) ?? "");
      const health = await serverHealth(server.url);
      const rssBefore = health.rss_bytes;
      options.onProgress("40 mixed requests from 8 clients");
      const load = await timed(server.url, mixed, 8);
      checkAll(load.results, "mixed load");
      const rssMixed = await serverRssBytes(server.url);
      const z1 = await Deno.readFile(FIXTURE_FILES.z1);
      const encode: LoadCase = {
        name: "encode_z1",
        path: "/v1/encode",
        headers: { authorization: `Bearer ${TOKEN}` },
        body: z1,
        status: 200,
        bytes: expected.z1Tokens,
      };
      options.onProgress("z1 encodes from 1 client");
      const single = await timed(server.url, Array.from({ length: 3 }, () => encode), 1);
      checkAll(single.results, "1 client");
      options.onProgress(`${requests} z1 encodes from 8 clients`);
      const many = await timed(server.url, Array.from({ length: requests }, () => encode), 8);
      checkAll(many.results, "8 clients");
      const rssAfter = await serverRssBytes(server.url);
      const mixedEncode = latency(load.results, "encode_z1");
      const one = latency(single.results, "encode_z1"), eight = latency(many.results, "encode_z1");
      return {
        bench: "serve",
        version: environment.version,
        backend: health.backend,
        environment,
        checkpoint: { path: checkpointDir, step, sha256 },
        results: [
          { name: "task_encode_z1", wall_ms: expected.encodeZ1TaskWallMs, encode_ms: expected.encodeZ1TaskEncodeMs },
          {
            name: "serve_mixed_40",
            requests: load.results.length,
            clients: 8,
            correct: load.results.filter((r) => r.problem === undefined).length,
            seconds: load.seconds,
            requests_per_s: load.results.length / load.seconds,
            encode_z1_requests: mixedEncode.n,
            encode_z1_p50_ms: mixedEncode.p50,
            encode_z1_p95_ms: mixedEncode.p95,
            rss_before_bytes: rssBefore,
            rss_after_bytes: rssMixed,
          },
          {
            name: "serve_encode_z1_1_client",
            requests: one.n,
            p50_ms: one.p50,
            p95_ms: one.p95,
            requests_per_s: one.n / single.seconds,
            ratio_p50_to_task_wall: one.p50 / expected.encodeZ1TaskWallMs,
            ratio_p50_to_task_encode: one.p50 / expected.encodeZ1TaskEncodeMs,
          },
          {
            name: "serve_encode_z1_8_clients",
            requests: eight.n,
            p50_ms: eight.p50,
            p95_ms: eight.p95,
            requests_per_s: eight.n / many.seconds,
            samples_per_s: (eight.n * Z1_SAMPLES) / many.seconds,
            rss_after_bytes: rssAfter,
          },
        ],
      };
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
}

async function soakBench(
  checkpointDir: string,
  seconds: number,
  onProgress: (line: string) => void,
): Promise<Record<string, unknown>> {
  if (!(seconds > 0)) throw new RangeError(`Cannot run bench serve: --soak needs a positive number of seconds`);
  const environment = await benchEnvironment();
  const scratch = `bench/results/.serve-soak-${Deno.pid}`;
  await Deno.mkdir(scratch, { recursive: true });
  try {
    const foreign = await foreignCheckpoint(checkpointDir, scratch);
    const result = await runSoak({ checkpointDir, foreignCheckpointDir: foreign, scratch, seconds, onProgress });
    const sha256 = sha256Hex(await Deno.readFile(join(checkpointDir, GENERATOR_FILE)));
    const step = Number(JSON.parse(await Deno.readTextFile(join(checkpointDir, "state.json"))).step);
    const document = {
      bench: "serve",
      version: environment.version,
      backend: result.backend,
      environment,
      checkpoint: { path: checkpointDir, step, sha256 },
      results: [result],
    };
    const wrong = result.good_failures + result.bad_wrong_answers + result.slow_wrong_answers;
    if (wrong > 0 || result.temp_files_end > 0 || result.server_errors > 0) {
      onProgress(JSON.stringify(document, null, 2));
      throw new Error(
        `the soak failed: ${wrong} wrong answers, ${result.temp_files_end} files left, ` +
          `${result.server_errors} server errors: ${result.problems.join("; ")}`,
      );
    }
    return document;
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
}
