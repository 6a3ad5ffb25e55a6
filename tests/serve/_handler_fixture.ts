/** A handler on a tiny checkpoint, called in-process (no network), with helpers to post bodies. */
import { join } from "@std/path";
import { CodecPool } from "../../lib/codec/codec_pool.ts";
import { loadCodec, type LoadedCodec } from "../../lib/codec/load_codec.ts";
import { BearerToken } from "../../lib/serve/bearer_token.ts";
import { RequestLimiter } from "../../lib/serve/request_limiter.ts";
import {
  createServeHandler,
  type ServeHandler,
  type ServeHandlerOptions,
  type ServeRequestInfo,
} from "../../lib/serve/serve_handler.ts";
import { makeTinyCheckpoint } from "../codec/_tiny_checkpoint.ts";
import { withTempDir } from "../_temp_dir.ts";

/** The fixtures folder. */
export const FIXTURES: string = new URL("../fixtures/pod5/", import.meta.url).pathname;
/** The bundled 5 kHz sample: 3 reads, 2,319,616 samples. */
export const Z1: string = join(FIXTURES, "z1.pod5");
/** Dorado's 5 kHz test file: 1 read of 2,048 samples. */
export const DORADO_5KHZ: string = join(FIXTURES, "dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5");

/** What a test gets. */
export interface HandlerFixture {
  readonly handler: ServeHandler;
  readonly limiter: RequestLimiter;
  /** The upload slots (`--max-uploads`). */
  readonly uploads: RequestLimiter;
  readonly pool: CodecPool;
  readonly codec: LoadedCodec;
  /** The run folder of the checkpoint. */
  readonly ckptRun: string;
  /** The folder request files go to. */
  readonly tempDir: string;
  /** A scratch folder. */
  readonly dir: string;
  /** The lines the handler logged. */
  readonly log: string[];
}

/** Options of {@linkcode withHandler}. */
export interface HandlerFixtureOptions
  extends Pick<ServeHandlerOptions, "bodyTimeoutMs" | "minBodyBytesPerS" | "workTimeoutMs" | "budget"> {
  readonly concurrency?: number;
  readonly queue?: number;
  readonly maxUploads?: number;
  readonly maxBodyBytes?: number;
  readonly token?: string;
  /** Model Workers (default 0: this thread). */
  readonly workers?: number;
}

/** Run `fn` with a handler on a fresh tiny checkpoint (model in this thread). */
export async function withHandler(
  fn: (fixture: HandlerFixture) => Promise<void>,
  options: HandlerFixtureOptions = {},
): Promise<void> {
  await withTempDir(async (dir) => {
    const ckptRun = join(dir, "run");
    await makeTinyCheckpoint(ckptRun);
    const codec = await loadCodec(ckptRun, { backend: "wasm" });
    const tempDir = join(dir, "requests");
    await Deno.mkdir(tempDir);
    const log: string[] = [];
    try {
      await using pool = await CodecPool.start(codec, { workers: options.workers ?? 0 });
      const limiter = new RequestLimiter({ concurrency: options.concurrency ?? 2, queue: options.queue ?? 4 });
      const uploads = new RequestLimiter({ concurrency: options.maxUploads ?? 8, queue: 0 });
      const { bodyTimeoutMs, minBodyBytesPerS, workTimeoutMs, budget } = options;
      const handler = createServeHandler({
        pool,
        limiter,
        uploads,
        tempDir,
        maxBodyBytes: options.maxBodyBytes ?? 4 * 1024 * 1024,
        token: options.token === undefined ? undefined : new BearerToken(options.token),
        onLog: (line) => log.push(line),
        ...(bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs }),
        ...(minBodyBytesPerS === undefined ? {} : { minBodyBytesPerS }),
        ...(workTimeoutMs === undefined ? {} : { workTimeoutMs }),
        ...(budget === undefined ? {} : { budget }),
      });
      await fn({ handler, limiter, uploads, pool, codec, ckptRun, tempDir, dir, log });
    } finally {
      codec.dispose();
    }
  });
}

/** A POST of `body` with its Content-Length (and any other headers). */
export function postRequest(
  path: string,
  body: Uint8Array,
  headers: Record<string, string> = {},
  init: RequestInit = {},
): Request {
  return new Request(`http://127.0.0.1${path}`, {
    method: "POST",
    body: body as Uint8Array<ArrayBuffer>,
    headers: { "content-length": String(body.byteLength), ...headers },
    ...init,
  });
}

/** Post `body` and read the whole response. */
export async function post(
  handler: ServeHandler,
  path: string,
  body: Uint8Array,
  headers: Record<string, string> = {},
  info?: ServeRequestInfo,
): Promise<{ status: number; headers: Headers; bytes: Uint8Array }> {
  const response = await handler(postRequest(path, body, headers), info);
  return { status: response.status, headers: response.headers, bytes: await response.bytes() };
}

/** Names in a folder (recursively), sorted. */
export async function filesUnder(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      names.push(entry.name);
      if (entry.isDirectory) {
        for (const inner of await filesUnder(join(dir, entry.name))) names.push(`${entry.name}/${inner}`);
      }
    }
  } catch (error) {
    // A request's folder removed while it is being listed: it is gone, which is what the tests wait for.
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}

/** Wait (bounded, yielding to the event loop) until `condition` holds. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** `promise`, or a failure naming `what` after `ms`. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A request with a held body, and what sends it. */
export interface HeldRequest {
  readonly request: Request;
  /** Send the first half of the body. */
  readonly sendHalf: () => void;
  /** Send the rest and end the body. */
  readonly sendRest: () => void;
  /** Fail the body, as a broken connection does. */
  readonly breakOff: () => void;
}

/** A request whose body arrives only when the test says so. */
export function heldRequest(path: string, body: Uint8Array, signal?: AbortSignal): HeldRequest {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const request = new Request(`http://127.0.0.1${path}`, {
    method: "POST",
    body: stream,
    headers: { "content-length": String(body.byteLength) },
    duplex: "half",
    ...(signal === undefined ? {} : { signal }),
  } as RequestInit);
  return {
    request,
    sendHalf: () => controller.enqueue(body.slice(0, body.byteLength >> 1)),
    sendRest: () => {
      controller.enqueue(body.slice(body.byteLength >> 1));
      controller.close();
    },
    breakOff: () => controller.error(new Error("connection reset by peer")),
  };
}
