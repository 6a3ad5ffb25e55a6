/**
 * `readFast5()`: the reads of a FAST5 file, single-read (`/Raw/Reads/Read_N`
 * with `/UniqueGlobalKey/{channel_id,context_tags,tracking_id}`) or
 * multi-read (`/read_<id>/{Raw,channel_id,context_tags,tracking_id}`), as POD5
 * reads with their run, read with the HDF5 library (h5wasm).
 *
 * @module
 */
import type { Dataset, Group } from "h5wasm";
import type { ReadMetadata, RunInfo } from "../pod5/types.ts";
import { isUuid } from "../pod5/uuid.ts";
import {
  attributeNumber,
  attributeText,
  type AttributeValue,
  childGroup,
  isDataset,
  readAttributes,
  textAttributes,
} from "./_fast5_attributes.ts";
import { endReasonFromFast5, runInfoFromFast5 } from "./_fast5_metadata.ts";
import { openHdf5 } from "./_h5wasm.ts";
import { Fast5Error, Fast5FilterError } from "./errors.ts";

/** One read of a FAST5 file: POD5 read metadata, its run, and its signal. */
export interface Fast5Read extends ReadMetadata {
  /** The read's run, from its `tracking_id` and `context_tags` (the first read of a run in the file decides). */
  readonly runInfo: RunInfo;
  /** The read's HDF5 group, e.g. `/read_<id>` or `/Raw/Reads/Read_12`. */
  readonly group: string;
  /** The raw int16 ADC samples. */
  signal(): Int16Array;
}

/** HDF5 filter ids that h5wasm's HDF5 undoes: deflate (gzip), shuffle, fletcher32, nbit, scale-offset. */
const SUPPORTED_FILTERS: ReadonlyMap<number, string> = new Map([
  [1, "deflate"],
  [2, "shuffle"],
  [3, "fletcher32"],
  [5, "nbit"],
  [6, "scaleoffset"],
]);
/** ONT's VBZ filter (registered with The HDF Group). */
export const VBZ_FILTER_ID = 32020;
/** HDF5 datatype class of integers (`H5T_INTEGER`). */
const H5T_INTEGER = 0;
const INT16_BYTES = 2;

/** Where a read's pieces are. */
interface ReadLocation {
  /** The read's group in messages. */
  readonly name: string;
  /** The group holding `Signal` and the read attributes. */
  readonly raw: Group;
  /** Its path, for messages. */
  readonly rawName: string;
  /** The group whose attributes may carry `run_id` and `pore_type` (multi-read), else undefined. */
  readonly readGroup: Group | undefined;
  readonly channel: Group | undefined;
  readonly contextTags: Group | undefined;
  readonly trackingId: Group | undefined;
}

/**
 * Read every read of a FAST5 file, in file order. Signals are read as each
 * read is reached; the file closes when the iteration ends.
 *
 * @example The reads of a single-read FAST5 and their run
 * ```ts
 * import { readFast5 } from "./read_fast5.ts";
 *
 * const path = "tests/fixtures/fast5/r94_ecoli/odw_genlab4209_20161213_FN_MN16303_sequencing_run_sample_id_32395_ch485_read77_strand.fast5";
 * for await (const read of readFast5(path)) {
 *   if (read.numSamples !== 10_775 || read.channel !== 485 || read.runInfo.sampleRateHz !== 4000) {
 *     throw new Error(`unexpected read ${read.readId}`);
 *   }
 * }
 * ```
 *
 * @param path The FAST5 file.
 * @returns The reads.
 * @throws {Fast5Error} When the file is not HDF5, holds no reads, or a read lacks what POD5 needs.
 * @throws {Fast5FilterError} When a signal uses an HDF5 filter that cannot be undone here (VBZ: repack first).
 */
export async function* readFast5(path: string): AsyncGenerator<Fast5Read> {
  using open = await openHdf5(path);
  const root = open.file;
  const runs = new Map<string, RunInfo>();
  for (const location of readLocations(path, root)) {
    yield readOne(path, location, runs);
  }
}

