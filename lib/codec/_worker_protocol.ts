/**
 * The messages between the codec's main thread and its Workers
 * (`_model_runner.ts` ↔ `_codec_worker.ts`).
 *
 * @module
 */
import type { ConcreteBackendName } from "../runtime/config_types.ts";

/** Messages to a worker. */
export type WorkerRequest =
  | { readonly kind: "init"; readonly checkpoint: string; readonly backend: ConcreteBackendName }
  | { readonly kind: "encode"; readonly id: number; readonly windows: Float32Array; readonly samples: number }
  | { readonly kind: "decode"; readonly id: number; readonly codes: Uint16Array; readonly codesPerRow: number };

/** Messages from a worker. */
export type WorkerReply =
  | { readonly kind: "ready"; readonly sha256: string }
  | { readonly kind: "failed"; readonly message: string }
  | { readonly kind: "result"; readonly id: number; readonly result: Uint16Array | Float32Array }
  | { readonly kind: "error"; readonly id: number; readonly message: string };
