/**
 * Checkpoints on disk, below training, the codec and the server:
 * `checkpoint_<step>/` folders (written atomically, listed by scanning,
 * pruned by lineage), the safetensors format of their weights, the
 * `state.json` they record, and {@linkcode CheckpointError}.
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
  pruneCheckpoints,
  type PruneCheckpointsOptions,
  saveCheckpoint,
  type SaveCheckpointOptions,
  STATE_FILE,
} from "./checkpoint.ts";
export { CheckpointError } from "./errors.ts";
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
