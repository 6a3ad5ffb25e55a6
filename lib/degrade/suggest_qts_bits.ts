/**
 * The number of bits `slow5tools degrade` trims when not told (`-b auto`):
 * its table of datasets (hasindu2008/slow5tools `src/degrade.h`, `DATASETS`),
 * matched against a file's runs as `slow5_hdr_get_dataset` does.
 *
 * @module
 */
import type { RunInfo } from "../pod5/types.ts";
import { InputError } from "../runtime/errors.ts";

/** One row of slow5tools' table. */
export interface QtsDataset {
  /** slow5tools' name for it, e.g. `DNA lsk114 5kHz PromethION`. */
  readonly name: string;
  /** MinKNOW device type (`tracking_id/device_type`). */
  readonly deviceType: string;
  /** Sequencing kit (`context_tags/sequencing_kit`). */
  readonly sequencingKit: string;
  /** Experiment type (`context_tags/experiment_type`). */
  readonly experimentType: string;
  /** Sample rate in Hz. */
  readonly sampleRateHz: number;
  /** ADC digitisation (`adc_max − adc_min + 1`). */
  readonly digitisation: number;
  /** Bits to trim. */
  readonly bits: number;
}

const MINION = [["MinION", "minion"], ["GridION", "gridion"]] as const;
const PROMETHION = [["PromethION", "promethion"], ["PromethION 2 Solo", "p2_solo"]] as const;
const MINION_DIGITISATION = 8192, PROMETHION_DIGITISATION = 2048;

function rows(
  devices: typeof MINION | typeof PROMETHION,
  digitisation: number,
  entry: { name: string; kit: string; experiment: string; rateHz: number; bits: number },
): QtsDataset[] {
  return devices.map(([device, deviceType]) => ({
    name: `${entry.name} ${device}`,
    deviceType,
    sequencingKit: entry.kit,
    experimentType: entry.experiment,
    sampleRateHz: entry.rateHz,
    digitisation,
    bits: entry.bits,
  }));
}

/** slow5tools' table, in its order (the first match wins). */
export const QTS_DATASETS: readonly QtsDataset[] = [
  ...rows(MINION, MINION_DIGITISATION, {
    name: "DNA lsk114 5kHz",
    kit: "sqk-lsk114",
    experiment: "genomic_dna",
    rateHz: 5000,
    bits: 3,
  }),
  ...rows(PROMETHION, PROMETHION_DIGITISATION, {
    name: "DNA lsk109 4kHz",
    kit: "sqk-lsk109",
    experiment: "genomic_dna",
    rateHz: 4000,
    bits: 2,
  }),
  ...rows(PROMETHION, PROMETHION_DIGITISATION, {
    name: "DNA lsk114 4kHz",
    kit: "sqk-lsk114",
    experiment: "genomic_dna",
    rateHz: 4000,
    bits: 3,
  }),
  ...rows(PROMETHION, PROMETHION_DIGITISATION, {
    name: "DNA lsk114 5kHz",
    kit: "sqk-lsk114",
    experiment: "genomic_dna",
    rateHz: 5000,
    bits: 3,
  }),
  ...rows(PROMETHION, PROMETHION_DIGITISATION, {
    name: "RNA rna002 3kHz",
    kit: "sqk-rna002",
    experiment: "rna",
    rateHz: 3000,
    bits: 2,
  }),
  ...rows(PROMETHION, PROMETHION_DIGITISATION, {
    name: "RNA rna004 4kHz",
    kit: "sqk-rna004",
    experiment: "rna",
    rateHz: 4000,
    bits: 3,
  }),
  ...rows(PROMETHION, PROMETHION_DIGITISATION, {
    name: "DNA ulk114 5kHz",
    kit: "sqk-ulk114",
    experiment: "genomic_dna",
    rateHz: 5000,
    bits: 3,
  }),
];

