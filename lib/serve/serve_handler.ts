/**
 * `createServeHandler()`: the HTTP handler of `deno task serve`: routes,
 * checks each request (method, token, query, content type, length), takes an
 * upload slot and spools the body to a private file against the body
 * timeout, then takes a processing slot and runs the operation against the
 * work timeout and the request's work budget, and streams its output back.
 * Receiving is not processing: a slow upload holds an upload slot, never a
 * processing slot. Every refusal is a JSON `{ "error", "status" }`; the
 * handler keeps nothing per request once the response is done.
 *
 * @module
 */
import type { CodecPool } from "../codec/codec_pool.ts";
import { formatError } from "../runtime/error_report.ts";
import { VERSION } from "../version.ts";
import type { BearerToken } from "./bearer_token.ts";
import { MIN_BODY_BYTES_PER_S, timedBody } from "./body_deadline.ts";
import { closingResponse } from "./closing_response.ts";
import { BodyTimeoutError, HttpError, QueueFullError } from "./errors.ts";
import { fileResponse } from "./file_response.ts";
import { type ReleaseSlot, RequestLimiter } from "./request_limiter.ts";
import { RequestWorkspace } from "./request_workspace.ts";
import { DEFAULT_BODY_TIMEOUT_S, DEFAULT_WORK_TIMEOUT_S, UPLOADS_PER_SLOT } from "./serve_flags.ts";
import { DEFAULT_MAX_READS, defaultMaxSamples, type WorkBudget } from "./work_budget.ts";
import { refusalOf } from "./_refusal.ts";
import {
  checkContentType,
  checkLength,
  checkParams,
  type Params,
  POST_ROUTES,
  type PostRoute,
} from "./_post_routes.ts";

/** Options of {@linkcode createServeHandler}. */
export interface ServeHandlerOptions {
  /** The model, loaded once (its `codec` is the server's checkpoint). */
  readonly pool: CodecPool;
  /** Processing slots and the wait queue. */
  readonly limiter: RequestLimiter;
  /** The folder request workspaces are made in (private to the server). */
  readonly tempDir: string;
  /** Largest body accepted, bytes. */
  readonly maxBodyBytes: number;
  /**
   * Bodies being received at once (`--max-uploads`; its queue must be 0: past
   * it, 503). Default: {@linkcode UPLOADS_PER_SLOT} per processing slot.
   */
  readonly uploads?: RequestLimiter;
  /** `--body-timeout`, ms (default {@linkcode DEFAULT_BODY_TIMEOUT_S} s). */
  readonly bodyTimeoutMs?: number;
  /** The slowest a body may arrive after the body timeout's allowance, bytes/s (default {@linkcode MIN_BODY_BYTES_PER_S}). */
  readonly minBodyBytesPerS?: number;
  /** `--work-timeout`, ms (default {@linkcode DEFAULT_WORK_TIMEOUT_S} s). */
  readonly workTimeoutMs?: number;
  /**
   * `--max-samples` and `--max-reads` (default: the samples of the largest
   * POD5 file `maxBodyBytes` admits at 6 bits/sample, and {@linkcode DEFAULT_MAX_READS}).
   */
  readonly budget?: WorkBudget;
  /** When set, every endpoint but `/healthz` needs `Authorization: Bearer <token>`. */
  readonly token?: BearerToken | undefined;
  /** Receives one line per request, and internal errors. */
  readonly onLog?: (line: string) => void;
}

/** What `deno serve` passes beside the request. */
export interface ServeRequestInfo {
  /** Settles when the response has been delivered, or failed to be. */
  readonly completed?: Promise<void>;
}

/** The handler: a request in, a response out; never throws. */
export type ServeHandler = (request: Request, info?: ServeRequestInfo) => Promise<Response>;

const HEALTH_PATH = "/healthz";

