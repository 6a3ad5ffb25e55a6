/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * The loader worker: runs work units one at a time and describes files as
 * soon as asked (between a unit's reads), posting each reply back (a unit's window buffer is transferred, not
 * copied). Data problems come back as warnings inside the result; anything
 * else as a `failed` reply.
 *
 * @module
 */
import { describeFile } from "./_file_plan.ts";
import { ReaderCache } from "./_reader_cache.ts";
import { processUnit } from "./_work_unit.ts";
import type { WorkerReply, WorkerRequest } from "./_unit_runner.ts";

/**
 * The worker's message handler; its readers and queue live in this closure.
 *
 * @returns The handler.
 */
function serve(): (event: MessageEvent<WorkerRequest>) => void {
  let readers = new ReaderCache();
  let queue: Promise<void> = Promise.resolve();

  const reply = async (request: Exclude<WorkerRequest, { kind: "init" }>): Promise<void> => {
    try {
      if (request.kind === "describe") {
        const summary = await describeFile(request.path, readers);
        const message: WorkerReply = { kind: "summary", id: request.id, summary };
        self.postMessage(message);
      } else {
        const result = await processUnit(request.unit, readers);
        const message: WorkerReply = { kind: "result", id: request.id, result };
        self.postMessage(message, [result.windows.buffer]);
      }
    } catch (error) {
      const message: WorkerReply = {
        kind: "failed",
        id: request.id,
        message: error instanceof Error ? error.message : String(error),
      };
      self.postMessage(message);
    }
  };

  return (event) => {
    const request = event.data;
    if (request.kind === "init") {
      readers = new ReaderCache(request.openReaders);
      return;
    }
    // Descriptions jump the queue of units: the dataset's planner is waiting for them.
    if (request.kind === "describe") void reply(request);
    else queue = queue.then(() => reply(request));
  };
}

self.onmessage = serve();
