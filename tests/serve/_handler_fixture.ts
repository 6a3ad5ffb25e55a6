/** A handler on a tiny checkpoint, called in-process (no network), with helpers to post bodies. */
import { join } from "@std/path";
import { CodecPool } from "../../lib/codec/codec_pool.ts";
import { loadCodec, type LoadedCodec } from "../../lib/codec/load_codec.ts";
import { BearerToken } from "../../lib/serve/bearer_token.ts";
import { RequestLimiter } from "../../lib/serve/request_limiter.ts";
import { createServeHandler, type ServeHandler, type ServeRequestInfo } from "../../lib/serve/serve_handler.ts";
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
export interface HandlerFixtureOptions {
  readonly concurrency?: number;
  readonly queue?: number;
  readonly maxBodyBytes?: number;
  readonly token?: string;
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
      await using pool = await CodecPool.start(codec);
      const limiter = new RequestLimiter({ concurrency: options.concurrency ?? 2, queue: options.queue ?? 4 });
      const handler = createServeHandler({
        pool,
        limiter,
        tempDir,
        maxBodyBytes: options.maxBodyBytes ?? 4 * 1024 * 1024,
        token: options.token === undefined ? undefined : new BearerToken(options.token),
        onLog: (line) => log.push(line),
      });
      await fn({ handler, limiter, codec, ckptRun, tempDir, dir, log });
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

/** Names in a folder (recursively), sorted; a subfolder removed while it is listed counts as gone. */
export async function filesUnder(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    names.push(entry.name);
    if (!entry.isDirectory) continue;
    let inner: string[];
    try {
      inner = await filesUnder(join(dir, entry.name));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      names.pop(); // the server removed it meanwhile
      continue;
    }
    for (const name of inner) names.push(`${entry.name}/${name}`);
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
