/**
 * A read from a POD5 file: its metadata plus its signal, decoded on demand.
 *
 * @module
 */
import { adcToPa } from "./calibration.ts";
import { Pod5FormatError, VbzError } from "./errors.ts";
import type { SignalRow } from "./signal_table.ts";
import type { ReadMetadata, RunInfo, SignalCompression } from "./types.ts";
import { decodeVbzInto } from "./vbz.ts";

/** A read: metadata, its run, and its signal decoded when asked for. */
export interface Pod5Read extends ReadMetadata {
  /** The run_info row of the read's acquisition. */
  readonly runInfo: RunInfo;
  /** Samples per second (from the run info). */
  readonly sampleRateHz: number;
  /** Same as {@linkcode sampleRateHz}: the name SPEC §3.3 uses. */
  readonly sampleRate: number;
  /** Decode the raw signal (int16 ADC); each call decodes afresh. */
  signal(): Int16Array;
  /** Decode the signal in picoamps: `(adc + offset) × scale`, float32. */
  pA(): Float32Array;
}

/** What {@linkcode createPod5Read} needs besides the metadata. */
export interface Pod5ReadSource {
  readonly path: string;
  readonly runInfo: RunInfo;
  readonly compression: SignalCompression;
  readonly rows: readonly SignalRow[];
}

/**
 * Build a read view over already-loaded signal rows.
 *
 * @param metadata The reads-table row.
 * @param source The file, run and signal rows.
 * @returns The read.
 */
export function createPod5Read(metadata: ReadMetadata, source: Pod5ReadSource): Pod5Read {
  const signal = (): Int16Array => decodeRows(metadata, source);
  return {
    ...metadata,
    runInfo: source.runInfo,
    sampleRateHz: source.runInfo.sampleRateHz,
    sampleRate: source.runInfo.sampleRateHz,
    signal,
    pA: () => adcToPa(signal(), metadata.calibration),
  };
}

function decodeRows(metadata: ReadMetadata, source: Pod5ReadSource): Int16Array {
  const out = new Int16Array(metadata.numSamples);
  let at = 0;
  for (let i = 0; i < source.rows.length; i++) {
    const row = source.rows[i]!;
    if (row.data instanceof Int16Array) {
      if (row.data.length !== row.numSamples) {
        throw new Pod5FormatError(
          source.path,
          `read ${metadata.readId}: signal chunk ${i} holds ${row.data.length} samples, its row says ${row.numSamples}`,
        );
      }
      out.set(row.data, at);
    } else {
      try {
        decodeVbzInto(row.data, row.numSamples, out, at);
      } catch (error) {
        if (!(error instanceof VbzError)) throw error;
        throw new Pod5FormatError(source.path, `read ${metadata.readId}: signal chunk ${i}: ${error.message}`, {
          cause: error,
        });
      }
    }
    at += row.numSamples;
  }
  return out;
}