/**
 * Create the server's handler.
 *
 * @example Ask a handler for its health (no network needed)
 * ```ts
 * import { createServeHandler } from "./serve_handler.ts";
 * import { RequestLimiter } from "./request_limiter.ts";
 * import { CodecPool } from "../codec/codec_pool.ts";
 * import { loadCodec } from "../codec/load_codec.ts";
 * import { assertEquals } from "@std/assert";
 * import { TINY_CODEC_CONFIG, writeGeneratorCheckpoint } from "../checkpoint/write_generator_checkpoint.ts";
 *
 * const DORADO_5KHZ = "tests/fixtures/pod5/dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5";
 * const dir = await Deno.makeTempDir();
 * await writeGeneratorCheckpoint(dir, { config: TINY_CODEC_CONFIG, step: 1 }); // random weights: enough to run
 * const codec = await loadCodec(dir, { backend: "wasm" });
 * await using pool = await CodecPool.start(codec);
 * const handler = createServeHandler({
 *   pool,
 *   limiter: new RequestLimiter({ concurrency: 1, queue: 4 }),
 *   tempDir: dir,
 *   maxBodyBytes: 1 << 20,
 * });
 * const health = await (await handler(new Request("http://localhost/healthz"))).json();
 * assertEquals([health.checkpoint.step, health.backend], [1, "wasm"]);
 * const missing = await handler(new Request("http://localhost/v2/encode", { method: "POST" }));
 * assertEquals(missing.status, 404);
 * codec.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param options The model pool, limits, temp folder and token.
 * @returns The handler.
 */
export function createServeHandler(options: ServeHandlerOptions): ServeHandler {
  const startedMs = performance.now();
  const log = options.onLog ?? (() => {});
  const limits: Limits = {
    ...options,
    uploads: options.uploads ??
      new RequestLimiter({ concurrency: UPLOADS_PER_SLOT * options.limiter.concurrency, queue: 0 }),
    bodyTimeoutMs: options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_S * 1000,
    minBodyBytesPerS: options.minBodyBytesPerS ?? MIN_BODY_BYTES_PER_S,
    workTimeoutMs: options.workTimeoutMs ?? DEFAULT_WORK_TIMEOUT_S * 1000,
    budget: options.budget ?? { maxSamples: defaultMaxSamples(options.maxBodyBytes), maxReads: DEFAULT_MAX_READS },
  };
  const health = (): Response => {
    const codec = options.pool.codec;
    const memory = Deno.memoryUsage();
    return Response.json({
      status: "ok",
      version: VERSION,
      backend: codec.backend.name,
      device: codec.backend.device,
      checkpoint: { sha256: codec.checkpoint.sha256, step: codec.checkpoint.step },
      uptime_s: Math.round(performance.now() - startedMs) / 1000,
      workers: options.pool.workers,
      concurrency: options.limiter.concurrency,
      queue: options.limiter.queue,
      active: options.limiter.active,
      queued: options.limiter.queued,
      max_uploads: limits.uploads.concurrency,
      uploads: limits.uploads.active,
      max_body_bytes: options.maxBodyBytes,
      body_timeout_s: limits.bodyTimeoutMs / 1000,
      work_timeout_s: limits.workTimeoutMs / 1000,
      max_samples: limits.budget.maxSamples,
      max_reads: limits.budget.maxReads,
      model_jobs: options.pool.jobsStarted,
      model_jobs_running: options.pool.jobsRunning,
      pid: Deno.pid,
      rss_bytes: memory.rss,
      heap_used_bytes: memory.heapUsed,
    });
  };
  return async (request, info) => {
    const started = performance.now();
    const url = new URL(request.url);
    let response: Response;
    try {
      response = url.pathname === HEALTH_PATH
        ? request.method === "GET" ? health() : refuse(
          new HttpError(405, `Cannot ${request.method} ${HEALTH_PATH}: use GET`, { headers: { allow: "GET" } }),
        )
        : await handlePost(request, url, info, limits);
    } catch (error) {
      // handlePost turns every error into a response; this is the last guard.
      log(formatError(error));
      response = refuse(new HttpError(500, "Cannot handle the request: internal error (see the server log)"));
    }
    log(
      `${request.method} ${url.pathname}${url.search} ${response.status} ${Math.round(performance.now() - started)} ms`,
    );
    return response;
  };
}

/** The handler's options with every default filled in. */
interface Limits extends ServeHandlerOptions {
  readonly uploads: RequestLimiter;
  readonly bodyTimeoutMs: number;
  readonly minBodyBytesPerS: number;
  readonly workTimeoutMs: number;
  readonly budget: WorkBudget;
}

