/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * A Worker for the WorkerRpc tests: echoes, throws library errors, dies.
 *
 * @module
 */
import { CheckpointError } from "../../lib/checkpoint/errors.ts";
import { serveRpc, transferring } from "../../lib/runtime/worker_rpc.ts";
import type { TestMethods } from "./_rpc_methods.ts";

let slowDone = false;

serveRpc<TestMethods>(self, {
  double: ({ values }) => {
    const out = values.map((v) => 2 * v);
    return Promise.resolve(transferring(out, [out.buffer]));
  },
  checkpoint: ({ path }) => {
    throw new CheckpointError(path, "Cannot load checkpoint: state.json records no step", {
      cause: new RangeError("step is missing"),
    });
  },
  plain: () => Promise.reject(new Error("something broke")),
  slow: async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    slowDone = true;
    return "slow";
  },
  quick: () => Promise.resolve(slowDone ? "after slow" : "before slow"),
  die: () => {
    // An uncaught error outside any handler kills the Worker.
    setTimeout(() => {
      throw new Error("the worker died");
    }, 0);
    return new Promise(() => {});
  },
}, { immediate: ["quick"] });