/** What slow5tools reads from a run's header, taken from a POD5 run info. */
interface RunHeader {
  readonly deviceType: string | undefined;
  readonly sequencingKit: string | undefined;
  readonly experimentType: string | undefined;
  readonly sampleFrequency: string | undefined;
  readonly sampleRateHz: number;
}

function header(run: RunInfo): RunHeader {
  const kit = run.contextTags["sequencing_kit"] ?? (run.sequencingKit === "" ? undefined : run.sequencingKit);
  const device = run.trackingId["device_type"] ??
    (run.sequencerPositionType === "" ? undefined : run.sequencerPositionType.toLowerCase());
  return {
    deviceType: device,
    sequencingKit: kit?.toLowerCase(),
    experimentType: run.contextTags["experiment_type"],
    sampleFrequency: run.contextTags["sample_frequency"],
    sampleRateHz: run.sampleRateHz,
  };
}

function matches(run: RunHeader, dataset: QtsDataset): boolean {
  const rate = String(dataset.sampleRateHz);
  return run.deviceType === dataset.deviceType && run.sequencingKit === dataset.sequencingKit &&
    run.experimentType === dataset.experimentType && (run.sampleFrequency ?? rate) === rate &&
    run.sampleRateHz === dataset.sampleRateHz;
}

/** The `reason` of the {@linkcode InputError} when no K can be suggested (the degrade task then asks for one). */
export const NO_SUGGESTION = "no_bits_suggestion";

/**
 * The dataset of slow5tools' table that every run matches: device type
 * (`tracking_id/device_type`, else the run's sequencer position type),
 * sequencing kit (`context_tags/sequencing_kit`, else the run's kit; case
 * ignored), experiment type (`context_tags/experiment_type`) and sample rate
 * (`context_tags/sample_frequency` and the run's rate). Then, as slow5tools
 * checks each read, every run's digitisation must be the dataset's.
 *
 * @example z1.pod5 is lsk114 at 5 kHz on a GridION: 3 bits
 * ```ts
 * import { Pod5Reader } from "../pod5/reader.ts";
 * import { suggestQtsBits } from "./suggest_qts_bits.ts";
 *
 * await using reader = await Pod5Reader.open("tests/fixtures/pod5/z1.pod5");
 * const dataset = suggestQtsBits(reader.runInfos);
 * if (dataset.bits !== 3 || dataset.name !== "DNA lsk114 5kHz GridION") throw new Error(dataset.name);
 * ```
 *
 * @param runs The file's runs.
 * @returns The matching dataset (its `bits` is the suggestion).
 * @throws {InputError} When no dataset matches every run (slow5tools: "No suitable bits suggestion"), or a
 *   run's digitisation differs from the dataset's.
 */
export function suggestQtsBits(runs: readonly RunInfo[]): QtsDataset {
  if (runs.length === 0) {
    throw new InputError("Cannot suggest how many bits to drop: the file has no runs", { reason: NO_SUGGESTION });
  }
  const headers = runs.map(header);
  const dataset = QTS_DATASETS.find((candidate) => headers.every((run) => matches(run, candidate)));
  if (dataset === undefined) {
    const seen = headers.map((run) =>
      `device ${run.deviceType ?? "-"}, kit ${run.sequencingKit ?? "-"}, ${run.experimentType ?? "-"}, ` +
      `${run.sampleRateHz} Hz`
    );
    throw new InputError(
      `Cannot suggest how many bits to drop: slow5tools degrade has no suggestion for ${[...new Set(seen)].join("; ")}`,
      { reason: NO_SUGGESTION },
    );
  }
  for (const run of runs) {
    const digitisation = run.adcMax - run.adcMin + 1;
    if (digitisation !== dataset.digitisation) {
      throw new InputError(
        `Cannot suggest how many bits to drop: run ${run.acquisitionId} has digitisation ${digitisation}, ` +
          `${dataset.name} expects ${dataset.digitisation}`,
        { reason: NO_SUGGESTION },
      );
    }
  }
  return dataset;
}
