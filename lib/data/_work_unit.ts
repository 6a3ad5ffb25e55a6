/**
 * A unit of loader work — some reads of one file, decoded, normalised and
 * cut into windows — and the function that does it, shared by the inline
 * loader and the Worker loader so that both give the same bytes.
 *
 * @module
 */
import type { Pod5Reader } from "../pod5/reader.ts";
import type { Calibration } from "../pod5/types.ts";
import { normalisationStatsFromAdc } from "../signal/normalisation_stats.ts";
import { normaliseAdc } from "../signal/normalise.ts";
import type { NormalisationMode, NormalisationStats } from "../signal/types.ts";
import { reasonOf } from "./_file_plan.ts";
import type { ReaderCache } from "./_reader_cache.ts";
import type { DatasetWarning } from "./types.ts";

/** One read of a unit: windows `[firstWindow, firstWindow + numWindows)` of it. */
export interface UnitRead {
  readonly readIndex: number;
  readonly readId: string;
  readonly firstWindow: number;
  readonly numWindows: number;
}

/** How reads are normalised. */
export interface UnitNormalisation {
  readonly mode: NormalisationMode;
  readonly clip: number | null;
  readonly scaleFloorPa: number;
}

/** Work for one loader: consecutive reads of one file. Structured-cloneable. */
export interface WorkUnit {
  /** Dispatch order; results are consumed in this order. */
  readonly seq: number;
  readonly fileIndex: number;
  readonly path: string;
  readonly reads: readonly UnitRead[];
  readonly windowSamples: number;
  readonly normalisation: UnitNormalisation;
}

/** Why a read of a unit gave no windows. */
export type SkipReason = "mad_zero" | "failed";

/** What became of one read of a unit. */
export interface UnitReadResult {
  readonly readIndex: number;
  readonly readId: string;
  readonly firstWindow: number;
  /** Windows produced: the planned number, or 0 when the read was skipped. */
  readonly numWindows: number;
  /** Why the read was skipped; null when it gave its windows. */
  readonly skipped: SkipReason | null;
  /** Null when the read failed. */
  readonly stats: NormalisationStats | null;
  /** Null when the read failed. */
  readonly calibration: Calibration | null;
}

/** The output of a unit. Structured-cloneable; `windows.buffer` is transferred. */
export interface UnitResult {
  readonly seq: number;
  /** The produced windows, `[Σ numWindows, windowSamples]` row-major. */
  readonly windows: Float32Array<ArrayBuffer>;
  readonly reads: readonly UnitReadResult[];
  /** Problems met (a read that failed to decode, a file that failed to open). */
  readonly warnings: readonly DatasetWarning[];
}

/**
 * Decode, normalise (stats over the whole read) and cut the unit's reads.
 * Bad data never throws: a file that cannot be opened, a read that cannot
 * be decoded, and (for `median_mad`) a read whose MAD is 0 give a warning
 * and no windows.
 *
 * @param unit The work.
 * @param readers Open readers to reuse.
 * @returns The windows and what became of each read.
 */
export async function processUnit(unit: WorkUnit, readers: ReaderCache): Promise<UnitResult> {
  try {
    return await readers.use(unit.path, (reader) => decodeUnit(unit, reader));
  } catch (error) {
    // decodeUnit handles every read's errors, so this is the file failing to open.
    return {
      seq: unit.seq,
      windows: new Float32Array(0),
      reads: unit.reads.map((plan) => ({ ...plan, numWindows: 0, skipped: "failed", stats: null, calibration: null })),
      warnings: [{ path: unit.path, message: `skipped file: ${reasonOf(error, unit.path)}` }],
    };
  }
}

async function decodeUnit(unit: WorkUnit, reader: Pod5Reader): Promise<UnitResult> {
  const w = unit.windowSamples;
  let planned = 0;
  for (const read of unit.reads) planned += read.numWindows;
  const windows = new Float32Array(planned * w);
  const warnings: DatasetWarning[] = [];
  const results: UnitReadResult[] = [];
  let produced = 0;
  for (const plan of unit.reads) {
    try {
      const read = await reader.read(plan.readId);
      const adc = read.signal();
      const end = (plan.firstWindow + plan.numWindows) * w;
      if (adc.length < end) {
        throw new RangeError(`has ${adc.length} samples, fewer than the ${end} its windows need`);
      }
      const stats = normalisationStatsFromAdc(adc, read.calibration, unit.normalisation);
      if (stats.mode === "median_mad" && stats.scalePa <= unit.normalisation.scaleFloorPa) {
        // At least half the samples share one value: dividing by the floored MAD would give values of 1e5 and more.
        warnings.push({
          path: unit.path,
          message: `skipped read ${plan.readId}: its MAD is 0 (at least half of its ${adc.length} samples equal ` +
            `its median), so median/MAD normalisation cannot scale it`,
        });
        results.push({ ...plan, numWindows: 0, skipped: "mad_zero", stats: null, calibration: null });
        continue;
      }
      normaliseAdc(adc.subarray(plan.firstWindow * w, end), read.calibration, {
        stats,
        out: windows.subarray(produced * w, (produced + plan.numWindows) * w),
      });
      produced += plan.numWindows;
      results.push({ ...plan, skipped: null, stats, calibration: read.calibration });
    } catch (error) {
      const reason = reasonOf(error, unit.path);
      const own = `read ${plan.readId}: `;
      warnings.push({
        path: unit.path,
        message: `skipped read ${plan.readId}: ${reason.startsWith(own) ? reason.slice(own.length) : reason}`,
      });
      results.push({ ...plan, numWindows: 0, skipped: "failed", stats: null, calibration: null });
    }
  }
  return {
    seq: unit.seq,
    windows: produced === planned ? windows : windows.slice(0, produced * w),
    reads: results,
    warnings,
  };
}
