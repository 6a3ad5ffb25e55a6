/**
 * FLOP counts of training steps, from the modules' forward counts (2 per
 * multiply-add of convs and matMuls; norms and activations ignored). A
 * forward + backward is counted as 3 forwards (dx and dW each cost about one
 * forward); a backward that needs only dx (the frozen discriminator inside
 * the generator's loss) as 2.
 *
 * @module
 */
import type { Codec } from "../model/codec.ts";
import type { Discriminator } from "../model/discriminator.ts";

/** Forward FLOPs of the networks for one window length. */
export interface ForwardFlops {
  /** Generator forward per window (encoder … decoder, quantizer search included). */
  readonly generatorPerWindow: number;
  /** Generator forward per call, independent of the batch (the quantizer's C·W). */
  readonly generatorPerCall: number;
  /** Encoder + quant_conv + quantizer search per window (the compression path). */
  readonly encodePerWindow: number;
  /** Discriminator forward per window. */
  readonly discriminatorPerWindow: number;
}

/**
 * Forward FLOPs of a generator and discriminator.
 *
 * @param nets The `generator` (codec) and the `discriminator`.
 * @param samples Window length.
 * @returns The counts.
 */
export function forwardFlops(
  nets: { generator: Codec; discriminator: Discriminator },
  samples: number,
): ForwardFlops {
  const { generator, discriminator } = nets;
  const f = generator.flops(samples);
  const encodePerWindow = f.encoder + f.quant_conv + f.quantizer_search;
  return {
    generatorPerWindow: encodePerWindow + f.post_quant_conv + f.decoder,
    generatorPerCall: f.quantizer_projection,
    encodePerWindow,
    discriminatorPerWindow: discriminator.flops(samples),
  };
}

/**
 * FLOPs of one training step on `windows` windows in one micro-batch.
 * Generator only (before disc_start): 3·G. With the discriminator:
 * 3·G + 3·D (fake windows through D with dx only, real windows forward for
 * the feature targets) + disc_steps · 2 · 3·D (hinge loss on real and fake).
 *
 * @param flops Forward counts.
 * @param options `windows` per step, `discSteps` (0 for generator-only).
 * @returns FLOPs.
 */
export function trainStepFlops(flops: ForwardFlops, options: { windows: number; discSteps: number }): number {
  const { windows, discSteps } = options;
  const generator = 3 * (flops.generatorPerWindow * windows + flops.generatorPerCall);
  if (discSteps === 0) return generator;
  return generator + windows * flops.discriminatorPerWindow * (3 + 6 * discSteps);
}

/**
 * FLOPs of encoding `windows` windows (windows → codes).
 *
 * @param flops Forward counts.
 * @param windows Windows per call.
 * @returns FLOPs.
 */
export function encodeFlops(flops: ForwardFlops, windows: number): number {
  return flops.encodePerWindow * windows + flops.generatorPerCall;
}
