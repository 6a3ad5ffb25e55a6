/**
 * The methods of a codec Worker (`_codec_worker.ts`), called through
 * `WorkerRpc` by `_model_runner.ts`, and the error classes its failures
 * arrive as.
 *
 * @module
 */
import { CheckpointError } from "../checkpoint/errors.ts";
import { ParamStateError } from "../model/errors.ts";
import type { ConcreteBackendName } from "../runtime/config_types.ts";
import { BackendError, BackendSetupError, ConfigError, InputError } from "../runtime/errors.ts";
import type { ErrorClass } from "../runtime/worker_rpc.ts";
import { CodecMismatchError, TokenFileError } from "./errors.ts";

/** A codec Worker's methods. */
export type CodecWorkerMethods = {
  /** Load a checkpoint's generator on a backend; returns its sha256. */
  readonly init: {
    readonly params: { readonly checkpoint: string; readonly backend: ConcreteBackendName };
    readonly result: { readonly sha256: string };
  };
  /** Normalised windows `[rows, samples]` → codes `[rows, samples / hop]`. */
  readonly encode: {
    readonly params: { readonly windows: Float32Array; readonly samples: number };
    readonly result: Uint16Array;
  };
  /** Codes `[rows, codesPerRow]` → normalised windows `[rows, codesPerRow · hop]`. */
  readonly decode: {
    readonly params: { readonly codes: Uint16Array; readonly codesPerRow: number };
    readonly result: Float32Array;
  };
};

/** The classes a codec Worker's errors are rebuilt as (what the same work throws in this thread). */
export const CODEC_WORKER_ERRORS: readonly ErrorClass[] = [
  CheckpointError,
  CodecMismatchError,
  TokenFileError,
  ParamStateError,
  ConfigError,
  InputError,
  BackendSetupError,
  BackendError,
];
