/**
 * FAST5 metadata → POD5 metadata, as ONT's `pod5 convert fast5` maps it
 * (pod5-file-format `python/pod5/src/pod5/tools/pod5_convert_from_fast5.py`),
 * with three additions for files that tool refuses or misreads: single-read
 * files, MinKNOW 1.x's Unix-seconds `exp_start_time`, and ADC ranges other
 * than the MinION's and PromethION's.
 *
 * @module
 */
import { END_REASON_NAMES, type EndReason, type EndReasonName, type RunInfo } from "../pod5/types.ts";
import { VERSION } from "../version.ts";
import { attributeNumber, type AttributeValue } from "./_fast5_attributes.ts";

/** MinION and GridION digitisation: a 13-bit ADC from −4096 to 4095. */
const MINION_DIGITISATION = 8192;
const MINION_ADC_MIN = -4096;

/** What the run info is built from. */
export interface RunSource {
  /** The run id (the read group's `run_id`, else `tracking_id/run_id`). */
  readonly acquisitionId: string;
  /** `channel_id/digitisation`. */
  readonly digitisation: number;
  /** `channel_id/sampling_rate`, in Hz. */
  readonly sampleRateHz: number;
  /** `context_tags` attributes, as text. */
  readonly contextTags: Readonly<Record<string, string>>;
  /** `tracking_id` attributes, as text. */
  readonly trackingId: Readonly<Record<string, string>>;
}

/** `software` of the run infos this converter writes (ONT's writes `python-pod5-converter`). */
export const CONVERTER_SOFTWARE = `simvqgan-fast5-converter ${VERSION}`;

/**
 * The POD5 run info of a FAST5 run. ADC range: `[−4096, 4095]` for
 * digitisation 8192 (as ONT's converter), else `[0, digitisation − 1]`
 * (ONT's converter writes `[0, 2047]` for any other, the PromethION's).
 *
 * @param source The run's FAST5 attributes.
 * @returns The run info.
 */
export function runInfoFromFast5(source: RunSource): RunInfo {
  const tracking = source.trackingId, tags = source.contextTags;
  const minion = source.digitisation === MINION_DIGITISATION;
  const adcMin = minion ? MINION_ADC_MIN : 0;
  return {
    acquisitionId: source.acquisitionId,
    acquisitionStartTimeMs: parseFast5Time(tracking["exp_start_time"]),
    adcMax: adcMin + source.digitisation - 1,
    adcMin,
    contextTags: { ...tags },
    experimentName: "",
    flowCellId: tracking["flow_cell_id"] ?? "",
    flowCellProductCode: tracking["flow_cell_product_code"] ?? "",
    protocolName: tracking["exp_script_name"] ?? "",
    protocolRunId: tracking["protocol_run_id"] ?? "",
    protocolStartTimeMs: parseFast5Time(tracking["protocol_start_time"]),
    sampleId: tracking["sample_id"] ?? "",
    sampleRateHz: source.sampleRateHz,
    sequencingKit: tags["sequencing_kit"] ?? "",
    sequencerPosition: tracking["device_id"] ?? "",
    sequencerPositionType: tracking["device_type"] ?? (minion ? "minion" : "promethion"),
    software: CONVERTER_SOFTWARE,
    systemName: tracking["host_product_serial_number"] ?? "",
    systemType: tracking["host_product_code"] ?? "",
    trackingId: { ...tracking },
  };
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const UNIX_SECONDS = /^\d+$/;

/**
 * A MinKNOW time as milliseconds since the Unix epoch: ISO 8601 (UTC when
 * it names no zone, as Python's `iso8601` assumes), or whole Unix seconds
 * (MinKNOW 1.x). Absent or unreadable: 0, the epoch, as ONT's converter.
 *
 * @param text The attribute, if any.
 * @returns Milliseconds since 1970-01-01T00:00:00Z.
 */
export function parseFast5Time(text: string | undefined): number {
  if (text === undefined) return 0;
  const trimmed = text.trim();
  if (UNIX_SECONDS.test(trimmed)) return Number(trimmed) * 1000;
  const match = ISO_TIME.exec(trimmed);
  if (match === null) return 0;
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const ms = Math.floor(Number(fraction ?? "0") * 1000);
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== "Z") {
    const digits = zone.slice(1).replace(":", "");
    offsetMinutes = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0")) * (zone[0] === "-" ? -1 : 1);
  }
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  return utc - offsetMinutes * 60_000;
}

/** End reasons that are not the signal's own doing, as pod5's `EndReason.from_reason_with_default_forced` (plus the four MinKNOW added later). */
const FORCED: ReadonlySet<EndReasonName> = new Set([
  "mux_change",
  "unblock_mux_change",
  "data_service_unblock_mux_change",
  "api_request",
  "device_data_error",
  "analysis_config_change",
  "paused",
]);

/**
 * A FAST5 `end_reason` as POD5's. The FAST5 enum has `partial` at 1, so its
 * values are POD5's plus one from `mux_change` on; 0, 1 and anything unknown
 * become `unknown`. An enum attribute's label is used when it names a POD5
 * reason.
 *
 * @param value The attribute, if any.
 * @returns The end reason with its default `forced` flag.
 */
export function endReasonFromFast5(value: AttributeValue | undefined): EndReason {
  let name: EndReasonName = "unknown";
  const known = (label: string): label is EndReasonName => (END_REASON_NAMES as readonly string[]).includes(label);
  if (typeof value === "object" && known(value.label)) {
    name = value.label;
  } else {
    const code = attributeNumber(value);
    if (code !== undefined && Number.isInteger(code) && code >= 2) name = END_REASON_NAMES[code - 1] ?? "unknown";
  }
  return { name, forced: FORCED.has(name) };
}
