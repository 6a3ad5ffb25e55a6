/**
 * Arrow IPC file plumbing shared by the POD5 tables and the token file:
 * positioned reads, structural checks before apache-arrow trusts the bytes,
 * and a streaming file writer whose bytes the caller moves to disk.
 *
 * @module
 */
export { checkArrowColumns, checkArrowData } from "./check_arrow_data.ts";
export {
  ArrowIpcError,
  type ArrowIpcSummary,
  checkArrowIpcBytes,
  checkArrowIpcFile,
  type IpcSource,
} from "./check_arrow_ipc_file.ts";
export { FlatBufferBoundsError, FlatBufferVerifier } from "./flatbuffer_verifier.ts";
export { ArrowIpcFileWriter } from "./ipc_file_writer.ts";
export {
  type ArrowFileHandleLike,
  embeddedFileHandle,
  openArrowFileReader,
  RandomAccessFile,
} from "./random_access_file.ts";
