/**
 * Messages between the `ParallelTrainer` and its replica Workers
 * (`_replica_worker.ts`). Every request carries an id that its reply repeats.
 *
 * @module
 */
import type { KernelPlan } from "../model/kernel_plan.ts";
import type { ConcreteBackendName } from "../runtime/backend.ts";
import type { RngState } from "../runtime/rng.ts";
import type { Reconstruction } from "./evaluate.ts";
import type { ReplicaStepResult } from "./combine_replica_steps.ts";
import type { TrainerSetup, TrainerState } from "./trainer.ts";

/** A request from the main thread. */
export type ReplicaRequest =
  | {
    readonly kind: "init";
    readonly id: number;
    readonly setup: TrainerSetup;
    readonly rngState: RngState;
    readonly backend: ConcreteBackendName;
    readonly plan: KernelPlan | undefined;
    readonly index: number;
    readonly replicas: number;
  }
  | { readonly kind: "attach"; readonly id: number; readonly buffer: SharedArrayBuffer }
  | {
    readonly kind: "step";
    readonly id: number;
    readonly step: number;
    readonly microBatches: readonly Float32Array[];
    /** The quantizer stages K of each micro-batch (the same for every replica). */
    readonly quantizers: readonly number[];
    readonly fraction: number;
  }
  | { readonly kind: "export"; readonly id: number }
  | { readonly kind: "import"; readonly id: number; readonly state: TrainerState }
  | {
    readonly kind: "reconstruct";
    readonly id: number;
    readonly values: Float32Array;
    readonly batchSize: number;
    readonly windowSamples: number;
  };

/** An error, as it crosses the Worker boundary. */
export interface SerialisedError {
  /** `ParamStateError`, `RangeError`, `TypeError` or another class name. */
  readonly name: string;
  readonly message: string;
  /** The parameter of a `ParamStateError`. */
  readonly paramName?: string;
  /** The backend of a `BackendError`. */
  readonly backend?: string;
}

/** A reply to a request. */
export type ReplicaReply =
  | { readonly kind: "ready"; readonly id: number; readonly gradientValues: number }
  | { readonly kind: "done"; readonly id: number }
  | { readonly kind: "stepped"; readonly id: number; readonly part: ReplicaStepResult }
  | { readonly kind: "state"; readonly id: number; readonly state: TrainerState }
  | { readonly kind: "reconstruction"; readonly id: number; readonly result: Reconstruction }
  | { readonly kind: "failed"; readonly id: number; readonly error: SerialisedError };
