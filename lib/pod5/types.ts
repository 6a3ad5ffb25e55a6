/**
 * Plain value types of the POD5 format, apart from any I/O.
 *
 * @module
 */

/** End reasons in enum order (notes/pod5_format.md §2.7); index = enum value. */
export const END_REASON_NAMES = [
  "unknown",
  "mux_change",
  "unblock_mux_change",
  "data_service_unblock_mux_change",
  "signal_positive",
  "signal_negative",
  "api_request",
  "device_data_error",
  "analysis_config_change",
  "paused",
] as const;

/** Why a read ended, as MinKNOW labels it. */
export type EndReasonName = (typeof END_REASON_NAMES)[number];

/** A read's end reason and whether it was forced. */
export interface EndReason {
  /** The label; labels this library does not know read as `unknown`. */
  readonly name: EndReasonName;
  /** Whether the read was ended by the system rather than by the signal. */
  readonly forced: boolean;
}

/** ADC → pA calibration: `pA = (adc + offsetAdc) × scalePaPerAdc`. */
export interface Calibration {
  /** Offset added to the raw ADC value, in ADC units. */
  readonly offsetAdc: number;
  /** Picoamps per ADC unit. */
  readonly scalePaPerAdc: number;
}

/** A shift/scale pair (deprecated MinKNOW scaling columns). */
export interface Scaling {
  /** Scale; NaN when not recorded. */
  readonly scale: number;
  /** Shift; NaN when not recorded. */
  readonly shift: number;
}

/** One row of the run_info table: one acquisition (run). */
export interface RunInfo {
  /** Key the reads refer to. */
  readonly acquisitionId: string;
  /** Acquisition start, in milliseconds since the Unix epoch (UTC). */
  readonly acquisitionStartTimeMs: number;
  /** Largest ADC value the device produces. */
  readonly adcMax: number;
  /** Smallest ADC value the device produces. */
  readonly adcMin: number;
  /** MinKNOW context tags. */
  readonly contextTags: Readonly<Record<string, string>>;
  /** Experiment name. */
  readonly experimentName: string;
  /** Flow cell id, e.g. `FAW84365`. */
  readonly flowCellId: string;
  /** Flow cell product code, e.g. `FLO-MIN114`. */
  readonly flowCellProductCode: string;
  /** Protocol name. */
  readonly protocolName: string;
  /** Protocol run id. */
  readonly protocolRunId: string;
  /** Protocol start, in milliseconds since the Unix epoch (UTC). */
  readonly protocolStartTimeMs: number;
  /** Sample id. */
  readonly sampleId: string;
  /** Samples per second of every read of this acquisition. */
  readonly sampleRateHz: number;
  /** Sequencing kit. */
  readonly sequencingKit: string;
  /** Sequencer position, e.g. `X1`. */
  readonly sequencerPosition: string;
  /** Sequencer position type, e.g. `GridION`. */
  readonly sequencerPositionType: string;
  /** Acquisition software. */
  readonly software: string;
  /** Host system name. */
  readonly systemName: string;
  /** Host system type. */
  readonly systemType: string;
  /** MinKNOW tracking id attributes. */
  readonly trackingId: Readonly<Record<string, string>>;
}

/** Everything the reads table records about one read (all but the signal). */
export interface ReadMetadata {
  /** Lower-case canonical UUID. */
  readonly readId: string;
  /** Per-channel read counter. */
  readonly readNumber: number;
  /** Samples since the acquisition started. */
  readonly startSample: number;
  /** Current level before the read, in pA (NaN if unknown). */
  readonly medianBeforePa: number;
  /** Number of MinKNOW events. */
  readonly numMinknowEvents: number;
  /** Deprecated tracked scaling (NaN when not recorded). */
  readonly trackedScaling: Scaling;
  /** Deprecated predicted scaling (NaN when not recorded). */
  readonly predictedScaling: Scaling;
  /** Deprecated: reads since the last mux change. */
  readonly numReadsSinceMuxChange: number;
  /** Deprecated: seconds since the last mux change. */
  readonly timeSinceMuxChangeSec: number;
  /** Length of the signal. */
  readonly numSamples: number;
  /** 1-based channel. */
  readonly channel: number;
  /** 1-based well (mux). */
  readonly well: number;
  /** Pore type label, e.g. `not_set`. */
  readonly poreType: string;
  /** ADC → pA calibration. */
  readonly calibration: Calibration;
  /** Why the read ended. */
  readonly endReason: EndReason;
  /** The acquisition (run_info row) the read belongs to. */
  readonly acquisitionId: string;
  /** Open pore level in pA (NaN if unknown or absent in older files). */
  readonly openPoreLevelPa: number;
}

/** How a file stores its signal. */
export type SignalCompression = "vbz" | "uncompressed";

/** What the file footer and tables say about the file as a whole. */
export interface Pod5FileInfo {
  /** File UUID (the footer's `file_identifier`). */
  readonly fileIdentifier: string;
  /** Software that wrote the file. */
  readonly software: string;
  /** POD5 format version from the footer, "X.Y.Z". */
  readonly pod5Version: string;
  /** Signal encoding. */
  readonly signalCompression: SignalCompression;
  /** File size in bytes. */
  readonly sizeBytes: number;
  /** Size of the embedded signal table in bytes. */
  readonly signalTableBytes: number;
}