/** A request that passed the checks made before it takes a slot. */
interface CheckedRequest {
  readonly route: PostRoute;
  readonly params: Params;
  readonly sizeBytes: number;
}

/**
 * The checks made before a request waits for a slot: token, route, method,
 * query, content type and length.
 *
 * @throws {HttpError} The refusal.
 */
function checkRequest(request: Request, url: URL, options: ServeHandlerOptions): CheckedRequest {
  if (options.token !== undefined && !options.token.accepts(request.headers.get("authorization"))) {
    throw new HttpError(
      401,
      "Cannot authorize the request: it needs the header Authorization: Bearer <SIMVQGAN_TOKEN>",
      { headers: { "www-authenticate": 'Bearer realm="simvqgan"' } },
    );
  }
  const route = POST_ROUTES[url.pathname];
  if (route === undefined) {
    const known = [HEALTH_PATH, ...Object.keys(POST_ROUTES)].join(", ");
    throw new HttpError(404, `Cannot find ${url.pathname}: the endpoints are ${known}`);
  }
  if (request.method !== "POST") {
    throw new HttpError(405, `Cannot ${request.method} ${url.pathname}: use POST with the file as the body`, {
      headers: { allow: "POST" },
    });
  }
  const params = checkParams(url, route);
  checkContentType(request, route);
  return { route, params, sizeBytes: checkLength(request, route, options.maxBodyBytes) };
}

/** One request's state while it is received and processed. */
interface PostState {
  readonly request: Request;
  readonly checked: CheckedRequest;
  readonly options: Limits;
  /** `server-timing` entries, in order. */
  readonly timing: string[];
  /** Aborted when the work exceeds the work timeout. */
  readonly workTimer: AbortController;
  workspace?: RequestWorkspace;
  releaseUpload: ReleaseSlot;
  release?: ReleaseSlot;
  /** The response streams the output and removes the workspace itself. */
  handedOver: boolean;
}

async function handlePost(
  request: Request,
  url: URL,
  info: ServeRequestInfo | undefined,
  options: Limits,
): Promise<Response> {
  let checked: CheckedRequest;
  try {
    checked = checkRequest(request, url, options);
  } catch (error) {
    return refuse(error);
  }
  const { route } = checked;
  // A body is not received for a request that would find the line full.
  const full = options.limiter.refusal();
  if (full !== undefined) return refuse(busy(full));
  let releaseUpload: ReleaseSlot;
  try {
    releaseUpload = await options.uploads.acquire(request.signal);
  } catch (error) {
    if (!(error instanceof QueueFullError)) return refuse(clientGone(route));
    return refuse(
      new HttpError(
        503,
        `Cannot take the request: ${options.uploads.active} uploads are in progress (the server's --max-uploads)`,
        { headers: { "retry-after": String(error.retryAfterSeconds) } },
      ),
    );
  }
  const state: PostState = {
    request,
    checked,
    options,
    timing: [],
    workTimer: new AbortController(),
    releaseUpload,
    handedOver: false,
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const input = await receive(state);
    timer = setTimeout(() => state.workTimer.abort(), options.workTimeoutMs);
    return await runWork(state, input, info);
  } catch (error) {
    return await refusePost(state, error);
  } finally {
    clearTimeout(timer);
    state.releaseUpload();
    state.release?.();
    if (!state.handedOver) await state.workspace?.dispose().catch((error) => options.onLog?.(formatError(error)));
  }
}

/** Receive: the body to the request's private file, holding an upload slot (released when done). */
async function receive(state: PostState): Promise<string> {
  const { request, checked, options } = state;
  state.workspace = await RequestWorkspace.create(options.tempDir);
  const bodyAt = performance.now();
  const input = await spool(request, state.workspace, checked.route, { ...options, sizeBytes: checked.sizeBytes });
  state.releaseUpload();
  state.timing.push(`body;dur=${Math.round(performance.now() - bodyAt)}`);
  return input;
}

