/**
 * `fileResponse()`: a response whose body streams a file from disk (never
 * held in memory whole), running a cleanup once the body is done: read to
 * its last byte (the cleanup runs before that byte is sent), cancelled by a
 * client that went away, or failed.
 *
 * @module
 */

/** Bytes read from the file per chunk of the body. */
const CHUNK_BYTES = 64 * 1024;

/** Options of {@linkcode fileResponse}. */
export interface FileResponseOptions {
  /** Status, default 200. */
  readonly status?: number;
  /** Headers (`Content-Length` is set from the file). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Runs once when the body ends, is cancelled or fails (or the file cannot be opened). */
  readonly onDone: () => Promise<void>;
}

/**
 * Stream `path` as a response body.
 *
 * @example
 * ```ts
 * import { fileResponse } from "./file_response.ts";
 *
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "tokens");
 * let removed = false;
 * const response = await fileResponse(path, {
 *   headers: { "content-type": "text/plain" },
 *   onDone: async () => {
 *     await Deno.remove(path);
 *     removed = true;
 *   },
 * });
 * if (response.headers.get("content-length") !== "6" || await response.text() !== "tokens" || !removed) {
 *   throw new Error("unexpected");
 * }
 * ```
 *
 * @param path The file.
 * @param options Status, headers and the cleanup.
 * @returns The response.
 */
export async function fileResponse(path: string, options: FileResponseOptions): Promise<Response> {
  let done: Promise<void> | undefined;
  const finish = () => (done ??= options.onDone());
  let file: Deno.FsFile;
  let sizeBytes: number;
  try {
    file = await Deno.open(path, { read: true });
    sizeBytes = (await file.stat()).size;
  } catch (error) {
    await finish();
    throw error;
  }
  const close = async () => {
    try {
      file.close();
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
    await finish();
  };
  let sentBytes = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = new Uint8Array(CHUNK_BYTES);
        const read = await file.read(chunk);
        if (read === null) {
          await close();
          controller.close();
          return;
        }
        sentBytes += read;
        // The last bytes are read: clean up before they go out, so that a client holding the
        // whole response (it knows the Content-Length) never finds the server's files still there.
        if (sentBytes >= sizeBytes) await close();
        controller.enqueue(chunk.subarray(0, read));
        if (sentBytes >= sizeBytes) controller.close();
      } catch (error) {
        await close();
        controller.error(error);
      }
    },
    cancel: close,
  });
  return new Response(body, {
    status: options.status ?? 200,
    headers: { ...options.headers, "content-length": String(sizeBytes) },
  });
}
