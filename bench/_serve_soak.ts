/**
 * The soak of `deno task serve` (`deno task bench serve --soak SECONDS`):
 * for the given time, good clients send the load test's good requests
 * (every answer checked byte for byte against the tasks' outputs), a bad
 * client its bad requests and fuzz cases (every answer a 4xx JSON error),
 * and slow clients trickle uploads, stall them, hang up in the middle of an
 * upload or of a download. Then, with the server idle, it counts what the
 * server still holds: its RSS, its open file descriptors, the files in its
 * temp folder. Loopback only; the server runs as the task runs it.
 *
 * @module
 */
import { join } from "@std/path";
import { GENERATOR_FILE } from "../lib/checkpoint/checkpoint.ts";
import { sha256Hex } from "../lib/runtime/sha256_hex.ts";
import { rawRequest, type RawRequestOptions, type RawResponse } from "./_raw_http.ts";
import { checkFuzzAnswer, fuzzCases } from "./_serve_fuzz.ts";
import {
  expectedOutputs,
  FIXTURE_FILES,
  type LoadCase,
  MIXED_GOOD,
  mixedCases,
  percentile,
  sendCase,
  startServer,
} from "./_serve_load.ts";

/** Options of {@linkcode runSoak}. */
export interface SoakOptions {
  /** The server's checkpoint folder. */
  readonly checkpointDir: string;
  /** Another checkpoint of the same geometry (its tokens must be refused). */
  readonly foreignCheckpointDir: string;
  /** A scratch folder (the tasks' outputs and the server's temp folder go there). */
  readonly scratch: string;
  /** How long the clients send, seconds. */
  readonly seconds: number;
  /** The server's `--body-timeout`, seconds (default: the server's default). */
  readonly bodyTimeoutS?: number;
  /** Progress lines. */
  readonly onProgress?: (line: string) => void;
}

/** Clients of each kind. */
export const SOAK_CLIENTS = { good: 3, bad: 1, slow: 2 } as const;

/** What the soak measured (the bench's `serve_soak` result). */
export interface SoakResult {
  readonly name: "serve_soak";
  /** The server's backend (from `/healthz`). */
  readonly backend: string;
  readonly seconds: number;
  readonly clients: typeof SOAK_CLIENTS;
  readonly requests: number;
  /** Answers by status (0: none, e.g. a client that hung up first). */
  readonly by_status: Readonly<Record<string, number>>;
  readonly good_requests: number;
  readonly good_failures: number;
  readonly good_p50_ms: number;
  readonly good_p95_ms: number;
  /** Per good request kind: count, p50 and p95 ms. */
  readonly good_by_name: Readonly<Record<string, { n: number; p50_ms: number; p95_ms: number }>>;
  readonly bad_requests: number;
  readonly bad_wrong_answers: number;
  readonly slow_requests: number;
  readonly slow_cut_off_408: number;
  readonly slow_wrong_answers: number;
  /** The first few wrong answers, for the log. */
  readonly problems: readonly string[];
  readonly rss_start_bytes: number;
  readonly rss_end_bytes: number;
  /** RSS every ~15 s of the run. */
  readonly rss_samples_bytes: readonly number[];
  /** Open file descriptors of the server process (null where /proc is missing), after the first request. */
  readonly open_fds_start: number | null;
  /** The same, once the server is idle and the clients' connections are closed. */
  readonly open_fds_end: number | null;
  /** Of those at the end: sockets, regular files, and files in the server's temp folder. */
  readonly open_sockets_end: number | null;
  readonly open_files_end: number | null;
  readonly open_temp_files_end: number | null;
  /** Files left in the server's temp folder (its own folder not counted). */
  readonly temp_files_end: number;
  /** Lines the server logged as errors. */
  readonly server_errors: number;
}

const MIB = 1024 * 1024;
const REQUEST_TIMEOUT_MS = 300_000;
const RSS_EVERY_MS = 15_000;