/** Process: a processing slot, the operation against the work timeout, and the output streamed back. */
async function runWork(state: PostState, input: string, info: ServeRequestInfo | undefined): Promise<Response> {
  const { request, options, timing, workTimer } = state;
  const { route, params } = state.checked;
  const workspace = state.workspace!;
  const queuedAt = performance.now();
  try {
    state.release = await options.limiter.acquire(request.signal);
  } catch (error) {
    throw error instanceof QueueFullError ? busy(error) : error;
  }
  timing.push(`queue;dur=${Math.round(performance.now() - queuedAt)}`);
  const output = workspace.path(`output${route.outputExtension}`);
  const workAt = performance.now();
  const signal = AbortSignal.any([request.signal, workTimer.signal]);
  const context = { input, output, pool: options.pool, signal, budget: options.budget };
  const result = await route.run(context, params);
  // The pipelines look at the signal between reads; a client that left during the last ones gets no file.
  signal.throwIfAborted();
  timing.push(`work;dur=${Math.round(performance.now() - workAt)}`);
  const dispose = () => workspace.dispose().catch((error) => options.onLog?.(formatError(error)));
  // The body stream removes the workspace when it ends or is cancelled; this catches a body never read.
  info?.completed?.then(dispose, dispose);
  const response = await fileResponse(output, {
    headers: { ...result.headers, "content-type": route.outputType, "server-timing": timing.join(", ") },
    onDone: dispose,
  });
  state.handedOver = true;
  return response;
}

/** The refusal of a request that failed while received or processed. */
async function refusePost(state: PostState, error: unknown): Promise<Response> {
  const { request, options, workspace } = state;
  const { route } = state.checked;
  if (request.signal.aborted) return refuse(clientGone(route));
  if (error instanceof BodyTimeoutError) {
    // Its connection is dropped after the 408 if the read the server waited on ends soon (see body_deadline.ts).
    state.releaseUpload();
    return refuse(error, { drop: await error.released });
  }
  if (state.workTimer.signal.aborted) {
    return refuse(
      new HttpError(
        503,
        `Cannot ${route.verb}: the work took longer than this server's --work-timeout (${
          options.workTimeoutMs / 1000
        } s)`,
      ),
    );
  }
  const refusal = refusalOf(error, {
    verb: route.verb,
    bodyPath: workspace?.path(`body${route.inputExtension}`),
    workspaceDir: workspace?.dir,
  });
  if (refusal.status >= 500) options.onLog?.(formatError(error));
  return refuse(refusal);
}

async function spool(
  request: Request,
  workspace: RequestWorkspace,
  route: PostRoute,
  options: Pick<Limits, "bodyTimeoutMs" | "minBodyBytesPerS"> & { readonly sizeBytes: number },
): Promise<string> {
  const timed = request.body === null ? null : timedBody(request.body, {
    timeoutMs: options.bodyTimeoutMs,
    minBytesPerS: options.minBodyBytesPerS,
    sizeBytes: options.sizeBytes,
  });
  try {
    return await workspace.writeBody(timed, {
      name: `body${route.inputExtension}`,
      sizeBytes: options.sizeBytes,
      signal: request.signal,
    });
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // The upload broke off (the client went away, or the connection failed).
    throw new HttpError(400, `Cannot ${route.verb}: the body could not be read (${firstLine(error)})`, {
      cause: error,
    });
  }
}

/** Every processing slot busy and the line full: 503 with a retry delay. */
function busy(error: QueueFullError): HttpError {
  return new HttpError(503, error.message, { headers: { "retry-after": String(error.retryAfterSeconds) } });
}

function clientGone(route: PostRoute): HttpError {
  // 499 (nginx's "client closed request"): nobody reads it, the log does.
  return new HttpError(499, `Cannot ${route.verb}: the client went away`);
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0] ?? text;
}

function refuse(error: unknown, options: { readonly drop?: boolean } = {}): Response {
  const refusal = error instanceof HttpError
    ? error
    : new HttpError(500, "Cannot handle the request: internal error (see the server log)");
  const body = { error: refusal.message, status: refusal.status };
  if (options.drop === true) {
    // The client may still be sending: the connection is dropped after the error (see closing_response.ts).
    return closingResponse(new TextEncoder().encode(JSON.stringify(body)), {
      status: refusal.status,
      headers: { ...refusal.headers, "content-type": "application/json" },
    });
  }
  return Response.json(body, { status: refusal.status, headers: refusal.headers });
}
