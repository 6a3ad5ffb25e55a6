/**
 * The loader's dispatch queue: a pump that plans ahead and starts work units
 * while the consumer takes finished ones in order, so that the consumer never
 * waits on planning (which may wait on a file description queued behind
 * other work) while a finished unit is ready.
 *
 * @module
 */
import type { UnitRunner } from "./_unit_runner.ts";
import type { UnitResult, WorkUnit } from "./_work_unit.ts";

/** What the planner produces: a unit to run, from the file at `order` of the epoch's file order. */
export interface PlannedItem {
  readonly order: number;
  readonly unit: Omit<WorkUnit, "seq">;
}

/** A started unit, in stream order. */
export interface QueuedItem {
  readonly order: number;
  readonly unit: WorkUnit;
  /** Windows the unit was planned to give (its share of the prefetch budget). */
  readonly plannedWindows: number;
  readonly result: Promise<UnitResult>;
}

/** Starts planned units up to a budget of windows ahead of the consumer. */
export class DispatchQueue {
  readonly #planner: AsyncIterator<PlannedItem, void, undefined>;
  readonly #runner: UnitRunner;
  readonly #budgetWindows: number;
  readonly #items: QueuedItem[] = [];
  #queuedWindows = 0;
  #done = false;
  #stopped = false;
  #failure: { readonly error: unknown } | undefined;
  #wakeConsumer: (() => void) | undefined;
  #wakePump: (() => void) | undefined;

  /**
   * Start pumping.
   *
   * @param planner The planned items, in stream order.
   * @param runner Runs the units.
   * @param budgetWindows Windows that may be started and not yet taken (at least one unit is always allowed).
   */
  constructor(planner: AsyncIterator<PlannedItem, void, undefined>, runner: UnitRunner, budgetWindows: number) {
    this.#planner = planner;
    this.#runner = runner;
    this.#budgetWindows = budgetWindows;
    void this.#pump();
  }

  /**
   * The next unit in stream order; waits only when none is queued.
   *
   * @returns The item, or undefined after the last one.
   * @throws The planner's error, once the items queued before it are taken.
   */
  async next(): Promise<QueuedItem | undefined> {
    while (this.#items.length === 0) {
      if (this.#failure !== undefined) throw this.#failure.error;
      if (this.#done) return undefined;
      await new Promise<void>((resolve) => this.#wakeConsumer = resolve);
    }
    return this.#items.shift();
  }

  /**
   * Give back a taken unit's share of the budget.
   *
   * @param windows The unit's planned windows.
   */
  release(windows: number): void {
    this.#queuedWindows -= windows;
    this.#wake("pump");
  }

  /** Stop planning and starting units. */
  stop(): void {
    this.#stopped = true;
    this.#wake("pump");
  }

  async #pump(): Promise<void> {
    let seq = 0;
    try {
      for (;;) {
        while (!this.#stopped && this.#queuedWindows >= this.#budgetWindows) {
          await new Promise<void>((resolve) => this.#wakePump = resolve);
        }
        if (this.#stopped) return;
        const next = await this.#planner.next();
        if (this.#stopped || next.done === true) return;
        const item = next.value;
        const unit: WorkUnit = { ...item.unit, seq: seq++ };
        let plannedWindows = 0;
        for (const read of unit.reads) plannedWindows += read.numWindows;
        const result = this.#runner.run(unit);
        result.catch(() => undefined); // Awaited by the consumer; one left behind must not be "unhandled".
        this.#items.push({ order: item.order, unit, plannedWindows, result });
        this.#queuedWindows += plannedWindows;
        this.#wake("consumer");
      }
    } catch (error) {
      this.#failure = { error };
    } finally {
      this.#done = true;
      this.#wake("consumer");
    }
  }

  #wake(who: "consumer" | "pump"): void {
    const wake = who === "consumer" ? this.#wakeConsumer : this.#wakePump;
    if (who === "consumer") this.#wakeConsumer = undefined;
    else this.#wakePump = undefined;
    wake?.();
  }
}