/** A process's open file descriptors by kind. */
interface OpenFds {
  /** All of them. */
  readonly total: number;
  /** Sockets (listening, and connections still open). */
  readonly sockets: number;
  /** Regular files. */
  readonly files: number;
  /** Files under the server's temp folder. */
  readonly tempFiles: number;
}

/**
 * The open file descriptors of process `pid` (Linux: /proc/PID/fd), or null
 * where there is no /proc. Deno reads under /proc/PID only with every
 * permission, so a `deno eval` child (which has them) lists them.
 */
async function openFds(pid: number, tempDir: string): Promise<OpenFds | null> {
  const code = `let links; try { links = [...Deno.readDirSync("/proc/${pid}/fd")].map((e) => { ` +
    `try { return Deno.readLinkSync("/proc/${pid}/fd/" + e.name) } catch { return "gone" } }) } ` +
    `catch (e) { if (e instanceof Deno.errors.NotFound) links = null; else throw e } console.log(JSON.stringify(links))`;
  const output = await new Deno.Command("deno", { args: ["eval", code], stdin: "null" }).output();
  if (output.code !== 0) {
    throw new Error(`Cannot list open files of ${pid}: ${new TextDecoder().decode(output.stderr)}`);
  }
  const links: string[] | null = JSON.parse(new TextDecoder().decode(output.stdout));
  if (links === null) return null;
  const absoluteTemp = await Deno.realPath(tempDir);
  return {
    total: links.length,
    sockets: links.filter((l) => l.startsWith("socket:")).length,
    files: links.filter((l) => l.startsWith("/")).length,
    tempFiles: links.filter((l) => l.startsWith(absoluteTemp)).length,
  };
}

async function filesUnder(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    names.push(entry.name);
    if (entry.isDirectory) {
      for (const inner of await filesUnder(join(dir, entry.name))) names.push(`${entry.name}/${inner}`);
    }
  }
  return names;
}

interface SlowCase {
  readonly name: string;
  readonly run: () => Promise<RawResponse>;
  /** What is right: a problem, or undefined. */
  readonly check: (answer: RawResponse) => string | undefined;
}

