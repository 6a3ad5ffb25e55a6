/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * A codec worker: loads a checkpoint's generator on its own backend and runs
 * the encode and decode jobs posted to it (`startWorkerRunner`).
 *
 * @module
 */
import { loadCodec, type LoadedCodec } from "./load_codec.ts";
import type { WorkerReply, WorkerRequest } from "./_worker_protocol.ts";

let codec: LoadedCodec | undefined;
let queue: Promise<void> = Promise.resolve();

function reply(message: WorkerReply, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

async function handle(request: WorkerRequest): Promise<void> {
  if (request.kind === "init") {
    try {
      codec = await loadCodec(request.checkpoint, { backend: request.backend });
      reply({ kind: "ready", sha256: codec.checkpoint.sha256 });
    } catch (error) {
      reply({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
    }
    return;
  }
  try {
    if (codec === undefined) throw new Error("the codec worker was not initialised");
    const result = request.kind === "encode"
      ? await codec.encodeWindows(request.windows, request.samples)
      : await codec.decodeCodes(request.codes, request.codesPerRow);
    reply({ kind: "result", id: request.id, result }, [result.buffer as ArrayBuffer]);
  } catch (error) {
    reply({ kind: "error", id: request.id, message: error instanceof Error ? error.message : String(error) });
  }
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  queue = queue.then(() => handle(request));
};
