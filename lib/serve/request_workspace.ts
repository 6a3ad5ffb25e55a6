/**
 * `RequestWorkspace`: one request's private folder (mode 0700) under the
 * server's temp folder, holding its uploaded body and its output, removed
 * when the request ends.
 *
 * @module
 */
import { join } from "@std/path";
import { HttpError } from "./errors.ts";

/** Folder-name prefix of a request's workspace. */
export const WORKSPACE_PREFIX = "req-";

/**
 * A request's files.
 *
 * @example Spool a body, then remove everything
 * ```ts
 * import { RequestWorkspace } from "./request_workspace.ts";
 *
 * const root = await Deno.makeTempDir();
 * const workspace = await RequestWorkspace.create(root);
 * const body = new Response("hello").body;
 * const path = await workspace.writeBody(body, { name: "body.txt", sizeBytes: 5 });
 * if (await Deno.readTextFile(path) !== "hello") throw new Error("body lost");
 * await workspace.dispose();
 * if ((await Array.fromAsync(Deno.readDir(root))).length !== 0) throw new Error("left behind");
 * await Deno.remove(root);
 * ```
 */
export class RequestWorkspace {
  /** The folder (absolute). */
  readonly dir: string;
  #disposed: Promise<void> | undefined;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * Create a private folder under `root`.
   *
   * @param root The server's temp folder.
   * @returns The workspace.
   */
  static async create(root: string): Promise<RequestWorkspace> {
    // Deno creates temp folders with mode 0700: only the server's user can look in.
    return new RequestWorkspace(await Deno.makeTempDir({ dir: root, prefix: WORKSPACE_PREFIX }));
  }

  /**
   * A path inside the workspace.
   *
   * @param name A file name.
   * @returns The absolute path.
   */
  path(name: string): string {
    return join(this.dir, name);
  }

  /**
   * Stream a request body into a new file (mode 0600) of the workspace.
   *
   * @param body The body's chunks, e.g. its stream (null: empty).
   * @param options The file name, the `Content-Length` announced and an abort signal.
   * @returns The file's path.
   * @throws {HttpError} 400 when the body is shorter or longer than announced.
   */
  async writeBody(
    body: AsyncIterable<Uint8Array> | null,
    options: { readonly name: string; readonly sizeBytes: number; readonly signal?: AbortSignal },
  ): Promise<string> {
    const path = this.path(options.name);
    using file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
    let written = 0;
    if (body !== null) {
      for await (const chunk of body) {
        options.signal?.throwIfAborted();
        written += chunk.byteLength;
        if (written > options.sizeBytes) {
          throw new HttpError(400, `Cannot read the body: it is longer than its Content-Length ${options.sizeBytes}`);
        }
        for (let offset = 0; offset < chunk.byteLength;) offset += await file.write(chunk.subarray(offset));
      }
    }
    if (written !== options.sizeBytes) {
      throw new HttpError(
        400,
        `Cannot read the body: it ended after ${written} of its Content-Length ${options.sizeBytes} bytes`,
      );
    }
    return path;
  }

  /** Remove the folder and everything in it; later calls wait for the first. */
  dispose(): Promise<void> {
    this.#disposed ??= Deno.remove(this.dir, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
    return this.#disposed;
  }
}
