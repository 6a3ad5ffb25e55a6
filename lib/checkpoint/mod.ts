/**
 * Checkpoints on disk, below training, the codec and the server:
 * `checkpoint_<step>/` folders (written atomically, listed by scanning,
 * pruned by lineage), codec exports (a checkpoint's generator frozen under
 * its sha256, never pruned), the search for a generator by sha256, the
 * safetensors format of their weights, the `state.json` they record, and
 * {@linkcode CheckpointError}.
 *
 * @module
 */
export {
  CHECKPOINT_TENSOR_FILES,
  type CheckpointData,
  type CheckpointEntry,
  type CheckpointTensorFile,
  GENERATOR_FILE,
  latestCheckpoint,
  listCheckpoints,
  loadCheckpoint,
  PREVIOUS_RUN_PREFIX,
  pruneCheckpoints,
  type PruneCheckpointsOptions,
  type PrunedCheckpoint,
  saveCheckpoint,
  type SaveCheckpointOptions,
  STATE_FILE,
} from "./checkpoint.ts";
export {
  CODEC_EXPORT_FILE,
  CODEC_EXPORT_FORMAT,
  type CodecExport,
  codecExportName,
  EXPORTS_FOLDER,
  isCodecExport,
  listCodecExports,
  readCodecExport,
} from "./codec_export.ts";
export {
  exportCodec,
  type ExportCodecOptions,
  type ExportResult,
  formatKeptExport,
  keepCodecExport,
  type KeptExport,
} from "./export_codec.ts";
export { type CodecCandidate, type CodecSearch, findCodec } from "./find_codec.ts";
export { CheckpointError } from "./errors.ts";
export { type CodecRow, listRuns, type RunListing } from "./list_runs.ts";
export { formatRuns } from "./format_runs.ts";
export { resolveCheckpointDir } from "./resolve_checkpoint_dir.ts";
export {
  type GeneratorCheckpointOptions,
  TINY_CODEC_CONFIG,
  writeGeneratorCheckpoint,
} from "./write_generator_checkpoint.ts";
export {
  decodeSafetensors,
  encodeSafetensors,
  type Safetensors,
  type SafetensorsDtype,
  type Tensor,
} from "./safetensors.ts";