/** The reads of the file, by layout: `read_*` groups (multi-read), else `Raw/Reads/*` (single-read). */
function* readLocations(path: string, root: Group): Generator<ReadLocation> {
  const keys = root.keys();
  const readKeys = keys.filter((key) => key.startsWith("read_"));
  if (readKeys.length > 0) {
    for (const key of readKeys) {
      const group = childGroup(root, key);
      if (group === undefined) continue;
      const raw = childGroup(group, "Raw");
      if (raw === undefined) throw new Fast5Error(path, `Cannot read FAST5: /${key} has no Raw group`);
      yield {
        name: `/${key}`,
        raw,
        rawName: `/${key}/Raw`,
        readGroup: group,
        channel: childGroup(group, "channel_id"),
        contextTags: childGroup(group, "context_tags"),
        trackingId: childGroup(group, "tracking_id"),
      };
    }
    return;
  }
  const reads = childGroup(root, "Raw/Reads");
  const names = reads?.keys() ?? [];
  if (reads === undefined || names.length === 0) {
    throw new Fast5Error(path, "Cannot read FAST5: no reads (neither /read_* groups nor /Raw/Reads/*)");
  }
  const global = childGroup(root, "UniqueGlobalKey");
  for (const key of names) {
    const raw = childGroup(reads, key);
    if (raw === undefined) continue;
    yield {
      name: `/Raw/Reads/${key}`,
      raw,
      rawName: `/Raw/Reads/${key}`,
      readGroup: undefined,
      channel: global === undefined ? undefined : childGroup(global, "channel_id"),
      contextTags: global === undefined ? undefined : childGroup(global, "context_tags"),
      trackingId: global === undefined ? undefined : childGroup(global, "tracking_id"),
    };
  }
}

function readOne(path: string, at: ReadLocation, runs: Map<string, RunInfo>): Fast5Read {
  const error = (reason: string) => new Fast5Error(path, `Cannot read FAST5: ${at.name}: ${reason}`);
  if (at.channel === undefined) throw error("no channel_id group");
  const channel = readAttributes(at.channel);
  const raw = readAttributes(at.raw);
  const readGroup = at.readGroup === undefined ? new Map<string, AttributeValue>() : readAttributes(at.readGroup);
  const trackingId = textAttributes(at.trackingId);
  const contextTags = textAttributes(at.contextTags);
  const need = (attributes: Map<string, AttributeValue>, where: string, name: string): number => {
    const value = attributeNumber(attributes.get(name));
    if (value === undefined || !Number.isFinite(value)) throw error(`${where} has no numeric attribute ${name}`);
    return value;
  };
  const optional = (name: string, fallback: number): number => attributeNumber(raw.get(name)) ?? fallback;

  const readIdValue = raw.get("read_id");
  const readId = readIdValue === undefined ? "" : attributeText(readIdValue).toLowerCase();
  if (!isUuid(readId)) throw error(`read_id "${readId}" is not a UUID`);
  const digitisation = need(channel, "channel_id", "digitisation");
  const rangePa = need(channel, "channel_id", "range");
  const offsetAdc = need(channel, "channel_id", "offset");
  const sampleRateHz = Math.trunc(need(channel, "channel_id", "sampling_rate"));
  const channelNumber = need(channel, "channel_id", "channel_number");
  if (digitisation <= 0) throw error(`channel_id digitisation ${digitisation} is not positive`);
  if (sampleRateHz < 1) throw error(`channel_id sampling_rate ${sampleRateHz} Hz is not positive`);

  const runIdValue = readGroup.get("run_id");
  const acquisitionId = runIdValue !== undefined ? attributeText(runIdValue) : trackingId["run_id"] ?? "";
  if (acquisitionId === "") throw error("no run_id (neither on the read group nor in tracking_id)");
  let runInfo = runs.get(acquisitionId);
  if (runInfo === undefined) {
    runInfo = runInfoFromFast5({ acquisitionId, digitisation, sampleRateHz, contextTags, trackingId });
    runs.set(acquisitionId, runInfo);
  } else if (runInfo.sampleRateHz !== sampleRateHz || runInfo.adcMax - runInfo.adcMin + 1 !== digitisation) {
    throw error(`run ${acquisitionId} has reads at different sample rates or digitisations`);
  }

  const signal = readSignal(path, at);
  const poreType = readGroup.get("pore_type");
  const medianBefore = attributeNumber(raw.get("median_before"));
  const read: Fast5Read = {
    readId,
    readNumber: need(raw, "Raw", "read_number"),
    startSample: need(raw, "Raw", "start_time"),
    medianBeforePa: medianBefore ?? Number.NaN,
    numMinknowEvents: optional("num_minknow_events", 0),
    trackedScaling: {
      scale: optional("tracked_scaling_scale", Number.NaN),
      shift: optional("tracked_scaling_shift", Number.NaN),
    },
    predictedScaling: {
      scale: optional("predicted_scaling_scale", Number.NaN),
      shift: optional("predicted_scaling_shift", Number.NaN),
    },
    numReadsSinceMuxChange: optional("num_reads_since_mux_change", 0),
    timeSinceMuxChangeSec: optional("time_since_mux_change", 0),
    numSamples: signal.length,
    channel: channelNumber,
    well: need(raw, "Raw", "start_mux"),
    poreType: poreType === undefined ? "not_set" : attributeText(poreType),
    calibration: { offsetAdc, scalePaPerAdc: rangePa / digitisation },
    endReason: endReasonFromFast5(raw.get("end_reason")),
    acquisitionId,
    openPoreLevelPa: Number.NaN,
    runInfo,
    group: at.name,
    signal: () => signal,
  };
  return read;
}

