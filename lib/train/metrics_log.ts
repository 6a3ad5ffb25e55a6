/**
 * The training logs in the checkpoint directory (SPEC §3.5): `train.log`,
 * human lines in the seed's format (`step N, key: value, ...`), and
 * `metrics.jsonl`, one JSON object per log step.
 *
 * @module
 */
import { join } from "@std/path";
import { writeFileAtomic } from "../runtime/atomic_file.ts";

/** One log record: numbers, strings, or null for values not computed at that step. */
export type MetricsRecord = Readonly<Record<string, number | string | null>>;

/** File names inside the checkpoint directory. */
export const TRAIN_LOG_FILE = "train.log";
/** File names inside the checkpoint directory. */
export const METRICS_FILE = "metrics.jsonl";

/** Options of {@linkcode MetricsLog.open}. */
export interface MetricsLogOptions {
  /**
   * Continuing from a checkpoint at this step: records after it (logged by a
   * run that stopped before its next checkpoint) are dropped from
   * `metrics.jsonl`, so a resumed run's history has no duplicate steps.
   */
  readonly resumeStep?: number;
}

/** Appends records to `train.log` and `metrics.jsonl`. */
export class MetricsLog {
  /** Path of `train.log`. */
  readonly trainLogPath: string;
  /** Path of `metrics.jsonl`. */
  readonly metricsPath: string;

  private constructor(dir: string) {
    this.trainLogPath = join(dir, TRAIN_LOG_FILE);
    this.metricsPath = join(dir, METRICS_FILE);
  }

  /**
   * Open (create) the logs in `dir`.
   *
   * @param dir The checkpoint directory.
   * @param options Resume point.
   * @returns The log.
   *
   * @example
   * ```ts
   * import { MetricsLog } from "./metrics_log.ts";
   *
   * const dir = await Deno.makeTempDir();
   * const log = await MetricsLog.open(dir);
   * await log.write({ step: 1, total_loss: 0.5 });
   * if ((await Deno.readTextFile(`${dir}/train.log`)).trim() !== "step 1, total_loss: 0.5000") throw new Error("format");
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  static async open(dir: string, options: MetricsLogOptions = {}): Promise<MetricsLog> {
    await Deno.mkdir(dir, { recursive: true });
    const log = new MetricsLog(dir);
    if (options.resumeStep !== undefined) {
      await log.#truncateAfter(options.resumeStep);
      await log.note(`resumed from step ${options.resumeStep}`);
    }
    return log;
  }

  /**
   * Append one record (it should have a numeric `step`).
   *
   * @param record The metrics.
   */
  async write(record: MetricsRecord): Promise<void> {
    await Deno.writeTextFile(this.metricsPath, JSON.stringify(record) + "\n", { append: true });
    await Deno.writeTextFile(this.trainLogPath, formatLogLine(record) + "\n", { append: true });
  }

  /**
   * Append a free-form line to `train.log` only.
   *
   * @param line The text.
   */
  async note(line: string): Promise<void> {
    await Deno.writeTextFile(this.trainLogPath, line + "\n", { append: true });
  }

  /** The records in `metrics.jsonl`, oldest first. */
  async records(): Promise<MetricsRecord[]> {
    try {
      const text = await Deno.readTextFile(this.metricsPath);
      return text.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [];
      throw error;
    }
  }

  async #truncateAfter(step: number): Promise<void> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.metricsPath);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    const kept = text.split("\n").filter((line) => {
      if (line === "") return false;
      try {
        const value = JSON.parse(line)?.step;
        return typeof value !== "number" || value <= step;
      } catch {
        return false; // A line cut short by a crash.
      }
    });
    await writeFileAtomic(this.metricsPath, kept.map((line) => line + "\n").join(""));
  }
}

/**
 * One `train.log` line: `step N, key: value, ...` with numbers to 4 decimals
 * (integers as they are), as the seed printed them.
 *
 * @param record The metrics.
 * @returns The line.
 */
export function formatLogLine(record: MetricsRecord): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (value === null) continue;
    if (key === "step") {
      parts.unshift(`step ${value}`);
      continue;
    }
    const text = typeof value === "number" && !Number.isInteger(value) ? value.toFixed(4) : String(value);
    parts.push(`${key}: ${text}`);
  }
  return parts.join(", ");
}
