/**
 * The methods of a training replica Worker (`_replica_worker.ts`), called
 * through `WorkerRpc` by the `ParallelTrainer`, and the error classes its
 * failures arrive as.
 *
 * @module
 */
import type { KernelPlan } from "../model/kernel_plan.ts";
import { ParamStateError } from "../model/errors.ts";
import type { ConcreteBackendName } from "../runtime/backend.ts";
import { BackendError, BackendSetupError } from "../runtime/errors.ts";
import type { RngState } from "../runtime/rng.ts";
import type { ErrorClass } from "../runtime/worker_rpc.ts";
import type { Reconstruction } from "./evaluate.ts";
import type { ReplicaStepResult } from "./combine_replica_steps.ts";
import type { TrainerSetup, TrainerState } from "./trainer.ts";

/** A replica Worker's methods. */
export type ReplicaMethods = {
  /** Build the replica; returns the gradient values its all-reduce slot must hold. */
  readonly init: {
    readonly params: {
      readonly setup: TrainerSetup;
      readonly rngState: RngState;
      readonly backend: ConcreteBackendName;
      readonly plan: KernelPlan | undefined;
      readonly index: number;
      readonly replicas: number;
    };
    readonly result: { readonly gradientValues: number };
  };
  /** Attach the shared all-reduce buffer. */
  readonly attach: { readonly params: { readonly buffer: SharedArrayBuffer }; readonly result: null };
  /** Train on this replica's rows of each micro-batch. */
  readonly step: {
    readonly params: {
      readonly step: number;
      readonly microBatches: readonly Float32Array[];
      /** The quantizer stages K of each micro-batch (the same for every replica). */
      readonly quantizers: readonly number[];
      readonly fraction: number;
    };
    readonly result: ReplicaStepResult;
  };
  /** Copy the replica's state out. */
  readonly export: { readonly params: null; readonly result: TrainerState };
  /** Restore a state. */
  readonly import: { readonly params: { readonly state: TrainerState }; readonly result: null };
  /** Reconstruct one batch with the generator. */
  readonly reconstruct: {
    readonly params: { readonly values: Float32Array; readonly batchSize: number; readonly windowSamples: number };
    readonly result: Reconstruction;
  };
};

/** The classes a replica's errors are rebuilt as; others become a `TrainWorkerError`. */
export const REPLICA_ERRORS: readonly ErrorClass[] = [ParamStateError, BackendSetupError, BackendError];
