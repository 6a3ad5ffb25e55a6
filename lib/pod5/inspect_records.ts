/**
 * The `inspect --jsonl` contract (SPEC §3.4): one flat JSON object per read,
 * in file order, with fixed snake_case keys.
 *
 * @module
 */
import { sha256Hex } from "../runtime/sha256_hex.ts";
import type { Pod5Reader } from "./reader.ts";

/** One line of `inspect --jsonl`. Key names and order are a contract. */
export interface InspectRecord {
  /** Lower-case canonical UUID. */
  read_id: string;
  /** Samples in the read. */
  num_samples: number;
  /** Samples per second (Hz), from the run info. */
  sample_rate: number;
  /** ADC offset (float32). */
  calibration_offset: number;
  /** pA per ADC unit (float32). */
  calibration_scale: number;
  /** 1-based channel. */
  channel: number;
  /** 1-based well (mux). */
  well: number;
  /** Per-channel read counter. */
  read_number: number;
  /** Samples since the acquisition started. */
  start_sample: number;
  /** Current before the read in pA; null when unknown (NaN). */
  median_before: number | null;
  /** End reason label, e.g. `signal_positive`. */
  end_reason: string;
  /** The run the read belongs to. */
  acquisition_id: string;
  /** SHA-256 (hex) of the int16 samples as little-endian bytes; with `signalSha256` only. */
  signal_sha256?: string;
}

/** Options of {@linkcode inspectRecords}. */
export interface InspectRecordsOptions {
  /** Add `signal_sha256` (decodes every read's signal). Default false. */
  readonly signalSha256?: boolean;
}

/**
 * One {@linkcode InspectRecord} per read, in file order.
 *
 * @param reader An open reader.
 * @param options Whether to hash the signal.
 * @returns An async iterator of records.
 *
 * @example The `inspect --jsonl --signal-sha256` lines of a file
 * ```ts
 * import { Pod5Reader } from "./reader.ts";
 * import { inspectRecords } from "./inspect_records.ts";
 *
 * await using pod5 = await Pod5Reader.open("tests/fixtures/pod5/z1.pod5");
 * const [first] = await Array.fromAsync(inspectRecords(pod5, { signalSha256: true }));
 * if (first?.signal_sha256 !== "4538209bfacd75eddd5e0b66be04fd74c489f574918601111f9059db5861265a") {
 *   throw new Error("unexpected hash");
 * }
 * ```
 */
export async function* inspectRecords(
  reader: Pod5Reader,
  options: InspectRecordsOptions = {},
): AsyncGenerator<InspectRecord> {
  for await (const read of reader.reads()) {
    const record: InspectRecord = {
      read_id: read.readId,
      num_samples: read.numSamples,
      sample_rate: read.sampleRateHz,
      calibration_offset: read.calibration.offsetAdc,
      calibration_scale: read.calibration.scalePaPerAdc,
      channel: read.channel,
      well: read.well,
      read_number: read.readNumber,
      start_sample: read.startSample,
      median_before: Number.isNaN(read.medianBeforePa) ? null : read.medianBeforePa,
      end_reason: read.endReason.name,
      acquisition_id: read.acquisitionId,
    };
    if (options.signalSha256 === true) record.signal_sha256 = signalSha256(read.signal());
    yield record;
  }
}

/**
 * SHA-256 (hex) of int16 samples as little-endian bytes (the memory layout of
 * an Int16Array on every platform Deno runs on: x86-64 and AArch64).
 *
 * @param adc The samples.
 * @returns 64 lower-case hex digits.
 *
 * @example
 * ```ts
 * import { signalSha256 } from "./inspect_records.ts";
 *
 * const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
 * if (signalSha256(new Int16Array(0)) !== empty) throw new Error("wrong digest");
 * ```
 */
export function signalSha256(adc: Int16Array): string {
  return sha256Hex(adc);
}
