/**
 * A model summary for `deno task summary`: parameter counts and forward
 * FLOPs per module, latent length and compression for the configured window.
 *
 * @module
 */
import { type ComputeBackend, describeBackend } from "../runtime/backend.ts";
import { type Config, segmentSamples } from "../runtime/config.ts";
import { Rng } from "../runtime/rng.ts";
import { Codec, GENERATOR_MODULES } from "./codec.ts";
import { outputActivationFor } from "./decoder.ts";
import { Discriminator } from "./discriminator.ts";
import { kernelPlanFor } from "./kernel_plan.ts";

/** Bits of one raw ADC sample (int16). */
export const ADC_BITS_PER_SAMPLE = 16;
/** FLOPs in a GFLOP. */
const GIGA = 1e9;

/** One module's row of the summary. */
export interface ModuleSummary {
  /** `encoder`, `quant_conv`, `quantizer`, `post_quant_conv`, `decoder` or `discriminator`. */
  readonly name: string;
  /** Trainable parameter values. */
  readonly trainableParams: number;
  /** Frozen parameter values (the quantizer's codebook). */
  readonly frozenParams: number;
  /** Forward GFLOP per window (2 per multiply-add, convs and matMuls only). */
  readonly gflopPerWindow: number;
  /** Forward GFLOP paid once per call whatever the batch (the quantizer's C·W). */
  readonly gflopPerCall: number;
}

/** What {@linkcode summarizeModel} returns. */
export interface ModelSummary {
  /** Samples per window. */
  readonly windowSamples: number;
  /** Sample rate, Hz. */
  readonly sampleRateHz: number;
  /** Samples per code (product of the encoder strides). */
  readonly hopSamples: number;
  /** Codes per window. */
  readonly latentLength: number;
  /** Latent dimension. */
  readonly latentDim: number;
  /** Codebook entries K. */
  readonly codebookSize: number;
  /** Bits per code, log2(K). */
  readonly bitsPerCode: number;
  /** Residual quantizer stages N: codes per frame at the full rate. */
  readonly numQuantizers: number;
  /** Compressed bits per input sample, all N stages (nominal: before the range coder). */
  readonly bitsPerSample: number;
  /** 16-bit ADC bits over {@linkcode ModelSummary.bitsPerSample}. */
  readonly compressionVsAdc: number;
  /** Token bit rate, bits per second of signal. */
  readonly bitsPerSecond: number;
  /** One row per module: the generator's, then the discriminator. */
  readonly modules: readonly ModuleSummary[];
  /** Generator totals (all modules but the discriminator). */
  readonly generator: {
    readonly trainableParams: number;
    readonly frozenParams: number;
    readonly gflopPerWindow: number;
  };
  /** The decoder's output head. */
  readonly outputActivation: string;
  /** The selected backend, with what was skipped. */
  readonly backend: string;
}

/**
 * Summarise the configured model (built once on the active backend and
 * disposed).
 *
 * @param config A parsed config.
 * @param options The initialised backend (reported, and used to build).
 * @returns The summary.
 */
export function summarizeModel(config: Readonly<Config>, options: { backend: ComputeBackend }): ModelSummary {
  const rng = Rng.fromSeed(config.seed);
  const plan = kernelPlanFor(options.backend.name);
  const outputActivation = outputActivationFor(config.data.normalization);
  const windowSamples = segmentSamples(config.data);
  const codec = new Codec(config.model, { rng, plan, outputActivation });
  const disc = new Discriminator(config.model.discriminator, { rng, plan });
  try {
    const flops = codec.flops(windowSamples);
    const perWindow: Record<string, number> = {
      encoder: flops.encoder,
      quant_conv: flops.quant_conv,
      quantizer: flops.quantizer_search,
      post_quant_conv: flops.post_quant_conv,
      decoder: flops.decoder,
    };
    const modules: ModuleSummary[] = GENERATOR_MODULES.map((name) => {
      const counts = codec.moduleCounts(name);
      return {
        name,
        trainableParams: counts.trainable,
        frozenParams: counts.frozen,
        gflopPerWindow: perWindow[name]! / GIGA,
        gflopPerCall: name === "quantizer" ? flops.quantizer_projection / GIGA : 0,
      };
    });
    const dCounts = disc.counts();
    const generator = {
      trainableParams: modules.reduce((a, m) => a + m.trainableParams, 0),
      frozenParams: modules.reduce((a, m) => a + m.frozenParams, 0),
      gflopPerWindow: modules.reduce((a, m) => a + m.gflopPerWindow, 0),
    };
    modules.push({
      name: "discriminator",
      trainableParams: dCounts.trainable,
      frozenParams: dCounts.frozen,
      gflopPerWindow: disc.flops(windowSamples) / GIGA,
      gflopPerCall: 0,
    });
    const latentLength = codec.latentLength(windowSamples);
    const bitsPerCode = Math.log2(config.model.codebook_size);
    const numQuantizers = config.model.num_quantizers;
    const bitsPerSample = numQuantizers * bitsPerCode * latentLength / windowSamples;
    return {
      windowSamples,
      sampleRateHz: config.data.sample_rate,
      hopSamples: codec.hop,
      latentLength,
      latentDim: config.model.latent_dim,
      codebookSize: config.model.codebook_size,
      bitsPerCode,
      numQuantizers,
      bitsPerSample,
      compressionVsAdc: ADC_BITS_PER_SAMPLE / bitsPerSample,
      bitsPerSecond: bitsPerSample * config.data.sample_rate,
      modules,
      generator,
      outputActivation,
      backend: describeBackend(options.backend),
    };
  } finally {
    codec.dispose();
    disc.dispose();
  }
}

/**
 * The summary as an aligned text table.
 *
 * @param s A summary.
 * @returns Lines of text (no trailing newline).
 */
export function formatSummary(s: ModelSummary): string {
  const num = (n: number) => n.toLocaleString("en-US");
  const gflop = (n: number) => n.toFixed(3);
  const header = ["module", "trainable", "frozen", "fwd GFLOP/window", "per call"];
  const rows = s.modules.map((m) => [
    m.name,
    num(m.trainableParams),
    num(m.frozenParams),
    gflop(m.gflopPerWindow),
    m.gflopPerCall > 0 ? gflop(m.gflopPerCall) : "",
  ]);
  rows.push([
    "generator",
    num(s.generator.trainableParams),
    num(s.generator.frozenParams),
    gflop(s.generator.gflopPerWindow),
    "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  return [
    `window ${num(s.windowSamples)} samples at ${
      num(s.sampleRateHz)
    } Hz → ${s.latentLength} codes × ${s.latentDim} dims ` +
    `(hop ${s.hopSamples})`,
    `codebook ${num(s.codebookSize)} (${s.bitsPerCode.toFixed(2)} bits/code)${
      s.numQuantizers === 1 ? "" : ` × ${s.numQuantizers} quantizer stages`
    }: ${s.bitsPerSample.toFixed(4)} bits/sample, ` +
    `${s.bitsPerSecond.toFixed(0)} bit/s, ${s.compressionVsAdc.toFixed(1)}x smaller than 16-bit ADC`,
    `output head ${s.outputActivation}`,
    "",
    line(header),
    ...rows.map(line),
    "",
    s.backend,
  ].join("\n");
}
