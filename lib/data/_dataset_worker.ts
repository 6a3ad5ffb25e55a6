/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * The loader worker: describes files and runs work units, one request at a
 * time, posting each reply back (a unit's window buffer is transferred, not
 * copied). Data problems come back as warnings inside the result; anything
 * else as a `failed` reply.
 *
 * @module
 */
import { describeFile } from "./_file_plan.ts";
import { processUnit, ReaderCache } from "./_work_unit.ts";
import type { WorkerReply, WorkerRequest } from "./_unit_runner.ts";

const readers = new ReaderCache();
let queue: Promise<void> = Promise.resolve();

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  queue = queue.then(async () => {
    try {
      if (request.kind === "describe") {
        const summary = await describeFile(request.path, (path) => readers.get(path));
        const reply: WorkerReply = { kind: "summary", id: request.id, summary };
        self.postMessage(reply);
      } else {
        const result = await processUnit(request.unit, readers);
        const reply: WorkerReply = { kind: "result", id: request.id, result };
        self.postMessage(reply, [result.windows.buffer]);
      }
    } catch (error) {
      const reply: WorkerReply = {
        kind: "failed",
        id: request.id,
        message: error instanceof Error ? error.message : String(error),
      };
      self.postMessage(reply);
    }
  });
};
