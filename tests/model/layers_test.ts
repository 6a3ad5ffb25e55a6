// Runs the shared layer conformance suite on every backend available here.
import type { ConcreteBackendName } from "../../lib/runtime/backend.ts";
import { registerLayerCases } from "./_layer_cases.ts";

const BACKENDS: readonly ConcreteBackendName[] = ["cpu", "wasm"];
for (const backend of BACKENDS) registerLayerCases(backend);
