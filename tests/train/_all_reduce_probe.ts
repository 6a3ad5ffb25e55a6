/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * A Worker for shared_all_reduce_test.ts: attaches to the buffer as one
 * replica, posts "entering", sums its vector with the others' and posts the
 * result (or the error's message).
 */
import { SharedAllReduce } from "../../lib/train/_shared_all_reduce.ts";

self.onmessage = (
  event: MessageEvent<{ buffer: SharedArrayBuffer; index: number; replicas: number; vectors: Float32Array[] }>,
) => {
  const { buffer, index, replicas, vectors } = event.data;
  const allReduce = new SharedAllReduce(buffer, { index, replicas });
  const sums: Float32Array[] = [];
  self.postMessage({ kind: "entering" });
  try {
    for (const vector of vectors) {
      allReduce.slot.set(vector);
      sums.push(allReduce.sum(vector.length).slice());
    }
    self.postMessage({ kind: "sums", sums });
  } catch (error) {
    self.postMessage({ kind: "error", message: error instanceof Error ? error.message : String(error) });
  }
};
