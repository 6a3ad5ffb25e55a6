/**
 * `startServeApp()`: everything the server loads once at start (the token,
 * the codec and its model pool, the limits, the temp folder) and the handler
 * built on them: what `serve.ts` exports to `deno serve`.
 *
 * @module
 */
import { CodecPool } from "../codec/codec_pool.ts";
import { loadCodec, type LoadedCodec } from "../codec/load_codec.ts";
import { describeBackend } from "../runtime/backend.ts";
import { InputError } from "../runtime/errors.ts";
import { BearerToken } from "./bearer_token.ts";
import { RequestLimiter } from "./request_limiter.ts";
import { RequestWorkspace } from "./request_workspace.ts";
import { createServeHandler, type ServeHandler } from "./serve_handler.ts";
import type { ServeFlags } from "./serve_flags.ts";

/** The environment variable holding the bearer token (unset or empty: no token needed). */
export const TOKEN_ENV = "SIMVQGAN_TOKEN";

/** A started server's parts. */
export interface ServeApp {
  /** The request handler. */
  readonly fetch: ServeHandler;
  /** Logs the address once `deno serve` listens. */
  readonly onListen: (addr: Deno.Addr) => void;
  /** The codec loaded at start. */
  readonly codec: LoadedCodec;
  /** The folder request files go to. */
  readonly tempDir: string;
  /**
   * Wait (at most `graceMs`) for the requests being processed or queued,
   * then {@linkcode ServeApp.close}: what `serve.ts` does on SIGTERM, after
   * `deno serve` has stopped taking connections.
   */
  shutdown(graceMs?: number): Promise<void>;
  /** Stop the model's workers and free the codec (now: requests in progress fail). */
  close(): Promise<void>;
}

/** How long {@linkcode ServeApp.shutdown} waits for requests in progress by default, ms. */
export const SHUTDOWN_GRACE_MS = 30_000;

/** Options of {@linkcode startServeApp}. */
export interface StartServeAppOptions {
  /** Receives the start-up line, one line per request and internal errors. */
  readonly onLog?: (line: string) => void;
}

/**
 * Read the token from {@linkcode TOKEN_ENV}. Without permission to read it
 * the server does not start: it could not tell whether a token was meant.
 *
 * @returns The token, or undefined when unset or empty.
 * @throws {InputError} When the variable may not be read.
 */
export function tokenFromEnv(): BearerToken | undefined {
  if (Deno.permissions.querySync({ name: "env", variable: TOKEN_ENV }).state !== "granted") {
    throw new InputError(`Cannot serve: no permission to read ${TOKEN_ENV} (run with --allow-env=${TOKEN_ENV})`);
  }
  const token = Deno.env.get(TOKEN_ENV);
  return token === undefined || token === "" ? undefined : new BearerToken(token);
}

/**
 * Load the checkpoint, start the model pool and build the handler.
 *
 * @param flags The parsed serve flags (`--ckpt`, limits, backend, workers, temp folder).
 * @param options The log.
 * @returns The app.
 * @throws {CheckpointError} When the checkpoint cannot be loaded.
 * @throws {InputError} When the token may not be read, or the temp folder is not writable.
 */
export async function startServeApp(flags: ServeFlags, options: StartServeAppOptions = {}): Promise<ServeApp> {
  const token = tokenFromEnv();
  const codec = await loadCodec(flags.ckpt, { backend: flags.backend });
  let pool: CodecPool | undefined;
  try {
    pool = await CodecPool.start(codec, { workers: flags.workers });
    const tempDir = flags.tempDir ?? await Deno.makeTempDir({ prefix: "simvqgan-serve-" });
    try {
      await (await RequestWorkspace.create(tempDir)).dispose();
    } catch (error) {
      throw new InputError(
        `Cannot serve: request files cannot be written there (${error instanceof Error ? error.message : error})`,
        { path: tempDir, cause: error },
      );
    }
    const limiter = new RequestLimiter({ concurrency: flags.concurrency, queue: flags.queue });
    const log = options.onLog ?? (() => {});
    const fetch = createServeHandler({
      pool,
      limiter,
      tempDir,
      maxBodyBytes: flags.maxBodyBytes,
      uploads: new RequestLimiter({ concurrency: flags.maxUploads, queue: 0 }),
      bodyTimeoutMs: flags.bodyTimeoutMs,
      workTimeoutMs: flags.workTimeoutMs,
      budget: { maxSamples: flags.maxSamples, maxReads: flags.maxReads },
      token,
      onLog: log,
    });
    const started = pool;
    let closed: Promise<void> | undefined;
    const close = () =>
      closed ??= (async () => {
        await started.close();
        codec.dispose();
      })();
    return {
      fetch,
      onListen: (addr) => {
        const where = addr.transport === "tcp" || addr.transport === "udp"
          ? `http://${addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname}:${addr.port}/`
          : JSON.stringify(addr);
        log(
          `simvqgan serve: listening on ${where} (checkpoint ${codec.checkpoint.path}, step ${codec.checkpoint.step}, ` +
            `sha256 ${codec.checkpoint.sha256.slice(0, 12)}…; ${describeBackend(codec.backend)}; ` +
            `${started.workers} model workers, concurrency ${flags.concurrency}, queue ${flags.queue}, ` +
            `uploads ${flags.maxUploads}, max body ${(flags.maxBodyBytes / 1024 / 1024).toFixed(1)} MiB, ` +
            `body timeout ${flags.bodyTimeoutMs / 1000} s, work timeout ${flags.workTimeoutMs / 1000} s, ` +
            `max ${flags.maxSamples} samples and ${flags.maxReads} reads; ` +
            `${token === undefined ? "no token" : `${TOKEN_ENV} required`}; temp ${tempDir})`,
        );
      },
      codec,
      tempDir,
      shutdown: async (graceMs = SHUTDOWN_GRACE_MS) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = new Promise<void>((resolve) => timer = setTimeout(resolve, graceMs));
        await Promise.race([limiter.idle(), late]);
        clearTimeout(timer);
        await close();
      },
      close,
    };
  } catch (error) {
    await pool?.close();
    codec.dispose();
    throw error;
  }
}