/**
 * Run the soak.
 *
 * @param options Checkpoints, scratch folder, duration.
 * @returns The measures.
 * @throws {Error} When the server does not start.
 */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const progress = options.onProgress ?? (() => {});
  const token = "soak-token";
  progress(`the tasks' outputs for ${options.checkpointDir}`);
  const expected = await expectedOutputs(options.checkpointDir, options.foreignCheckpointDir, options.scratch);
  const sha256 = sha256Hex(await Deno.readFile(join(options.checkpointDir, GENERATOR_FILE)));
  const step = Number(JSON.parse(await Deno.readTextFile(join(options.checkpointDir, "state.json"))).step);
  const mixed = await mixedCases(expected, { token, sha256, step });
  const good = mixed.filter((c) => c.status === 200), bad = mixed.filter((c) => c.status !== 200);
  if (good.length !== MIXED_GOOD) throw new Error("the mixed scenario lost a good case");
  const pod5: Record<string, Uint8Array> = {
    "dorado.pod5": await Deno.readFile(FIXTURE_FILES.dorado),
    "can_reads.pod5": await Deno.readFile(FIXTURE_FILES.canReads),
    "z1.pod5": await Deno.readFile(FIXTURE_FILES.z1),
    "not_a_pod5.pod5": await Deno.readFile(FIXTURE_FILES.notPod5),
  };
  // Only dorado's tokens: a flipped bit that leaves z1's valid would cost a whole decode of z1.
  const fuzz = fuzzCases({ pod5, tokens: { "dorado.tokens": expected.doradoTokens }, slow: ["z1.pod5"] }, {
    seed: 16,
    count: 2000,
  });
  const temp = join(options.scratch, "temp");
  await Deno.mkdir(temp, { recursive: true });
  const server = await startServer(
    ["--ckpt", options.checkpointDir, "--port", "0", "--max-body-mb", "2", "--queue", "64", "--temp-dir", temp]
      .concat(options.bodyTimeoutS === undefined ? [] : ["--body-timeout", String(options.bodyTimeoutS)]),
    { SIMVQGAN_TOKEN: token },
  );
  try {
    progress(server.log.at(-1) ?? "");
    const url = new URL(server.url);
    const address = { hostname: url.hostname, port: Number(url.port) };
    // Connections are not kept for reuse, so that those still open at the end are ones the server kept.
    const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    const health = async () =>
      (await fetch(`${server.url}/healthz`, { client, signal: AbortSignal.timeout(30_000) })).json();
    const first = await health();
    const pid = Number(first.pid);
    const bodyTimeoutMs = 1000 * Number(first.body_timeout_s);
    const rssStart = Number(first.rss_bytes), fdsStart = await openFds(pid, temp);
    const [serverTemp] = await filesUnder(temp);

    const byStatus = new Map<number, number>();
    const count = (status: number) => byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    const goodMs = new Map<string, number[]>();
    const problems: string[] = [];
    let goodFailures = 0, badWrong = 0, slowWrong = 0, slowCut = 0, badRequests = 0, slowRequests = 0;
    const deadline = performance.now() + options.seconds * 1000;
    const rssSamples: number[] = [];
    const sampler = setInterval(() => {
      health().then((h) => rssSamples.push(Number(h.rss_bytes)), () => {});
    }, RSS_EVERY_MS);

    const auth = `Authorization: Bearer ${token}\r\n`;
    const upload = (path: string, length: number) =>
      `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\n${auth}Content-Length: ${length}\r\nConnection: close\r\n\r\n`;
    const z1 = pod5["z1.pod5"]!;
    const send = (head: string, body: Uint8Array, how: Partial<RawRequestOptions>) =>
      rawRequest(address, { head, body }, { timeoutMs: REQUEST_TIMEOUT_MS, ...how });
    const cutOff = (answer: RawResponse) =>
      answer.status === 408 && answer.headMs <= bodyTimeoutMs + 10_000
        ? undefined
        : `status ${answer.status} after ${answer.headMs.toFixed(0)} ms, not 408 within the body timeout`;
    const slowCases: SlowCase[] = [
      {
        name: "trickle",
        run: () => send(upload("/v1/encode", MIB), new Uint8Array(MIB), { trickle: { bytes: 1, everyMs: 1000 } }),
        check: (answer) => cutOff(answer) ?? (answer.closed ? undefined : "the trickler's connection stayed open"),
      },
      {
        name: "stall",
        run: () => send(upload("/v1/decode", MIB), new Uint8Array(MIB), { stopAfterBytes: 4096, readUntil: "body" }),
        check: cutOff,
      },
      {
        name: "hang_up_in_upload",
        run: () => send(upload("/v1/encode", z1.length), z1, { stopAfterBytes: z1.length >> 1, hangUpAfterMs: 200 }),
        check: (answer) => answer.status === 0 ? undefined : `status ${answer.status} for a client that left`,
      },
      {
        name: "hang_up_in_download",
        run: () => send(upload("/v1/encode?codes=plain", z1.length), z1, { readUntil: "body" }),
        check: (answer) => answer.status === 200 ? undefined : `status ${answer.status}, not 200`,
      },
    ];

    const goodClient = async (offset: number) => {
      for (let i = offset; performance.now() < deadline; i++) {
        const item: LoadCase = good[i % good.length]!;
        const result = await sendCase(server.url, item, REQUEST_TIMEOUT_MS, client);
        count(result.status);
        const list = goodMs.get(item.name) ?? [];
        list.push(result.ms);
        goodMs.set(item.name, list);
        if (result.problem !== undefined) {
          goodFailures++;
          problems.push(`${item.name}: ${result.problem}`);
        }
      }
    };
    const badClient = async () => {
      for (let i = 0; performance.now() < deadline; i++) {
        badRequests++;
        if (i % 4 === 0) {
          const item = bad[(i / 4) % bad.length]!;
          const result = await sendCase(server.url, item, REQUEST_TIMEOUT_MS, client);
          count(result.status);
          if (result.problem !== undefined) {
            badWrong++;
            problems.push(`${item.name}: ${result.problem}`);
          }
          continue;
        }
        const item = fuzz[i % fuzz.length]!;
        const head = item.head.replace("\r\n", `\r\n${auth}`);
        const answer = await rawRequest(address, { head, body: item.body, method: item.method }, {
          timeoutMs: REQUEST_TIMEOUT_MS,
          readUntil: "error-body",
          ...item.send,
        });
        count(answer.status);
        const problem = checkFuzzAnswer(item, answer, [temp, options.scratch]);
        if (problem !== undefined) {
          badWrong++;
          problems.push(`${item.name}: ${problem}`);
        }
      }
    };
    const slowClient = async (offset: number) => {
      for (let i = offset; performance.now() < deadline; i++) {
        const item = slowCases[i % slowCases.length]!;
        slowRequests++;
        const answer = await item.run();
        count(answer.status);
        if (answer.status === 408) slowCut++;
        const problem = item.check(answer);
        if (problem !== undefined) {
          slowWrong++;
          problems.push(`${item.name}: ${problem}`);
        }
      }
    };
    progress(
      `${options.seconds} s of ${SOAK_CLIENTS.good} good, ${SOAK_CLIENTS.bad} bad and ${SOAK_CLIENTS.slow} slow clients`,
    );
    await Promise.all([
      ...Array.from({ length: SOAK_CLIENTS.good }, (_, k) => goodClient(k * 10)),
      ...Array.from({ length: SOAK_CLIENTS.bad }, () => badClient()),
      ...Array.from({ length: SOAK_CLIENTS.slow }, (_, k) => slowClient(k)),
    ]);
    clearInterval(sampler);
    const seconds = (performance.now() + options.seconds * 1000 - deadline) / 1000;

    // Idle: nothing in progress, the last requests' files gone.
    const idleBy = performance.now() + 60_000;
    let idle = await health();
    while ((idle.uploads > 0 || idle.active > 0 || idle.queued > 0) && performance.now() < idleBy) {
      await new Promise((r) => setTimeout(r, 500));
      idle = await health();
    }
    const end = await health();
    client.close();
    await new Promise((r) => setTimeout(r, 2000));
    const fdsEnd = await openFds(pid, temp);
    const leftover = (await filesUnder(temp)).filter((name) => name !== serverTemp);
    const all = [...goodMs.values()].flat();
    const goodByName: Record<string, { n: number; p50_ms: number; p95_ms: number }> = {};
    for (const [name, ms] of [...goodMs].sort((a, b) => a[0].localeCompare(b[0]))) {
      goodByName[name] = { n: ms.length, p50_ms: percentile(ms, 50), p95_ms: percentile(ms, 95) };
    }
    return {
      name: "serve_soak",
      backend: String(first.backend),
      seconds,
      clients: SOAK_CLIENTS,
      requests: [...byStatus.values()].reduce((a, b) => a + b, 0),
      by_status: Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0]).map(([s, n]) => [String(s), n])),
      good_requests: all.length,
      good_failures: goodFailures,
      good_p50_ms: percentile(all, 50),
      good_p95_ms: percentile(all, 95),
      good_by_name: goodByName,
      bad_requests: badRequests,
      bad_wrong_answers: badWrong,
      slow_requests: slowRequests,
      slow_cut_off_408: slowCut,
      slow_wrong_answers: slowWrong,
      problems: problems.slice(0, 20),
      rss_start_bytes: rssStart,
      rss_end_bytes: Number(end.rss_bytes),
      rss_samples_bytes: rssSamples,
      open_fds_start: fdsStart?.total ?? null,
      open_fds_end: fdsEnd?.total ?? null,
      open_sockets_end: fdsEnd?.sockets ?? null,
      open_files_end: fdsEnd?.files ?? null,
      open_temp_files_end: fdsEnd?.tempFiles ?? null,
      temp_files_end: leftover.length,
      server_errors: server.log.filter((line) => line.startsWith("error")).length,
    };
  } finally {
    await server.stop();
  }
}
