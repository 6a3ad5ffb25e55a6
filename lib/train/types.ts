/**
 * The training loop's value types: what `trainModel` takes, reports and
 * returns.
 *
 * @module
 */
import type { EpochSummary } from "../data/types.ts";
import type { ComputeBackend } from "../runtime/backend.ts";
import type { Config } from "../runtime/config.ts";
import type { HeldOutMetrics } from "./evaluate.ts";
import type { MetricsRecord } from "./metrics_log.ts";

/** Something the loop reports while it runs (the task prints; lib never does). */
export type TrainEvent =
  | {
    readonly kind: "start";
    /** Windows an epoch cuts from the data. */
    readonly windowsPerEpoch: number;
    /** Of those, the windows an epoch trains on: whole batches (the rest, short of one, is dropped). */
    readonly trainedWindowsPerEpoch: number;
    readonly stepsPerEpoch: number;
    readonly totalSteps: number;
    readonly startStep: number;
    readonly heldOutWindows: number;
    readonly resumedFrom: string | undefined;
    /** The folder the run writes to. */
    readonly runFolder: string;
    /** Why it is not the one asked for, or what was moved out of it. */
    readonly runFolderNote: string | undefined;
    /** Training replicas (Workers; 1: this thread). */
    readonly workers: number;
  }
  | { readonly kind: "warning"; readonly message: string }
  | { readonly kind: "step"; readonly step: number; readonly totalSteps: number; readonly epoch: number }
  | {
    readonly kind: "log";
    readonly record: MetricsRecord;
    /** The step training ends at. */
    readonly totalSteps: number;
    /** Seconds to the end, from this run's steps after its first; null until two steps are done, and at the end. */
    readonly etaSeconds: number | null;
  }
  | { readonly kind: "epoch"; readonly step: number; readonly summary: EpochSummary }
  | { readonly kind: "checkpoint"; readonly step: number; readonly path: string }
  | {
    readonly kind: "pruned";
    /** The step whose checkpoint's save pruned them. */
    readonly step: number;
    /** `train.keep_last`. */
    readonly keepLast: number;
    /** The checkpoints removed, oldest first, each with the codec export of its generator that remains, if any. */
    readonly removed: readonly PrunedEntry[];
  };

/** A checkpoint pruning removed, and the export of its codec that stays (token files made with it decode). */
export interface PrunedEntry {
  /** Its folder (gone). */
  readonly path: string;
  /** Its step. */
  readonly step: number;
  /** The codec export of its generator in the run's `exports/`, or null when there is none. */
  readonly exportPath: string | null;
}

/** Receives logged records (e.g. WandB). */
export interface MetricsSink {
  /** Log one record at `step`. */
  log(record: MetricsRecord, step: number): void;
}

/** Options of `trainModel`. */
export interface TrainModelOptions {
  /** The merged, validated config. */
  readonly config: Readonly<Config>;
  /** The initialised backend. */
  readonly backend: ComputeBackend;
  /** Aborting finishes the current step, saves a checkpoint and returns (`stopped: true`). */
  readonly signal?: AbortSignal;
  /** Progress, warnings, log records and checkpoints. */
  readonly onEvent?: (event: TrainEvent) => void;
  /** Also send every logged record here. */
  readonly metricsSink?: MetricsSink;
  /** Wall clock, in ms (tests pin it); default `performance.now`. */
  readonly clock?: () => number;
  /**
   * Resume even when the data plan differs from the checkpoint's (files
   * added, removed or resized, or a setting that changes which windows an
   * epoch yields): training continues from the start of the next epoch.
   * Default false: such a resume is refused.
   */
  readonly resumeChangedData?: boolean;
  /**
   * When `checkpoint.dir` holds a run this one would mix with (a fresh run
   * into an earlier run's folder, a resume next to newer checkpoints), move
   * that run's checkpoints and logs into `previous-<time>/` inside it
   * instead of refusing. Default false.
   */
  readonly overwrite?: boolean;
}

/** What `trainModel` returns. */
export interface TrainResult {
  /** Steps taken in total (including those before a resume). */
  readonly steps: number;
  /** Steps taken by this run. */
  readonly stepsThisRun: number;
  /** The epoch of the last step. */
  readonly epoch: number;
  /** The last checkpoint written. */
  readonly checkpoint: string | undefined;
  /** `train.log` and `metrics.jsonl`. */
  readonly logs: { readonly trainLog: string; readonly metrics: string };
  /** True when the signal stopped training before its end. */
  readonly stopped: boolean;
  /** The final held-out metrics, when windows were held out. */
  readonly heldOut: HeldOutMetrics | undefined;
  /** Training wall time of this run, seconds. */
  readonly seconds: number;
  /** Training windows per second over this run. */
  readonly windowsPerSecond: number;
}
