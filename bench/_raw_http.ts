/**
 * An HTTP/1.1 client on a bare TCP connection, for what `fetch` will not
 * send: bodies that trickle or stop, lengths that lie, odd methods, huge
 * headers, clients that hang up. Shared by the serve tests (slow clients,
 * fuzzing) and the soak benchmark. It reads the response as far as it
 * comes (`Content-Length` or chunked framing) and says whether it was
 * complete and whether the server closed the connection.
 *
 * @module
 */

/** How to send a request. */
export interface RawRequestOptions {
  /** Give up after this long, ms (the result then says `timedOut`). */
  readonly timeoutMs: number;
  /** Send the body this many bytes at a time, one piece every `everyMs` (default: all at once). */
  readonly trickle?: { readonly bytes: number; readonly everyMs: number };
  /** Send only this many bytes of the body, then nothing more (the connection stays open). */
  readonly stopAfterBytes?: number;
  /** End the sending side once the request is sent (the server then sees the body end there). */
  readonly closeWrite?: boolean;
  /** Close the connection this long after the request was sent, whatever came back: a client that leaves. */
  readonly hangUpAfterMs?: number;
  /**
   * When to stop reading: `"end"` (default) once the response is whole or the
   * connection ends; `"body"` as soon as the headers and some of the body are
   * in; `"error-body"` so for an error status (≥ 400), else at the end.
   */
  readonly readUntil?: "end" | "body" | "error-body";
}

/** What came back. */
export interface RawResponse {
  /** The status (0: no status line came). */
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: ReadonlyMap<string, string>;
  /** The body as far as it came (chunked framing removed). */
  readonly body: Uint8Array;
  /** The body came whole, as its framing says. */
  readonly complete: boolean;
  /** The server closed (or reset) the connection. */
  readonly closed: boolean;
  /** Nothing ended the exchange within the timeout. */
  readonly timedOut: boolean;
  /** From the first byte sent to the end of the exchange, ms. */
  readonly ms: number;
  /** From the first byte sent to the response's headers, ms (NaN: none came). */
  readonly headMs: number;
}

const HEADER_END = new Uint8Array([13, 10, 13, 10]);

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

interface Parsed {
  readonly status: number;
  readonly headers: Map<string, string>;
  readonly body: Uint8Array;
  readonly complete: boolean;
}

/** Parse what has arrived so far; undefined until the headers are whole. */
export function parseRawResponse(bytes: Uint8Array, method = "POST"): Parsed | undefined {
  const end = indexOf(bytes, HEADER_END);
  if (end < 0) return undefined;
  const lines = new TextDecoder().decode(bytes.subarray(0, end)).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "")?.[1] ?? 0);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const rest = bytes.subarray(end + HEADER_END.length);
  if (method === "HEAD" || status === 204 || status === 304) {
    return { status, headers, body: new Uint8Array(0), complete: true };
  }
  const length = headers.get("content-length");
  if (length !== undefined) {
    const n = Number(length);
    return { status, headers, body: rest.subarray(0, n), complete: rest.length >= n };
  }
  if (headers.get("transfer-encoding")?.toLowerCase() === "chunked") {
    const parts: Uint8Array[] = [];
    let at = 0;
    while (true) {
      const lineEnd = indexOf(rest, HEADER_END.subarray(0, 2), at);
      if (lineEnd < 0) break;
      const size = parseInt(new TextDecoder().decode(rest.subarray(at, lineEnd)), 16);
      if (!Number.isFinite(size)) break;
      if (size === 0) return { status, headers, body: concat(parts), complete: true };
      const start = lineEnd + 2;
      if (rest.length < start + size + 2) break;
      parts.push(rest.subarray(start, start + size));
      at = start + size + 2;
    }
    return { status, headers, body: concat(parts), complete: false };
  }
  // No framing: the body runs to the end of the connection.
  return { status, headers, body: rest, complete: false };
}

/**
 * Send `head` (the request line and headers, ending in an empty line) and
 * `body` on a new connection, and read the answer.
 *
 * @param address Where the server listens.
 * @param request The head (text) and the body bytes.
 * @param options Timeout, trickling, stopping and hanging up.
 * @returns What came back.
 */
export async function rawRequest(
  address: { readonly hostname: string; readonly port: number },
  request: { readonly head: string; readonly body?: Uint8Array; readonly method?: string },
  options: RawRequestOptions,
): Promise<RawResponse> {
  const started = performance.now();
  const conn = await Deno.connect({ hostname: address.hostname, port: address.port });
  const received: Uint8Array[] = [];
  let parsed: Parsed | undefined, closed = false, timedOut = false, finished = false, headMs = NaN;
  const timer = setTimeout(() => {
    timedOut = !finished;
    stop();
  }, options.timeoutMs);
  const stop = () => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    try {
      conn.close();
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
  };
  const write = async (bytes: Uint8Array) => {
    for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
  };
  const writing = (async () => {
    const body = request.body ?? new Uint8Array(0);
    const upTo = Math.min(body.length, options.stopAfterBytes ?? body.length);
    await write(new TextEncoder().encode(request.head));
    const piece = options.trickle?.bytes ?? upTo;
    for (let at = 0; at < upTo && !finished; at += piece) {
      if (options.trickle !== undefined && at > 0) await new Promise((r) => setTimeout(r, options.trickle!.everyMs));
      if (finished) break;
      await write(body.subarray(at, Math.min(upTo, at + piece)));
    }
    if (options.closeWrite === true && !finished) await conn.closeWrite();
    if (options.hangUpAfterMs !== undefined) {
      await new Promise((r) => setTimeout(r, options.hangUpAfterMs));
      stop();
    }
  })().catch(() => {
    // The server closed the connection while the body was going out: the reader says what came back.
  });
  const buffer = new Uint8Array(64 * 1024);
  while (!finished) {
    let n: number | null;
    try {
      n = await conn.read(buffer);
    } catch (error) {
      if (finished) break; // our own close (timeout or hang-up)
      const dropped = error instanceof Deno.errors.ConnectionReset || error instanceof Deno.errors.BrokenPipe ||
        error instanceof Deno.errors.ConnectionAborted || error instanceof Deno.errors.UnexpectedEof;
      if (!dropped) throw error;
      n = null;
    }
    if (n === null) {
      closed = !finished;
      break;
    }
    received.push(buffer.slice(0, n));
    parsed = parseRawResponse(concat(received), request.method);
    if (parsed !== undefined && Number.isNaN(headMs)) headMs = performance.now() - started;
    if (parsed?.complete === true) break;
    const early = options.readUntil === "body" || (options.readUntil === "error-body" && (parsed?.status ?? 0) >= 400);
    if (early && parsed !== undefined && parsed.body.length > 0) break;
  }
  const ms = performance.now() - started;
  stop();
  await writing;
  parsed ??= parseRawResponse(concat(received), request.method);
  return {
    status: parsed?.status ?? 0,
    headers: parsed?.headers ?? new Map(),
    body: parsed?.body ?? new Uint8Array(0),
    complete: parsed?.complete ?? false,
    closed,
    timedOut,
    ms,
    headMs,
  };
}
