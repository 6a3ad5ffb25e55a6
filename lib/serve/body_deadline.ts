/**
 * `timedBody()`: a request body that must keep arriving. It is cut off
 * (with a {@linkcode BodyTimeoutError}, 408) when no byte arrives for the
 * body timeout, or when it arrives slower than a minimum rate: it may take
 * the body timeout plus one second for every {@linkcode MIN_BODY_BYTES_PER_S}
 * bytes received (Apache's `mod_reqtimeout` rule). A client sending one byte
 * a second is cut off after the body timeout; one sending a 256 MiB file at
 * 1 MiB/s is never cut off.
 *
 * A read still waiting when the deadline passes cannot be called off in
 * Deno (2.x): the body's connection then cannot be dropped, and if the 408
 * is a response that drops it (`closing_response.ts`) the server even keeps
 * the socket after the client has closed its end. So the body is let go of
 * once that read ends (the client's next bytes), and the error's `released`
 * promise says whether that happened within {@linkcode MAX_RELEASE_WAIT_MS}
 * (or the body timeout, if shorter): if so the 408 can drop the connection,
 * if not it must be a plain response (the client that sends nothing more
 * keeps its connection until it closes it, holding no slot and no file).
 *
 * @module
 */
import { BodyTimeoutError } from "./errors.ts";

/** The slowest rate a body may arrive at, after the body timeout's allowance: 64 KiB/s (512 kbit/s). */
export const MIN_BODY_BYTES_PER_S = 64 * 1024;

/** Options of {@linkcode timedBody}. */
export interface TimedBodyOptions {
  /** The body timeout, ms: the longest silence, and the allowance before the rate counts. */
  readonly timeoutMs: number;
  /** The minimum rate, bytes/s (default {@linkcode MIN_BODY_BYTES_PER_S}). */
  readonly minBytesPerS?: number;
  /** The `Content-Length` announced (for the message). */
  readonly sizeBytes: number;
}

/**
 * The longest a cut-off body's 408 waits for the read the server was
 * waiting on to end (the client's next bytes), ms: a trickler's next byte
 * comes within it, and its connection can then be dropped.
 */
export const MAX_RELEASE_WAIT_MS = 2_000;

const TIMED_OUT = Symbol("timed out");

/**
 * Cancel the body once `read` ends (the client's next bytes, its end, or a
 * failure: which changes nothing), or after `maxWaitMs` whatever happens
 * (a cancellation that fails changes nothing either). Resolves to whether
 * the read ended in time.
 */
function letGo(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  read: Promise<unknown>,
  maxWaitMs: number,
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), maxWaitMs));
  const ended = read.then(() => true, () => true);
  return Promise.race([ended, late]).then((inTime) => {
    clearTimeout(timer);
    return reader.cancel().then(() => inTime, () => inTime);
  });
}

function kib(bytes: number): string {
  return `${Math.round(bytes / 1024)} KiB/s`;
}

/**
 * The chunks of `body`, each awaited against the deadline; stopping early
 * (a `break`, or the error) cancels the body.
 *
 * @example A body that stops arriving
 * ```ts
 * import { timedBody } from "./body_deadline.ts";
 * import { BodyTimeoutError } from "./errors.ts";
 *
 * const stalled = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new Uint8Array(10)) });
 * const chunks: number[] = [];
 * try {
 *   for await (const chunk of timedBody(stalled, { timeoutMs: 50, sizeBytes: 1000 })) chunks.push(chunk.length);
 *   throw new Error("not cut off");
 * } catch (error) {
 *   if (!(error instanceof BodyTimeoutError) || error.status !== 408 || chunks[0] !== 10) throw error;
 * }
 * ```
 *
 * @param body The request body.
 * @param options The timeout, the minimum rate and the announced size.
 * @returns An async iterator of the chunks.
 * @throws {BodyTimeoutError} When the body is silent for the timeout, or too slow.
 */
export async function* timedBody(
  body: ReadableStream<Uint8Array>,
  options: TimedBodyOptions,
): AsyncGenerator<Uint8Array> {
  const timeoutMs = options.timeoutMs;
  const minBytesPerS = options.minBytesPerS ?? MIN_BODY_BYTES_PER_S;
  if (!(timeoutMs > 0) || !(minBytesPerS > 0)) {
    throw new RangeError(`Cannot time the body: timeout ${timeoutMs} ms and rate ${minBytesPerS} B/s must be > 0`);
  }
  const reader = body.getReader();
  const startedMs = performance.now();
  let lastByteMs = startedMs, receivedBytes = 0, finished = false, timedOut = false;
  try {
    while (true) {
      const silentUntil = lastByteMs + timeoutMs;
      const slowUntil = startedMs + timeoutMs + (1000 * receivedBytes) / minBytesPerS;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
        timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, Math.min(silentUntil, slowUntil) - performance.now()));
      });
      const read = reader.read();
      let result: ReadableStreamReadResult<Uint8Array> | typeof TIMED_OUT;
      try {
        result = await Promise.race([read, deadline]);
      } finally {
        clearTimeout(timer);
      }
      if (result === TIMED_OUT) {
        timedOut = true;
        const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
        const got = `${receivedBytes} of its ${options.sizeBytes} bytes`;
        const released = letGo(reader, read, Math.min(timeoutMs, MAX_RELEASE_WAIT_MS));
        throw new BodyTimeoutError(
          silentUntil <= slowUntil
            ? `Cannot read the body: nothing arrived for ${timeoutMs / 1000} s (this server's --body-timeout), ` +
              `after ${got} in ${seconds} s`
            : `Cannot read the body: ${got} arrived in ${seconds} s, slower than this server's minimum of ` +
              `${kib(minBytesPerS)} after its --body-timeout of ${timeoutMs / 1000} s`,
          released,
        );
      }
      if (result.done) {
        finished = true;
        return;
      }
      receivedBytes += result.value.byteLength;
      lastByteMs = performance.now();
      yield result.value;
    }
  } finally {
    if (finished) reader.releaseLock();
    // A body given up on (no read waiting): whether its cancellation succeeds changes nothing.
    else if (!timedOut) await reader.cancel().catch(() => {});
  }
}
