/**
 * SimVQGAN: a learned codec for Oxford Nanopore raw current.
 *
 * This module is the library behind the `deno task` commands. It reads POD5
 * files (ONT's raw-signal format) exactly as ONT's own library does: the
 * container and footer, the Arrow tables and the VBZ signal codec; it writes
 * POD5 files in the official layout that round-trip exactly.
 *
 * @example Read a POD5 file
 * ```ts
 * import { Pod5Reader } from "./mod.ts";
 *
 * await using pod5 = await Pod5Reader.open("tests/fixtures/pod5/z1.pod5");
 * let samples = 0;
 * for await (const read of pod5.reads()) {
 *   const adc = read.signal(); // Int16Array, raw ADC
 *   const pA = read.pA(); // Float32Array, picoamps
 *   if (adc.length !== read.numSamples || pA.length !== adc.length) throw new Error("bad read");
 *   samples += adc.length;
 * }
 * if (pod5.readCount !== 3 || samples !== 2_319_616) throw new Error("unexpected contents");
 * ```
 *
 * @module
 */
export {
  adcToPa,
  type Calibration,
  createVbzEncoder,
  decodeVbz,
  decodeVbzInto,
  END_REASON_NAMES,
  type EndReason,
  type EndReasonName,
  formatPod5Summary,
  type InspectRecord,
  inspectRecords,
  type InspectRecordsOptions,
  isUuid,
  parseReadIdList,
  paToAdc,
  Pod5Error,
  type Pod5FileInfo,
  Pod5FormatError,
  type Pod5Read,
  Pod5Reader,
  Pod5ReadNotFoundError,
  type Pod5Summary,
  Pod5Writer,
  type Pod5WriterOptions,
  type ReadMetadata,
  type ReadsOptions,
  type ReadToWrite,
  type RunInfo,
  type RunSummary,
  type Scaling,
  type SignalCompression,
  signalSha256,
  type SubsetOptions,
  subsetPod5,
  type SubsetResult,
  summarisePod5,
  uuidFromBytes,
  uuidToBytes,
  type VbzEncoder,
  VbzError,
} from "./lib/pod5/mod.ts";
export { InputError } from "./lib/runtime/errors.ts";
export { VERSION } from "./lib/version.ts";
