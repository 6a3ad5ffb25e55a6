/**
 * `createServeHandler()`: the HTTP handler of `deno task serve`: routes,
 * checks each request (method, token, query, content type, length), takes a
 * processing slot, spools the body to a private file, runs the operation and
 * streams its output back. Every refusal is a JSON `{ "error", "status" }`;
 * the handler keeps nothing per request once the response is done.
 *
 * @module
 */
import type { CodecPool } from "../codec/codec_pool.ts";
import { formatError } from "../runtime/error_report.ts";
import { VERSION } from "../version.ts";
import type { BearerToken } from "./bearer_token.ts";
import { HttpError, QueueFullError } from "./errors.ts";
import { fileResponse } from "./file_response.ts";
import type { ReleaseSlot, RequestLimiter } from "./request_limiter.ts";
import { RequestWorkspace } from "./request_workspace.ts";
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
      max_body_bytes: options.maxBodyBytes,
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
        : await handlePost(request, url, info, options);
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

async function handlePost(
  request: Request,
  url: URL,
  info: ServeRequestInfo | undefined,
  options: ServeHandlerOptions,
): Promise<Response> {
  let checked: CheckedRequest;
  try {
    checked = checkRequest(request, url, options);
  } catch (error) {
    return refuse(error);
  }
  const { route, params, sizeBytes } = checked;
  const queuedAt = performance.now();
  let release: ReleaseSlot;
  try {
    release = await options.limiter.acquire(request.signal);
  } catch (error) {
    if (error instanceof QueueFullError) {
      return refuse(
        new HttpError(503, error.message, { headers: { "retry-after": String(error.retryAfterSeconds) } }),
      );
    }
    return refuse(clientGone(route));
  }
  const timing: string[] = [`queue;dur=${Math.round(performance.now() - queuedAt)}`];
  let workspace: RequestWorkspace | undefined;
  let handedOver = false;
  try {
    workspace = await RequestWorkspace.create(options.tempDir);
    const bodyAt = performance.now();
    const input = await spool(request, workspace, route, sizeBytes);
    timing.push(`body;dur=${Math.round(performance.now() - bodyAt)}`);
    const output = workspace.path(`output${route.outputExtension}`);
    const workAt = performance.now();
    const result = await route.run({ input, output, pool: options.pool, signal: request.signal }, params);
    // The pipelines look at the signal between reads; a client that left during the last ones gets no file.
    request.signal.throwIfAborted();
    timing.push(`work;dur=${Math.round(performance.now() - workAt)}`);
    const owned = workspace;
    const dispose = () => owned.dispose().catch((error) => options.onLog?.(formatError(error)));
    // The body stream removes the workspace when it ends or is cancelled; this catches a body never read.
    info?.completed?.then(dispose, dispose);
    const response = await fileResponse(output, {
      headers: { ...result.headers, "content-type": route.outputType, "server-timing": timing.join(", ") },
      onDone: dispose,
    });
    handedOver = true;
    return response;
  } catch (error) {
    if (request.signal.aborted) return refuse(clientGone(route));
    const refusal = refusalOf(error, {
      verb: route.verb,
      bodyPath: workspace?.path(`body${route.inputExtension}`),
      workspaceDir: workspace?.dir,
    });
    if (refusal.status >= 500) options.onLog?.(formatError(error));
    return refuse(refusal);
  } finally {
    release();
    if (!handedOver) await workspace?.dispose().catch((error) => options.onLog?.(formatError(error)));
  }
}

async function spool(
  request: Request,
  workspace: RequestWorkspace,
  route: PostRoute,
  sizeBytes: number,
): Promise<string> {
  try {
    return await workspace.writeBody(request.body, {
      name: `body${route.inputExtension}`,
      sizeBytes,
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

function clientGone(route: PostRoute): HttpError {
  // 499 (nginx's "client closed request"): nobody reads it, the log does.
  return new HttpError(499, `Cannot ${route.verb}: the client went away`);
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0] ?? text;
}

function refuse(error: unknown): Response {
  const refusal = error instanceof HttpError
    ? error
    : new HttpError(500, "Cannot handle the request: internal error (see the server log)");
  return Response.json({ error: refusal.message, status: refusal.status }, {
    status: refusal.status,
    headers: refusal.headers,
  });
}
