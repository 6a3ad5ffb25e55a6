// Run by backend_test.ts with no or scoped --allow-read: prints how initBackend("wasm") goes.
import { initBackend } from "../../lib/runtime/backend.ts";
import { BackendError } from "../../lib/runtime/errors.ts";

try {
  const backend = await initBackend("wasm");
  console.log(JSON.stringify({ ok: true, name: backend.name }));
} catch (error) {
  const backend = error instanceof BackendError ? error.backend : null;
  console.log(JSON.stringify({ ok: false, backend, message: error instanceof Error ? error.message : String(error) }));
}
