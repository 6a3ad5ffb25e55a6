/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * The loader worker: runs work units one at a time and describes files as
 * soon as asked (between a unit's reads); a unit's window buffer is
 * transferred, not copied. Data problems come back as warnings inside the
 * result; anything else as the error, by class.
 *
 * @module
 */
import { serveRpc, transferring } from "../runtime/worker_rpc.ts";
import { describeFile } from "./_file_plan.ts";
import { ReaderCache } from "./_reader_cache.ts";
import { processUnit } from "./_work_unit.ts";
import type { LoaderWorkerMethods } from "./_unit_runner.ts";

let readers = new ReaderCache();

serveRpc<LoaderWorkerMethods>(self, {
  init: ({ openReaders }) => {
    readers = new ReaderCache(openReaders);
    return Promise.resolve(null);
  },
  describe: ({ path }) => describeFile(path, readers),
  unit: async ({ unit }) => {
    const result = await processUnit(unit, readers);
    return transferring(result, [result.windows.buffer]);
  },
}, { immediate: ["describe"] });
