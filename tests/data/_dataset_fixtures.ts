/** Helpers of the data tests: collecting batches, corrupt copies of fixtures. */
import { createHash } from "node:crypto";
import type { DatasetBatch, NanoporeSignalDataset } from "../../lib/data/mod.ts";
import { Pod5Reader, Pod5Writer } from "../../lib/pod5/mod.ts";
import type { BatchesOptions } from "../../lib/data/mod.ts";

/** Everything observable about a batch, compared across runs. */
export interface BatchDigest {
  readonly epoch: number;
  readonly batchSize: number;
  readonly sha256: string;
  readonly sources: readonly string[];
  readonly position: string;
}

/** SHA-256 hex of a float32 array's bytes. */
export function sha256Floats(values: Float32Array): string {
  return createHash("sha256").update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)).digest("hex");
}

/** `fileIndex/readIndex/windowIndex` of every row of a batch. */
export function sourceKeys(batch: DatasetBatch): string[] {
  return batch.sources.map((s) => `${s.fileIndex}/${s.readIndex}/${s.windowIndex}`);
}

/**
 * Iterate every batch, keeping them all, then digest them. Each batch's
 * values are hashed when yielded too: a later batch that reuses an earlier
 * one's buffer fails here instead of passing for the same data.
 */
export async function collect(dataset: NanoporeSignalDataset, options: BatchesOptions = {}): Promise<BatchDigest[]> {
  const kept: { batch: DatasetBatch; sha256: string }[] = [];
  for await (const batch of dataset.batches(options)) kept.push({ batch, sha256: sha256Floats(batch.values) });
  return kept.map(({ batch, sha256 }, i) => {
    const now = sha256Floats(batch.values);
    if (now !== sha256) throw new Error(`batch ${i}'s values changed after it was yielded (a reused buffer?)`);
    return {
      epoch: batch.epoch,
      batchSize: batch.batchSize,
      sha256: now,
      sources: sourceKeys(batch),
      position: JSON.stringify(batch.position),
    };
  });
}

/** A copy of `bytes` with the `nth` zstd frame's magic number broken (one signal chunk no longer decodes). */
export function breakZstdFrame(bytes: Uint8Array, nth: number): Uint8Array {
  const copy = bytes.slice();
  let seen = 0;
  for (let i = 0; i + 4 <= copy.length; i++) {
    if (copy[i] === 0x28 && copy[i + 1] === 0xb5 && copy[i + 2] === 0x2f && copy[i + 3] === 0xfd && seen++ === nth) {
      copy[i] = 0;
      return copy;
    }
  }
  throw new RangeError(`Cannot break zstd frame ${nth}: only ${seen} frames`);
}

/**
 * Copy a POD5 file, replacing read `readIndex`'s signal by a flat one: 60 % of
 * its samples at one ADC value, the rest a ramp (so its MAD is 0 but its
 * range is not). Only the first `keepReads` reads are copied (default: all).
 * Returns the flat read's id and length.
 */
export async function writeFlatRead(
  source: string,
  target: string,
  readIndex: number,
  options: { readonly keepReads?: number } = {},
): Promise<{ readId: string; numSamples: number }> {
  await using reader = await Pod5Reader.open(source);
  await using writer = await Pod5Writer.create(target);
  for (const run of reader.runInfos) await writer.addRunInfo(run);
  let index = 0;
  let flat = { readId: "", numSamples: 0 };
  for await (const read of reader.reads()) {
    if (index === (options.keepReads ?? Infinity)) break;
    if (index++ !== readIndex) {
      await writer.addRead(read);
      continue;
    }
    const adc = new Int16Array(read.numSamples);
    for (let i = 0; i < adc.length; i++) adc[i] = i < adc.length * 0.6 ? 500 : 400 + (i % 200);
    flat = { readId: read.readId, numSamples: read.numSamples };
    await writer.addRead({ ...read, signal: () => adc });
  }
  await writer.close();
  return flat;
}

/** Copy the first `count` reads of a POD5 file (with its runs) into `target`. */
export async function writeFirstReads(source: string, target: string, count: number): Promise<void> {
  await using reader = await Pod5Reader.open(source);
  await using writer = await Pod5Writer.create(target);
  for (const run of reader.runInfos) await writer.addRunInfo(run);
  let index = 0;
  for await (const read of reader.reads()) {
    if (index++ === count) break;
    await writer.addRead(read);
  }
  await writer.close();
}
