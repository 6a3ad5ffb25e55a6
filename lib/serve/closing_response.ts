/**
 * `closingResponse()`: a response after which the server drops the
 * connection, whatever the client is still sending. Deno's HTTP server reads
 * the rest of an unread request body before it closes or reuses a
 * connection, even after `Connection: close`, so a client that trickles a
 * body keeps its connection for as long as it likes; only a response body
 * that fails, once the request body has been let go of, makes the server
 * drop the connection. The body is therefore sent chunked, and fails after
 * its last byte once `after` settles (or `maxWaitMs` has passed): the client
 * gets the status, the headers and the whole body, then the connection ends
 * (curl reports the missing end of the chunked body, exit code 18).
 *
 * @module
 */

/**
 * What ends the body (Deno's server logs it, one line, on stderr): a string,
 * so that the log shows the line and no stack.
 */
export const CONNECTION_DROPPED_LINE = "simvqgan serve: dropped the connection of a request cut off (408)";

/** Options of {@linkcode closingResponse}. */
export interface ClosingResponseOptions extends ResponseInit {
  /** Settles when the connection may be dropped (the request body has been let go of). Default: at once. */
  readonly after?: Promise<void>;
  /** The longest to wait for `after`, ms (then the body ends anyway, and the connection may stay open). */
  readonly maxWaitMs?: number;
}

/** Default {@linkcode ClosingResponseOptions.maxWaitMs}. */
export const DEFAULT_DROP_WAIT_MS = 10_000;

/**
 * A response whose connection is dropped after its body.
 *
 * @example
 * ```ts
 * import { closingResponse } from "./closing_response.ts";
 *
 * const response = closingResponse(new TextEncoder().encode('{"status":408}'), { status: 408 });
 * const reader = response.body!.getReader();
 * const first = await reader.read();
 * if (first.done || first.value.length !== 14) throw new Error("the body is missing");
 * const ended = await reader.read().then(() => "clean end", () => "dropped");
 * if (ended !== "dropped") throw new Error("the connection would stay open");
 * ```
 *
 * @param body The whole body.
 * @param options Status and headers (no `Content-Length`: the body is chunked), and when to drop.
 * @returns The response.
 */
export function closingResponse(body: Uint8Array, options: ClosingResponseOptions): Response {
  const { after, maxWaitMs, ...init } = options;
  const stream = new ReadableStream<Uint8Array>({
    start: (controller) => controller.enqueue(body),
    async pull(controller) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => timer = setTimeout(resolve, maxWaitMs ?? DEFAULT_DROP_WAIT_MS));
      await Promise.race([after ?? Promise.resolve(), late]);
      clearTimeout(timer);
      controller.error(CONNECTION_DROPPED_LINE);
    },
  });
  return new Response(stream, init);
}
