/**
 * `deno task bench tails --ckpt DIR`: how each tail strategy codes the
 * samples after a read's last whole window (and reads shorter than one
 * window), measured on signal the checkpoint never trained on.
 *
 * Trials cut synthetic reads out of the held-out end of z1's long read (the
 * quickstart holds out each read's last windows and never trains on its tail
 * remainder): one whole window plus a tail of t samples, t spread evenly over
 * [1, window), and reads of t samples alone. Each is encoded and decoded
 * through the codec's own read path (`encodeRead` / `decodeRead`), and the
 * tail's samples are scored in pA against the real ones. The same is done on
 * can_reads (4 kHz, another flow cell and kit: out of the model's domain, a
 * robustness check). The in-run baseline is each tail's own median.
 *
 * Result names: `<data>_<kind>_<strategy>` with data `z1_heldout` or
 * `can_reads`, kind `tails` or `short_reads`, strategy `short`, `pad`,
 * `end_align`; plus `<data>_<kind>_median_baseline`.
 *
 * @module
 */
import { decodeRead, encodeRead, loadCodec } from "../lib/codec/mod.ts";
import { TAIL_STRATEGIES, type TailStrategy } from "../lib/codec/types.ts";
import { adcToPa } from "../lib/pod5/calibration.ts";
import { Pod5Reader } from "../lib/pod5/reader.ts";
import type { Calibration, RunInfo } from "../lib/pod5/types.ts";
import { signalMetrics, SignalMetricsAccumulator } from "../lib/signal/signal_metrics.ts";
import { benchEnvironment } from "./_common.ts";

/** Tail lengths tried per data set and kind. */
const TRIALS = 48;
/** z1's long read: the quickstart never trains past its window 198 (23 of 221 windows held out). */
const Z1_LONG_READ = "49113cc9-b239-4099-bca3-6c6ff92173a8";
const Z1_HELDOUT_FROM = 198 * 10_000;

interface Source {
  readonly name: string;
  readonly adc: Int16Array;
  readonly calibration: Calibration;
  readonly run: RunInfo;
}

/** A strategy's scores: pooled over the tails (each tail centred on its own mean), and per tail. */
interface Score {
  readonly pooled: SignalMetricsAccumulator;
  codes: number;
  readonly perTail: number[];
}

const FIXTURES = new URL("../tests/fixtures/pod5/", import.meta.url);

async function sources(): Promise<Source[]> {
  const out: Source[] = [];
  {
    await using pod5 = await Pod5Reader.open(new URL("z1.pod5", FIXTURES).pathname);
    const read = await pod5.read(Z1_LONG_READ);
    out.push({
      name: "z1_heldout",
      adc: read.signal().slice(Z1_HELDOUT_FROM),
      calibration: read.calibration,
      run: read.runInfo,
    });
  }
  {
    await using pod5 = await Pod5Reader.open(new URL("can_reads.pod5", FIXTURES).pathname);
    let longest: Source | undefined;
    for await (const read of pod5.reads()) {
      if (longest === undefined || read.numSamples > longest.adc.length) {
        longest = { name: "can_reads", adc: read.signal(), calibration: read.calibration, run: read.runInfo };
      }
    }
    out.push(longest!);
  }
  return out;
}

function median(values: Float32Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function result(name: string, score: Score, tails: number): Record<string, unknown> {
  const sorted = [...score.perTail].sort((a, b) => a - b);
  const pooled = score.pooled.result();
  return {
    name,
    tails,
    tail_samples: pooled.numSamples,
    tail_snr_db_pooled: pooled.snrDb,
    tail_snr_db_median: sorted[sorted.length >> 1] ?? null,
    tail_mae_pa: pooled.mae,
    codes_per_tail: score.codes / tails,
    tail_bits_per_sample_nominal: (score.codes * 12) / pooled.numSamples,
  };
}

/**
 * Run the benchmark.
 *
 * @param options Progress callback and the `--ckpt` flag.
 * @returns The JSON document.
 */
export async function runBench(
  options: { onProgress: (line: string) => void; flags: ReadonlyMap<string, string> },
): Promise<Record<string, unknown>> {
  const ckpt = options.flags.get("ckpt") ?? "checkpoints/quickstart";
  const codec = await loadCodec(ckpt, { backend: "wasm" });
  const w = codec.windowSamples;
  const results: Record<string, unknown>[] = [];
  for (const source of await sources()) {
    for (const kind of ["tails", "short_reads"] as const) {
      const lead = kind === "tails" ? w : 0;
      const scores = new Map<TailStrategy | "median_baseline", Score>();
      const blank = (): Score => ({ pooled: new SignalMetricsAccumulator(), codes: 0, perTail: [] });
      for (let i = 0; i < TRIALS; i++) {
        const t = Math.max(1, Math.floor(((i + 0.5) * w) / TRIALS));
        const room = source.adc.length - lead - t;
        const offset = (i * 7919 * 37) % Math.max(1, room);
        const adc = source.adc.subarray(offset, offset + lead + t);
        const real = adcToPa(adc.subarray(lead), source.calibration);
        const prediction = new Float32Array(real.length).fill(median(real));
        const base = scores.get("median_baseline") ?? blank();
        base.pooled.add(real, prediction);
        if (t > 1) base.perTail.push(signalMetrics(real, prediction).snrDb);
        scores.set("median_baseline", base);
        for (const tail of TAIL_STRATEGIES) {
          const encoded = await encodeRead(codec, { adc, calibration: source.calibration }, { tail });
          const back = await decodeRead(codec, {
            ...encoded,
            calibration: source.calibration,
            numSamples: adc.length,
            run: source.run,
          }, { tail });
          const generated = adcToPa(back.subarray(lead), source.calibration);
          const s = scores.get(tail) ?? blank();
          s.pooled.add(real, generated.subarray(0, t));
          s.codes += encoded.layout.tailCodes;
          if (t > 1) s.perTail.push(signalMetrics(real, generated.subarray(0, t)).snrDb);
          scores.set(tail, s);
        }
      }
      for (const [strategy, score] of scores) {
        const row = result(`${source.name}_${kind}_${strategy}`, score, TRIALS);
        results.push(row);
        options.onProgress(JSON.stringify(row));
      }
    }
  }
  codec.dispose();
  return {
    bench: "tails",
    ...await benchEnvironment(),
    backend: codec.backend.name,
    checkpoint: codec.checkpoint,
    results,
  };
}
