/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * A codec worker: loads a checkpoint's generator on its own backend and runs
 * the encode and decode jobs sent to it (`startWorkerRunner`), one at a time.
 *
 * @module
 */
import { serveRpc, transferring } from "../runtime/worker_rpc.ts";
import { loadCodec, type LoadedCodec } from "./load_codec.ts";
import type { CodecWorkerMethods } from "./_worker_protocol.ts";

let codec: LoadedCodec | undefined;

function loaded(): LoadedCodec {
  if (codec === undefined) throw new TypeError("Cannot run the model: the codec worker was not initialised");
  return codec;
}

serveRpc<CodecWorkerMethods>(self, {
  init: async ({ checkpoint, backend }) => {
    codec = await loadCodec(checkpoint, { backend });
    return { sha256: codec.checkpoint.sha256 };
  },
  encode: async ({ windows, samples }) => {
    const codes = await loaded().encodeWindows(windows, samples);
    return transferring(codes, [codes.buffer as ArrayBuffer]);
  },
  decode: async ({ codes, codesPerRow }) => {
    const values = await loaded().decodeCodes(codes, codesPerRow);
    return transferring(values, [values.buffer as ArrayBuffer]);
  },
});
