import { assert, assertEquals, assertMatch, assertRejects } from "../_assert.ts";
import { fromFileUrl } from "@std/path";
import * as tf from "@tensorflow/tfjs-core";
import { describeBackend, initBackend } from "../../lib/runtime/backend.ts";
import { BackendError, BackendSetupError } from "../../lib/runtime/errors.ts";
import { isInputError } from "../../lib/runtime/error_report.ts";

/** Where the wasm binaries are, found independently of wasmBinaryDir(): beside the package's entry module. */
const WASM_DIR = fromFileUrl(new URL(".", import.meta.resolve("@tensorflow/tfjs-backend-wasm"))).replace(/\/$/, "");

Deno.test("initBackend() activates the named cpu backend", async () => {
  const backend = await initBackend("cpu");
  assertEquals(backend.name, "cpu");
  assertEquals(tf.getBackend(), "cpu");
  assertEquals(backend.attempts.map((a) => [a.backend, a.ok]), [["cpu", true]]);
});

Deno.test("initBackend() activates wasm with SIMD when --allow-read is granted", async () => {
  const backend = await initBackend("wasm");
  assertEquals(tf.getBackend(), "wasm");
  assertEquals(backend.device, "wasm (XNNPACK, SIMD, 1 thread)");
});

// This test process resolves npm packages from Deno's global cache, where a
// native binding is never installed (tests/tasks/train_gpu_test.ts runs the
// tasks in a copy of the project, with and without a node_modules folder).
Deno.test("initBackend() auto skips tensorflow when tfjs-node-gpu is not usable and lists why", async () => {
  const backend = await initBackend("auto");
  const [first] = backend.attempts;
  assertEquals(first?.backend, "tensorflow");
  assertEquals(first?.ok, false);
  assertMatch(first?.reason ?? "", /^tfjs-node-gpu is (not installed|installed in node_modules but)/);
  const last = backend.attempts[backend.attempts.length - 1];
  assertEquals(last?.ok, true);
  assertEquals(last?.backend, backend.name);
  assert(backend.attempts.slice(0, -1).every((a) => !a.ok), "only the last attempt succeeds");
  assertEquals(tf.getBackend(), backend.name);
  assertMatch(describeBackend(backend), /^backend .*; skipped tensorflow: tfjs-node-gpu is /);
});

Deno.test("initBackend() throws BackendSetupError, an exit-2 error, for tensorflow without its binding", async () => {
  const error = await assertRejects(() => initBackend("tensorflow"), BackendSetupError);
  assert(error instanceof BackendError, "a BackendSetupError is a BackendError");
  assertEquals(error.backend, "tensorflow");
  assertMatch(error.message, /^Cannot initialise backend tensorflow: tfjs-node-gpu is /);
  assert(isInputError(error), "the CLI exits with code 2 for it");
});

Deno.test("initBackend() reports wasm without --allow-read instead of falling back to cpu", async () => {
  assertEquals(await wasmWithReadFlags([]), {
    ok: false,
    backend: "wasm",
    message: `Cannot initialise backend wasm: needs read access to ${WASM_DIR} (--allow-read) to load its ` +
      ".wasm binary from the npm cache",
  });
});

Deno.test("initBackend() starts wasm with read access to wasmBinaryDir() only", async () => {
  assertEquals(await wasmWithReadFlags([`--allow-read=${WASM_DIR}`]), { ok: true, name: "wasm" });
});

async function wasmWithReadFlags(flags: readonly string[]): Promise<unknown> {
  const script = new URL("./_wasm_without_read.ts", import.meta.url).pathname;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--allow-env", ...flags, script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return JSON.parse(new TextDecoder().decode(output.stdout).trim());
}