function readSignal(path: string, at: ReadLocation): Int16Array {
  const where = `${at.rawName}/Signal`;
  const entity = at.raw.get("Signal");
  if (!isDataset(entity)) throw new Fast5Error(path, `Cannot read FAST5: ${where} is missing`);
  checkFilters(path, where, entity);
  const { type, size, signed, shape } = entity.metadata;
  if (type !== H5T_INTEGER || size !== INT16_BYTES || !signed || shape === null || shape.length !== 1) {
    throw new Fast5Error(path, `Cannot read FAST5: ${where} is not a one-dimensional int16 dataset`);
  }
  let value: unknown;
  try {
    value = entity.value;
  } catch (error) {
    throw new Fast5Error(path, `Cannot read FAST5: ${where} cannot be read (damaged file?)`, { cause: error });
  }
  if (!(value instanceof Int16Array)) throw new Fast5Error(path, `Cannot read FAST5: ${where} did not read as int16`);
  return value;
}

function checkFilters(path: string, where: string, dataset: Dataset): void {
  for (const filter of dataset.filters) {
    if (SUPPORTED_FILTERS.has(filter.id)) continue;
    if (filter.id === VBZ_FILTER_ID) {
      throw new Fast5FilterError(
        path,
        filter.id,
        `Cannot read FAST5: ${where} is compressed with HDF5 filter ${VBZ_FILTER_ID} (VBZ), which h5wasm cannot ` +
          "undo (it loads no VBZ plugin and hands out no raw chunks); repack the file first, e.g. " +
          "`h5repack -f NONE IN.fast5 OUT.fast5` with ONT's vbz plugin on HDF5_PLUGIN_PATH, or convert it with " +
          "ONT's `pod5 convert fast5`",
      );
    }
    const name = filter.name === "" ? "unnamed" : filter.name;
    throw new Fast5FilterError(
      path,
      filter.id,
      `Cannot read FAST5: ${where} uses HDF5 filter ${filter.id} (${name}), which h5wasm cannot undo; ` +
        "repack the file without it first (`h5repack -f NONE IN.fast5 OUT.fast5`)",
    );
  }
}
