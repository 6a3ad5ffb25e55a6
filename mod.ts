/**
 * SimVQGAN: a learned codec for Oxford Nanopore raw current.
 *
 * This module is the library behind the `deno task` commands. It reads POD5
 * files (ONT's raw-signal format) exactly as ONT's own library does: the
 * container and footer, the Arrow tables and the VBZ signal codec; it writes
 * POD5 files in the official layout that round-trip exactly. It trains the
 * SimVQ generator ({@linkcode trainModel}), and compresses POD5 files into
 * token files and back with a trained checkpoint ({@linkcode loadCodec},
 * {@linkcode encodePod5}, {@linkcode decodeTokens}).
 *
 * @example Compress a POD5 file and restore it
 * ```ts
 * import { decodeTokens, encodePod5, initBackend, loadCodec, parseConfig, TokenFileReader, trainModel } from "./mod.ts";
 *
 * const reads = "tests/fixtures/pod5/dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5";
 * const dir = await Deno.makeTempDir();
 * // A checkpoint to use: one step of a tiny model (use your own run, e.g. "checkpoints/quickstart").
 * await trainModel({
 *   config: parseConfig({
 *     train: { max_steps: 1, batch_size: 2, grad_accum_steps: 1 },
 *     model: { enc_channels: [4, 4], enc_down_strides: [20], dec_channels: [4, 4], dec_up_strides: [20], latent_dim: 4 },
 *     data: { files: [reads], segment_samples: 400, segment_sec: null, loader_workers: 0 },
 *     checkpoint: { dir },
 *   }),
 *   backend: await initBackend("wasm"),
 * });
 * const codec = await loadCodec(dir, { backend: "wasm" });
 * const summary = await encodePod5(reads, `${dir}/reads.tokens`, { codec });
 * await decodeTokens(`${dir}/reads.tokens`, `${dir}/restored.pod5`, { codec });
 * await using tokens = await TokenFileReader.open(`${dir}/reads.tokens`);
 * for await (const read of tokens.reads()) {
 *   if (read.codes.length !== Math.ceil(read.numSamples / codec.hopSamples)) throw new Error("a sample was not coded");
 * }
 * if (!(summary.bitsPerSampleCodes < summary.inputBitsPerSample)) throw new Error("no compression");
 * codec.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
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
export {
  type CheckpointIdentity,
  checkShardManifests,
  type CodecMismatch,
  CodecMismatchError,
  CodecPool,
  type CodecPoolOptions,
  type CodecProgress,
  type CodesEncoding,
  type DecodedFile,
  decodeRead,
  type DecodeSummary,
  decodeTokens,
  type DecodeTokensOptions,
  type EncodedFile,
  type EncodedRead,
  encodePod5,
  type EncodePod5Options,
  encodeRead,
  type EncodeSummary,
  loadCodec,
  type LoadCodecOptions,
  LoadedCodec,
  type ReadCodecOptions,
  type ReadLayout,
  readLayout,
  type ReadLayoutOptions,
  type ReadToDecode,
  type RunnerForOptions,
  SHARD_MANIFEST_FORMAT,
  type ShardCompleteness,
  type ShardManifest,
  type ShardManifestFile,
  type SourceFile,
  type TailStrategy,
  TokenFileError,
  type TokenFileHeader,
  TokenFileReader,
  type TokenFileStats,
  TokenFileWriter,
  type TokenFileWriterOptions,
  type TokenRead,
  type TokenReadToWrite,
} from "./lib/codec/mod.ts";
export {
  type BatchesOptions,
  type DatasetBatch,
  type DatasetPosition,
  type DatasetWarning,
  discoverPod5Files,
  type EpochSummary,
  type LaneCursor,
  NanoporeSignalDataset,
  type NanoporeSignalDatasetOptions,
  type Pod5Source,
  type ReadFilter,
  type ReadInfo,
  type TailSplit,
  type WindowSource,
} from "./lib/data/mod.ts";
export {
  type BackendAttempt,
  type ComputeBackend,
  initBackend,
  type InitBackendOptions,
} from "./lib/runtime/backend.ts";
export {
  parseConfig,
  type ParseConfigOptions,
  type RawConfig,
  resolveConfig,
  type ResolveConfigOptions,
} from "./lib/runtime/config.ts";
export type {
  BackendName,
  CheckpointConfig,
  ConcreteBackendName,
  Config,
  DataConfig,
  DataSplitConfig,
  DiscriminatorConfig,
  LossWeights,
  ModelConfig,
  OptimConfig,
  TrainConfig,
  WandbConfig,
} from "./lib/runtime/config_types.ts";
export type { NormalisationMode, NormalisationStats, SignalMetrics } from "./lib/signal/mod.ts";
export type { MetricsRecord } from "./lib/train/metrics_log.ts";
export { BackendError, ConfigError, InputError } from "./lib/runtime/errors.ts";
export {
  CheckpointError,
  type CodecCandidate,
  type CodecExport,
  type CodecRow,
  type CodecSearch,
  exportCodec,
  type ExportCodecOptions,
  type ExportResult,
  findCodec,
  listRuns,
  type RunListing,
} from "./lib/checkpoint/mod.ts";
export { type DecoderChoice, resolveDecoder, type ResolveDecoderOptions } from "./lib/codec/resolve_decoder.ts";
export type { HeldOutMetrics } from "./lib/train/evaluate.ts";
export {
  type MetricsSink,
  type PrunedEntry,
  type TrainEvent,
  trainModel,
  type TrainModelOptions,
  type TrainResult,
} from "./lib/train/loop.ts";
export type { FileProgress } from "./lib/runtime/progress.ts";
export { assignShards, parseShard, selectShard, type Shard, type SizedFile } from "./lib/runtime/shard.ts";
export { VERSION } from "./lib/version.ts";
