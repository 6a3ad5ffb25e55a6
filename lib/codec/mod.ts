/**
 * The codec: POD5 reads ↔ discrete tokens through a trained generator.
 * {@linkcode loadCodec} loads a checkpoint's generator; {@linkcode encodePod5}
 * and {@linkcode decodeTokens} turn whole files (or folders) into token files
 * and back; {@linkcode TokenFileReader} / {@linkcode TokenFileWriter} read and
 * write the `.tokens` format (an Arrow IPC file) directly; {@linkcode CodecPool}
 * keeps the model's Workers up across many calls (a server's requests).
 *
 * @module
 */
export { CodeStreamDecoder, CodeStreamEncoder } from "./code_stream.ts";
export { CodecPool, type CodecPoolOptions, type RunnerForOptions } from "./codec_pool.ts";
export {
  checkTokensFitCodec,
  type DecodedFile,
  type DecodeSummary,
  decodeTokens,
  type DecodeTokensOptions,
  recordedCheckpoint,
} from "./decode_tokens.ts";
export { type EncodedFile, encodePod5, type EncodePod5Options, type EncodeSummary } from "./encode_pod5.ts";
export { type CodecMismatch, CodecMismatchError, TokenFileError } from "./errors.ts";
export { formatDecodeSummary, formatEncodeSummary } from "./format_codec_summary.ts";
export { loadCodec, type LoadCodecOptions, LoadedCodec } from "./load_codec.ts";
export { GENERATOR_FILE, resolveCheckpointDir } from "../checkpoint/mod.ts";
export { decodeRead, encodeRead, type ReadCodecOptions } from "./read_codec.ts";
export { readLayout } from "./read_layout.ts";
export { type DecoderChoice, locateDecoder, resolveDecoder, type ResolveDecoderOptions } from "./resolve_decoder.ts";
export {
  checkShardManifests,
  SHARD_MANIFEST_FORMAT,
  type ShardCompleteness,
  type ShardManifest,
  type ShardManifestFile,
} from "./shard_manifest.ts";
export { TokenFileReader } from "./token_file_reader.ts";
export {
  codesCrc32,
  type TokenFileStats,
  TokenFileWriter,
  type TokenFileWriterOptions,
  type TokenReadToWrite,
} from "./token_file_writer.ts";
export {
  type CheckpointIdentity,
  type CodecProgress,
  type CodesEncoding,
  DEFAULT_TAIL,
  type EncodedRead,
  type ReadLayout,
  type ReadLayoutOptions,
  type ReadToDecode,
  type SourceFile,
  TAIL_STRATEGIES,
  type TailStrategy,
  type TokenFileHeader,
  type TokenRead,
} from "./types.ts";
