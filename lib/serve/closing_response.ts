/**
 * `closingResponse()`: a response after which the server drops the
 * connection at once, whatever the client is still sending. Deno's HTTP
 * server reads the rest of an unread request body before it closes or
 * reuses a connection, even after `Connection: close`, so a client that
 * trickles a body keeps its connection for as long as it likes; only a
 * response body that fails makes the server drop the connection. The body
 * is therefore sent chunked and fails after its last byte: the client gets
 * the status, the headers and the whole body, then the connection ends
 * (curl reports the missing end of the chunked body, exit code 18). The
 * request body must have been let go of, with no read of it waiting
 * (`body_deadline.ts`): otherwise the server keeps the socket, even after
 * the client has closed its end.
 *
 * @module
 */

/**
 * What ends the body (Deno's server logs it, one line, on stderr): a string,
 * so that the log shows the line and no stack.
 */
export const CONNECTION_DROPPED_LINE = "simvqgan serve: dropped the connection of a request cut off (408)";

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
 * @param init Status and headers (no `Content-Length`: the body is chunked).
 * @returns The response.
 */
export function closingResponse(body: Uint8Array, init: ResponseInit): Response {
  const stream = new ReadableStream<Uint8Array>({
    start: (controller) => controller.enqueue(body),
    pull: (controller) => controller.error(CONNECTION_DROPPED_LINE),
  });
  return new Response(stream, init);
}
