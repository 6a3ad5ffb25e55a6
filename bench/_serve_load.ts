/**
 * The load scenario of `deno task serve`, shared by its test
 * (`tests/serve/serve_load_test.ts`, correctness) and its benchmark
 * (`bench/serve_bench.ts`, speed): start the server as the task does, send
 * a fixed list of requests from N concurrent clients over loopback, and
 * check every response (status, and bytes or JSON) against what is
 * expected. Bounded: a fixed request count, a deadline per request and one
 * for the whole run, and the server stopped at the end whatever happened.
 *
 * @module
 */
import { fromFileUrl } from "@std/path";

/** The repository root. */
export const ROOT: string = fromFileUrl(new URL("../", import.meta.url));

/** One request of the scenario and what its response must be. */
export interface LoadCase {
  /** A stable name, e.g. `encode_z1` (results are grouped by it). */
  readonly name: string;
  /** Method, default POST. */
  readonly method?: string;
  /** Path and query. */
  readonly path: string;
  /** Request headers (the token goes here). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The body; with `chunked`, sent as a stream without Content-Length. */
  readonly body?: Uint8Array;
  /** Send the body chunked (no Content-Length). */
  readonly chunked?: boolean;
  /** The status expected. */
  readonly status: number;
  /** The exact body expected (for 200s). */
  readonly bytes?: Uint8Array;
  /** A check of a JSON body; returns a problem, or undefined when fine. */
  readonly json?: (body: unknown) => string | undefined;
}

/** What happened to one request. */
export interface LoadResult {
  /** The case's name. */
  readonly name: string;
  /** The status received (0: no response). */
  readonly status: number;
  /** Milliseconds from sending to the last byte of the response. */
  readonly ms: number;
  /** Why the response was wrong, or undefined when it was right. */
  readonly problem: string | undefined;
}

/** A running server. */
export interface ServerProcess {
  /** Its base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The lines it has printed on stderr so far. */
  readonly log: readonly string[];
  /**
   * Send `signal` (default SIGTERM) and wait (bounded; then SIGKILL and throw).
   *
   * @returns The exit code.
   */
  stop(signal?: Deno.Signal): Promise<number>;
}

/** How long the server may take to load its checkpoint and listen, ms. */
const START_TIMEOUT_MS = 120_000;
/** How long it may take to stop after SIGTERM (it finishes requests in flight first), ms. */
const STOP_TIMEOUT_MS = 60_000;

/**
 * Start `deno task serve ARGS` as the task does (same permissions, read
 * from deno.json), and wait for its "listening on" line.
 *
 * @param args Serve flags (give `--port 0`).
 * @param env Extra environment (e.g. `SIMVQGAN_TOKEN`).
 * @returns The server.
 */
export async function startServer(args: readonly string[], env: Record<string, string> = {}): Promise<ServerProcess> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const command: unknown = config.tasks?.serve;
  if (typeof command !== "string" || !command.startsWith("deno ")) throw new Error("deno.json has no serve task");
  const child = new Deno.Command("deno", {
    args: [...command.slice("deno ".length).split(" "), ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const log: string[] = [];
  const { promise: url, resolve: listening } = Promise.withResolvers<string>();
  const drained = (async () => {
    let pending = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        log.push(line);
        const match = /listening on (http:\/\/\S+?)\/? \(/.exec(line);
        if (match !== null) listening(match[1]!);
      }
    }
    if (pending !== "") log.push(pending);
  })();
  const kill = (signal: Deno.Signal) => {
    try {
      child.kill(signal);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // already exited
    }
  };
  const stop = async (signal: Deno.Signal = "SIGTERM") => {
    kill(signal);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => timer = setTimeout(() => resolve("late"), STOP_TIMEOUT_MS));
    const status = await Promise.race([child.status, late]);
    clearTimeout(timer);
    if (status === "late") {
      kill("SIGKILL");
      await child.status;
      throw new Error(`the server did not stop within ${STOP_TIMEOUT_MS} ms of ${signal}:\n${log.join("\n")}`);
    }
    await drained;
    return status.code;
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the server did not listen within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    child.status.then((status) => reject(new Error(`the server exited with ${status.code}:\n${log.join("\n")}`)));
  });
  try {
    return { url: await Promise.race([url, failed]), log, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
    failed.catch(() => {});
  }
}

