/**
 * Where a resumed run continues: exactly at the checkpoint's data position
 * when the checkpoint trained the same model on the same data plan, or, when
 * the data changed and the caller accepts it, at the start of the next epoch.
 *
 * @module
 */
import { type DataPlan, describeDataPlanChange } from "../data/data_plan.ts";
import type { DatasetPosition } from "../data/types.ts";
import type { Config } from "../runtime/config.ts";
import { CheckpointError } from "../checkpoint/errors.ts";
import type { LegacyDatasetPosition, LoopState } from "./train_state.ts";

/** The flag that accepts changed data (named in the refusal). */
export const RESUME_CHANGED_DATA_FLAG = "--resume-changed-data";

/** Where to continue. */
export type ResumePoint =
  | { readonly kind: "exact"; readonly position: DatasetPosition }
  | {
    readonly kind: "next_epoch";
    /** The epoch to start. */
    readonly epoch: number;
    /** What changed, in words. */
    readonly change: string;
  };

/** Options of {@linkcode resumePoint}. */
export interface ResumePointOptions {
  /** Accept a changed data plan and continue from the start of the next epoch. Default false. */
  readonly acceptChangedData?: boolean;
}

/**
 * Decide where a run resumed from `saved` continues.
 *
 * @param saved The checkpoint's loop state.
 * @param current The config and data plan of the run now, and the checkpoint's path (for messages).
 * @param options Whether a changed data plan is accepted.
 * @returns The resume point.
 * @throws {CheckpointError} When the model differs, or the data does and it is not accepted.
 */
export function resumePoint(
  saved: LoopState,
  current: { readonly config: Readonly<Config>; readonly plan: DataPlan; readonly path: string },
  options: ResumePointOptions = {},
): ResumePoint {
  const { config, plan, path } = current;
  const differing = firstDifference(saved.config.model, config.model, "model");
  if (differing !== undefined) {
    throw new CheckpointError(path, `Cannot resume: ${differing} differs from the checkpoint's config`);
  }
  if (saved.config.data.normalization !== config.data.normalization) {
    throw new CheckpointError(
      path,
      `Cannot resume: data.normalization is ${config.data.normalization}, the checkpoint used ` +
        `${saved.config.data.normalization} (it decides the decoder's output head)`,
    );
  }
  const change = saved.data_plan === null
    ? `the checkpoint records no data plan (written by simvqgan ${saved.version})`
    : describeDataPlanChange(saved.data_plan, plan);
  if (change === undefined && isCurrentPosition(saved.data_position)) {
    return { kind: "exact", position: saved.data_position };
  }
  const reason = change ?? "its data position is in an older format";
  if (options.acceptChangedData !== true) {
    throw new CheckpointError(
      path,
      `Cannot resume: the data differs from the checkpoint's: ${reason}; the saved position would point at ` +
        `other windows (${RESUME_CHANGED_DATA_FLAG} continues from the start of the next epoch)`,
    );
  }
  const position = saved.data_position;
  const atStart = position.epochWindow === 0 && position.blockOffset === 0;
  return { kind: "next_epoch", epoch: atStart ? position.epoch : position.epoch + 1, change: reason };
}

function isCurrentPosition(position: DatasetPosition | LegacyDatasetPosition): position is DatasetPosition {
  return "lanes" in position;
}

function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return Object.is(a, b) ? undefined : path;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const d = firstDifference(Reflect.get(a, key), Reflect.get(b, key), `${path}.${key}`);
    if (d !== undefined) return d;
  }
  return undefined;
}
