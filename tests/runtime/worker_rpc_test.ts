import { assert, assertEquals, assertInstanceOf, assertRejects } from "../_assert.ts";
import { CheckpointError } from "../../lib/checkpoint/errors.ts";
import { InputError } from "../../lib/runtime/errors.ts";
import { deserialiseError, serialiseError, WorkerRpc } from "../../lib/runtime/worker_rpc.ts";
import type { TestMethods } from "./_rpc_methods.ts";

const WORKER = new URL("./_rpc_worker.ts", import.meta.url);

class WrappedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WrappedError";
  }
}

function start(onCrash?: (error: Error) => void): WorkerRpc<TestMethods> {
  return WorkerRpc.start<TestMethods>(WORKER, {
    errorClasses: [CheckpointError],
    foreignError: (error) => new WrappedError(`worker: ${error.name}: ${error.message}`),
    crashError: (reason) => new WrappedError(`the test worker crashed: ${reason}`),
    ...(onCrash === undefined ? {} : { onCrash }),
  });
}

Deno.test("WorkerRpc.call() returns results, moving transferred buffers", async () => {
  const rpc = start();
  try {
    const values = Float64Array.of(1, 2.5, -3);
    assertEquals(await rpc.call("double", { values }), Float64Array.of(2, 5, -6));
    assertEquals(rpc.pending, 0);
  } finally {
    rpc.fail(new Error("done"));
  }
});

Deno.test("WorkerRpc.call() rejecting with the Worker's error as its class, fields and cause, as in this thread", async () => {
  const rpc = start();
  try {
    const error = await assertRejects(() => rpc.call("checkpoint", { path: "/ckpt/checkpoint_3" }), CheckpointError);
    assertInstanceOf(error, InputError);
    assertEquals(error.message, "/ckpt/checkpoint_3: Cannot load checkpoint: state.json records no step");
    assertEquals([error.name, error.path], ["CheckpointError", "/ckpt/checkpoint_3"]);
    assertInstanceOf(error.cause, RangeError);
    assertEquals((error.cause as RangeError).message, "step is missing");
    // What the same code throws in this thread:
    const local = new CheckpointError("/ckpt/checkpoint_3", "Cannot load checkpoint: state.json records no step");
    assertEquals([local.name, local.message, local.path], [error.name, error.message, error.path]);
    // A plain Error says nothing of its kind: the RPC's foreignError words it.
    await assertRejects(() => rpc.call("plain", null), WrappedError, "worker: Error: something broke");
  } finally {
    rpc.fail(new Error("done"));
  }
});

Deno.test("WorkerRpc answers immediate methods before the queued ones", async () => {
  const rpc = start();
  try {
    const slow = rpc.call("slow", null);
    assertEquals(await rpc.call("quick", null), "before slow");
    assertEquals(await slow, "slow");
    assertEquals(await rpc.call("quick", null), "after slow");
  } finally {
    rpc.fail(new Error("done"));
  }
});

Deno.test("WorkerRpc rejecting every pending and later call when its Worker dies, and calling onCrash once", async () => {
  const crashes: Error[] = [];
  const rpc = start((error) => crashes.push(error));
  const dying = rpc.call("die", null);
  const slow = rpc.call("slow", null); // queued behind the call that never answers
  await assertRejects(() => dying, WrappedError, "the test worker crashed: Uncaught Error: the worker died");
  await assertRejects(() => slow, WrappedError, "the test worker crashed");
  await assertRejects(() => rpc.call("quick", null), WrappedError, "the test worker crashed");
  assertEquals(crashes.length, 1);
  assert(rpc.failure === crashes[0]);
});

Deno.test("WorkerRpc.fail() rejects what is pending with the given error and terminates the Worker", async () => {
  const rpc = start();
  const slow = rpc.call("slow", null);
  rpc.fail(new RangeError("closed"));
  await assertRejects(() => slow, RangeError, "closed");
  await assertRejects(() => rpc.call("quick", null), RangeError, "closed");
});

Deno.test("deserialiseError() rebuilding an unknown class as an Error of its name, and a non-error as Error", () => {
  const unknown = deserialiseError(serialiseError(new CheckpointError("/x", "bad")));
  assertEquals([unknown.constructor, unknown.name, unknown.message], [Error, "CheckpointError", "/x: bad"]);
  assertEquals(Reflect.get(unknown, "path"), "/x");
  const thrown = deserialiseError(serialiseError("a string"));
  assertEquals([thrown.name, thrown.message], ["Error", "a string"]);
  const notFound = deserialiseError(structuredClone(serialiseError(new Deno.errors.NotFound("gone"))));
  assertInstanceOf(notFound, Deno.errors.NotFound);
});