/** Options of {@linkcode runLoad}. */
export interface RunLoadOptions {
  /** Concurrent clients. */
  readonly clients: number;
  /** Longest a request may take, ms (then it counts as failed). */
  readonly requestTimeoutMs: number;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Send one case and check its response.
 *
 * @param base The server's URL.
 * @param item The case.
 * @param timeoutMs The longest it may take.
 * @param client The HTTP client (default: fetch's own, which keeps connections open for reuse).
 * @returns What happened.
 */
export async function sendCase(
  base: string,
  item: LoadCase,
  timeoutMs: number,
  client?: Deno.HttpClient,
): Promise<LoadResult> {
  const started = performance.now();
  const headers = new Headers(item.headers);
  let body: BodyInit | undefined;
  if (item.body !== undefined && item.chunked === true) {
    const bytes = item.body;
    body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
  } else if (item.body !== undefined) {
    body = item.body as Uint8Array<ArrayBuffer>;
  }
  try {
    const response = await fetch(`${base}${item.path}`, {
      method: item.method ?? "POST",
      headers,
      ...(body === undefined ? {} : { body }),
      ...(item.chunked === true ? { duplex: "half" } : {}),
      ...(client === undefined ? {} : { client }),
      signal: AbortSignal.timeout(timeoutMs),
    } as RequestInit);
    const bytes = await response.bytes();
    const ms = performance.now() - started;
    const result = (problem: string | undefined): LoadResult => ({
      name: item.name,
      status: response.status,
      ms,
      problem,
    });
    if (response.status !== item.status) {
      return result(`status ${response.status}, not ${item.status}: ${new TextDecoder().decode(bytes.slice(0, 300))}`);
    }
    if (item.bytes !== undefined && !equalBytes(bytes, item.bytes)) {
      return result(`body of ${bytes.byteLength} bytes differs from the expected ${item.bytes.byteLength}`);
    }
    if (item.json !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        return result("body is not JSON");
      }
      return result(item.json(parsed));
    }
    return result(undefined);
  } catch (error) {
    return {
      name: item.name,
      status: 0,
      ms: performance.now() - started,
      problem: `no response: ${error instanceof Error ? error.message : error}`,
    };
  }
}

/**
 * Send every case once, from `clients` concurrent clients taking the next
 * case in order.
 *
 * @param base The server's URL.
 * @param cases The requests, in the order they are taken.
 * @param options Clients and the per-request deadline.
 * @returns One result per case, in case order.
 */
export async function runLoad(
  base: string,
  cases: readonly LoadCase[],
  options: RunLoadOptions,
): Promise<LoadResult[]> {
  const results: LoadResult[] = new Array(cases.length);
  let next = 0;
  const client = async () => {
    while (next < cases.length) {
      const index = next++;
      results[index] = await sendCase(base, cases[index]!, options.requestTimeoutMs);
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  return results;
}

/**
 * Interleave groups of cases deterministically (a seeded shuffle), so that
 * kinds mix across the run.
 *
 * @param cases The cases.
 * @param seed The shuffle's seed.
 * @returns A new array.
 */
export function shuffled<T>(cases: readonly T[], seed: number): T[] {
  const out = [...cases];
  let state = seed >>> 0;
  const random = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The parts of `/healthz` the scenario reads. */
export interface ServerHealth {
  readonly backend: string;
  readonly rss_bytes: number;
}

/**
 * The server's `/healthz`.
 *
 * @param base The server's URL.
 * @returns Its backend and RSS.
 */
export async function serverHealth(base: string): Promise<ServerHealth> {
  const health = await (await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(30_000) })).json();
  if (typeof health?.rss_bytes !== "number" || typeof health?.backend !== "string") {
    throw new Error(`unexpected healthz: ${JSON.stringify(health)}`);
  }
  return health;
}

/**
 * The server's RSS, from `/healthz`.
 *
 * @param base The server's URL.
 * @returns Bytes.
 */
export async function serverRssBytes(base: string): Promise<number> {
  return (await serverHealth(base)).rss_bytes;
}

/**
 * A percentile of `values` (nearest rank).
 *
 * @param values The values.
 * @param p In [0, 100].
 * @returns The value, or NaN for none.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Fixture files of the scenario. */
export const FIXTURE_FILES = {
  z1: `${ROOT}tests/fixtures/pod5/z1.pod5`,
  dorado: `${ROOT}tests/fixtures/pod5/dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5`,
  canReads: `${ROOT}tests/fixtures/pod5/can_reads.pod5`,
  notPod5: `${ROOT}tests/fixtures/pod5/not_a_pod5.pod5`,
} as const;

/** What a task run printed, and how long it took. */
export interface TaskRun {
  readonly stdout: string;
  readonly wallMs: number;
}

/**
 * Run `deno task NAME ARGS` from the repository root; throws on failure.
 *
 * @param name The task.
 * @param args Its arguments.
 * @returns Its stdout and wall time.
 */
export async function runDenoTask(name: string, args: readonly string[]): Promise<TaskRun> {
  const started = performance.now();
  const output = await new Deno.Command("deno", {
    args: ["task", "-q", name, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const wallMs = performance.now() - started;
  const decoder = new TextDecoder();
  if (output.code !== 0) {
    throw new Error(`deno task ${name} ${args.join(" ")} failed (${output.code}): ${decoder.decode(output.stderr)}`);
  }
  return { stdout: decoder.decode(output.stdout), wallMs };
}

/** What the tasks wrote for the scenario's inputs: the bytes every good response must equal. */
export interface ExpectedOutputs {
  readonly z1Tokens: Uint8Array;
  readonly z1PlainTokens: Uint8Array;
  readonly doradoTokens: Uint8Array;
  readonly z1Restored: Uint8Array;
  readonly doradoRestored: Uint8Array;
  readonly inspectZ1: Uint8Array;
  readonly inspectZ1Sha256: Uint8Array;
  readonly inspectCanReads: Uint8Array;
  /** Tokens of another checkpoint (decode must refuse them). */
  readonly foreignTokens: Uint8Array;
  /** `deno task encode z1` (packed, default workers): the whole process, ms. */
  readonly encodeZ1TaskWallMs: number;
  /** The same run's own encode time (its `--json` summary's seconds), ms. */
  readonly encodeZ1TaskEncodeMs: number;
}

/**
 * Run the tasks on the scenario's inputs, writing into `scratch`.
 *
 * @param ckpt The server's checkpoint.
 * @param foreignCkpt Another checkpoint.
 * @param scratch A folder.
 * @returns The outputs' bytes.
 */
export async function expectedOutputs(ckpt: string, foreignCkpt: string, scratch: string): Promise<ExpectedOutputs> {
  const { z1, dorado, canReads } = FIXTURE_FILES;
  const out = (name: string) => `${scratch}/${name}`;
  const encodeZ1 = await runDenoTask("encode", [
    z1,
    "-o",
    out("z1.tokens"),
    "--ckpt",
    ckpt,
    "--workers",
    "0",
    "--json",
  ]);
  await runDenoTask("encode", [z1, "-o", out("z1.plain.tokens"), "--ckpt", ckpt, "--codes", "plain"]);
  await runDenoTask("encode", [dorado, "-o", out("dorado.tokens"), "--ckpt", ckpt, "--workers", "0"]);
  await runDenoTask("encode", [dorado, "-o", out("foreign.tokens"), "--ckpt", foreignCkpt, "--workers", "0"]);
  await runDenoTask("decode", [out("z1.tokens"), "-o", out("z1.pod5"), "--ckpt", ckpt]);
  await runDenoTask("decode", [out("dorado.tokens"), "-o", out("dorado.pod5"), "--ckpt", ckpt, "--workers", "0"]);
  const encoder = new TextEncoder();
  const inspect = async (file: string, flags: string[]) =>
    encoder.encode((await runDenoTask("inspect", [file, "--jsonl", ...flags])).stdout);
  return {
    z1Tokens: await Deno.readFile(out("z1.tokens")),
    z1PlainTokens: await Deno.readFile(out("z1.plain.tokens")),
    doradoTokens: await Deno.readFile(out("dorado.tokens")),
    z1Restored: await Deno.readFile(out("z1.pod5")),
    doradoRestored: await Deno.readFile(out("dorado.pod5")),
    inspectZ1: await inspect(z1, []),
    inspectZ1Sha256: await inspect(z1, ["--signal-sha256"]),
    inspectCanReads: await inspect(canReads, []),
    foreignTokens: await Deno.readFile(out("foreign.tokens")),
    encodeZ1TaskWallMs: encodeZ1.wallMs,
    encodeZ1TaskEncodeMs: 1000 * Number(JSON.parse(encodeZ1.stdout).seconds),
  };
}

/** Requests of the mixed scenario: 30 good ones, 10 bad ones. */
export const MIXED_GOOD = 30;
/** Bad requests of the mixed scenario. */
export const MIXED_BAD = 10;

/**
 * The mixed scenario: 30 good requests (encode, decode, inspect, healthz)
 * and 10 bad ones (one per refusal: 400 ×3, 401, 404, 405, 409, 411, 413,
 * 415), interleaved by a seeded shuffle. The server must run with
 * `--max-body-mb 2` and `SIMVQGAN_TOKEN=token`.
 *
 * @param expected The tasks' outputs.
 * @param server The token and the server checkpoint's sha256.
 * @returns The 40 cases.
 */
export async function mixedCases(
  expected: ExpectedOutputs,
  server: { readonly token: string; readonly sha256: string; readonly step: number },
): Promise<LoadCase[]> {
  const auth = { authorization: `Bearer ${server.token}` };
  const z1 = await Deno.readFile(FIXTURE_FILES.z1), dorado = await Deno.readFile(FIXTURE_FILES.dorado);
  const canReads = await Deno.readFile(FIXTURE_FILES.canReads);
  const repeat = (count: number, item: LoadCase) => Array.from({ length: count }, () => item);
  const error = (status: number, pattern: RegExp) => (body: unknown) => {
    const { error, status: given } = (body ?? {}) as { error?: unknown; status?: unknown };
    if (given !== status || typeof error !== "string") return `not {"error", "status": ${status}}`;
    return pattern.test(error) ? undefined : `error "${error}" does not match ${pattern}`;
  };
  const good: LoadCase[] = [
    ...repeat(3, {
      name: "encode_z1",
      path: "/v1/encode",
      headers: auth,
      body: z1,
      status: 200,
      bytes: expected.z1Tokens,
    }),
    {
      name: "encode_z1_plain",
      path: "/v1/encode?codes=plain",
      headers: auth,
      body: z1,
      status: 200,
      bytes: expected.z1PlainTokens,
    },
    ...repeat(6, {
      name: "encode_dorado",
      path: "/v1/encode",
      headers: auth,
      body: dorado,
      status: 200,
      bytes: expected.doradoTokens,
    }),
    ...repeat(2, {
      name: "decode_z1",
      path: "/v1/decode",
      headers: auth,
      body: expected.z1Tokens,
      status: 200,
      bytes: expected.z1Restored,
    }),
    ...repeat(6, {
      name: "decode_dorado",
      path: "/v1/decode",
      headers: auth,
      body: expected.doradoTokens,
      status: 200,
      bytes: expected.doradoRestored,
    }),
    ...repeat(3, {
      name: "inspect_z1",
      path: "/v1/inspect",
      headers: auth,
      body: z1,
      status: 200,
      bytes: expected.inspectZ1,
    }),
    ...repeat(2, {
      name: "inspect_z1_sha256",
      path: "/v1/inspect?signal_sha256=1",
      headers: auth,
      body: z1,
      status: 200,
      bytes: expected.inspectZ1Sha256,
    }),
    ...repeat(4, {
      name: "inspect_can_reads",
      path: "/v1/inspect",
      headers: auth,
      body: canReads,
      status: 200,
      bytes: expected.inspectCanReads,
    }),
    ...repeat(3, {
      name: "healthz",
      method: "GET",
      path: "/healthz",
      status: 200,
      json: (body) => {
        const health = body as { status?: string; checkpoint?: { sha256?: string; step?: number } };
        return health.status === "ok" && health.checkpoint?.sha256 === server.sha256 &&
            health.checkpoint.step === server.step
          ? undefined
          : `unexpected health ${JSON.stringify(body)}`;
      },
    }),
  ];
  const bad: LoadCase[] = [
    {
      name: "bad_not_pod5",
      path: "/v1/encode",
      headers: auth,
      body: await Deno.readFile(FIXTURE_FILES.notPod5),
      status: 400,
      json: error(400, /^body: Not a valid POD5 file/),
    },
    {
      name: "bad_pod5_to_decode",
      path: "/v1/decode",
      headers: auth,
      body: dorado,
      status: 400,
      json: error(400, /^body: Not a token file/),
    },
    {
      name: "bad_codes",
      path: "/v1/encode?codes=zip",
      headers: auth,
      body: dorado,
      status: 400,
      json: error(400, /^Cannot encode: codes is packed or plain/),
    },
    {
      name: "bad_foreign_tokens",
      path: "/v1/decode",
      headers: auth,
      body: expected.foreignTokens,
      status: 409,
      json: error(
        409,
        new RegExp(
          `^Cannot decode: the tokens were made by checkpoint sha256 [0-9a-f]{64} .*has sha256 ${server.sha256}`,
        ),
      ),
    },
    {
      name: "bad_token",
      path: "/v1/encode",
      headers: { authorization: "Bearer wrong" },
      body: dorado,
      status: 401,
      json: error(401, /^Cannot authorize/),
    },
    {
      name: "bad_path",
      path: "/v1/compress",
      headers: auth,
      body: dorado,
      status: 404,
      json: error(404, /^Cannot find \/v1\/compress/),
    },
    {
      name: "bad_method",
      method: "GET",
      path: "/v1/encode",
      headers: auth,
      status: 405,
      json: error(405, /^Cannot GET \/v1\/encode/),
    },
    {
      name: "bad_type",
      path: "/v1/encode",
      headers: { ...auth, "content-type": "application/json" },
      body: dorado,
      status: 415,
      json: error(415, /not application\/json$/),
    },
    {
      name: "bad_chunked",
      path: "/v1/encode",
      headers: auth,
      body: dorado,
      chunked: true,
      status: 411,
      json: error(411, /needs a Content-Length/),
    },
    {
      name: "bad_too_large",
      path: "/v1/encode",
      headers: auth,
      body: new Uint8Array(3 * 1024 * 1024),
      status: 413,
      json: error(413, /larger than this server's --max-body-mb \(2\.0 MiB\)/),
    },
  ];
  if (good.length !== MIXED_GOOD || bad.length !== MIXED_BAD) throw new Error("the scenario lost a case");
  return shuffled([...good, ...bad], 16);
}
