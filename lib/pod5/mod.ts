/**
 * Reading (and, from the writer issue on, writing) POD5 files: the container,
 * the footer, the Arrow tables and the VBZ signal codec.
 *
 * @module
 */
export { adcToPa, paToAdc } from "./calibration.ts";
export { Pod5Error, Pod5FormatError, Pod5ReadNotFoundError, VbzError } from "./errors.ts";
export { type InspectRecord, inspectRecords, type InspectRecordsOptions, signalSha256 } from "./inspect_records.ts";
export type { Pod5Read } from "./pod5_read.ts";
export { formatPod5Summary, type Pod5Summary, type RunSummary, summarisePod5 } from "./pod5_summary.ts";
export { Pod5Reader, type ReadsOptions } from "./reader.ts";
export { parseReadIdList, type SubsetOptions, subsetPod5, type SubsetResult } from "./subset.ts";
export { decodeVbz, decodeVbzInto } from "./vbz.ts";
export { Pod5Writer, type Pod5WriterOptions, type ReadToWrite } from "./writer.ts";
export { createVbzEncoder, type VbzEncoder } from "./vbz_encoder.ts";
export { isUuid, uuidFromBytes, uuidToBytes } from "./uuid.ts";
export {
  type Calibration,
  END_REASON_NAMES,
  type EndReason,
  type EndReasonName,
  type Pod5FileInfo,
  type ReadMetadata,
  type RunInfo,
  type Scaling,
  type SignalCompression,
} from "./types.ts";
