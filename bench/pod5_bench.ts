/**
 * `deno task bench pod5`: VBZ decode throughput on the bundled samples, split
 * into zstd time and svb16 time, against Deno's zstd alone (the in-run
 * baseline), plus the whole reader and the VBZ encoder.
 *
 * Result names are a contract: `vbz_decode_z1` and `zstd_only_z1`.
 *
 * @module
 */
import { tableFromIPC } from "apache-arrow";
import { zstdDecompressSync } from "node:zlib";
import { openContainer } from "../lib/pod5/container.ts";
import { Pod5Reader } from "../lib/pod5/reader.ts";
import { decodeSvb16Into } from "../lib/pod5/svb16.ts";
import { decodeVbzInto, zstdFrameContentSize } from "../lib/pod5/vbz.ts";
import { createVbzEncoder } from "../lib/pod5/vbz_encoder.ts";
import { benchEnvironment, timeRepeated } from "./_common.ts";

interface Chunk {
  readonly compressed: Uint8Array;
  readonly numSamples: number;
}

const FIXTURES = new URL("../tests/fixtures/pod5/", import.meta.url);

/** Every signal row of a file, as stored. */
async function loadChunks(path: string): Promise<Chunk[]> {
  const container = await openContainer(path);
  try {
    const table = tableFromIPC(await container.file.readAt(container.signal.offset, container.signal.length));
    const signal = table.getChild("signal"), samples = table.getChild("samples");
    if (signal === null || samples === null) throw new Error(`${path}: no signal columns`);
    return Array.from({ length: table.numRows }, (_, i) => ({
      compressed: signal.get(i) as Uint8Array,
      numSamples: Number(samples.get(i)),
    }));
  } finally {
    await container.file.close();
  }
}

/**
 * Run the benchmark.
 *
 * @param options Progress callback; `tiny` times each row once (a smoke run; its numbers mean nothing).
 * @returns The JSON document.
 */
export async function runBench(
  options: { onProgress: (line: string) => void; tiny?: boolean },
): Promise<Record<string, unknown>> {
  const once = { warmup: 0, reps: 1, minRepMs: 0 };
  const repeats = (full: { reps?: number } = {}) => (options.tiny === true ? once : full);
  const results: Record<string, unknown>[] = [];
  for (const name of ["z1", "can_reads"]) {
    const path = new URL(`${name}.pod5`, FIXTURES).pathname;
    const chunks = await loadChunks(path);
    const samples = chunks.reduce((n, c) => n + c.numSamples, 0);
    const out = new Int16Array(Math.max(...chunks.map((c) => c.numSamples)));
    const streams = chunks.map((c) => zstdDecompressSync(c.compressed));
    options.onProgress(`${name}: ${chunks.length} chunks, ${samples} samples`);
    const zstd = await timeRepeated(() => {
      for (const c of chunks) {
        zstdDecompressSync(c.compressed, { chunkSize: Math.max(zstdFrameContentSize(c.compressed) ?? 0, 64) });
      }
    }, repeats());
    const svb16 = await timeRepeated(() => {
      for (let i = 0; i < chunks.length; i++) decodeSvb16Into(streams[i]!, chunks[i]!.numSamples, out, 0);
    }, repeats());
    const full = await timeRepeated(() => {
      for (const c of chunks) decodeVbzInto(c.compressed, c.numSamples, out, 0);
    }, repeats());
    const rate = (ms: number) => Math.round(samples / (ms / 1000));
    results.push({
      name: `zstd_only_${name}`,
      samples_per_s: rate(zstd.bestMs),
      samples_per_s_median: rate(zstd.medianMs),
      ms: zstd.bestMs,
    });
    results.push({
      name: `svb16_only_${name}`,
      samples_per_s: rate(svb16.bestMs),
      samples_per_s_median: rate(svb16.medianMs),
      ms: svb16.bestMs,
    });
    results.push({
      name: `vbz_decode_${name}`,
      samples_per_s: rate(full.bestMs),
      samples_per_s_median: rate(full.medianMs),
      ms: full.bestMs,
      ratio_vs_zstd_only: full.bestMs === 0 ? 0 : zstd.bestMs / full.bestMs,
    });
    options.onProgress(`${name}: vbz ${rate(full.bestMs)} samples/s, zstd alone ${rate(zstd.bestMs)}`);
    if (name === "z1") {
      const decoded = chunks.map((c) => {
        const s = new Int16Array(c.numSamples);
        decodeVbzInto(c.compressed, c.numSamples, s, 0);
        return s;
      });
      const encoder = await createVbzEncoder();
      const encode = await timeRepeated(() => {
        for (const s of decoded) encoder.encode(s);
      }, repeats({ reps: 3 }));
      results.push({ name: "vbz_encode_z1", samples_per_s: rate(encode.bestMs), ms: encode.bestMs });
      const reader = await timeRepeated(async () => {
        await using pod5 = await Pod5Reader.open(path);
        for await (const read of pod5.reads()) read.signal();
      }, repeats({ reps: 3 }));
      results.push({
        name: "reader_z1",
        samples_per_s: rate(reader.bestMs),
        ms: reader.bestMs,
        ratio_vs_vbz_decode: full.bestMs / reader.bestMs,
      });
    }
  }
  return { bench: "pod5", ...await benchEnvironment(), backend: "js", results };
}
