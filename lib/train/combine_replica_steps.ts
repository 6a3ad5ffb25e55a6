/**
 * The metrics of a train step, and how the parts that data-parallel replicas
 * computed of one step combine into them: each replica's losses weighted by
 * its share of the rows, code counts summed.
 *
 * @module
 */
import { codebookStats } from "../model/codebook_stats.ts";
import type { LossWeights } from "../runtime/config_schema.ts";

/**
 * Metrics of one step, named as the seed logs them; losses are means over
 * micro-batches. Values that need the discriminator are null before
 * disc_start (it does not run).
 */
export interface StepMetrics {
  /** w_l1·L1 + w_commit·commit + the masked GAN terms. */
  readonly total_loss: number;
  /** L1 between windows and reconstructions. */
  readonly reconstruct_loss: number;
  /** The quantizer's commitment + codebook loss. */
  readonly commit_loss: number;
  /** w_l1·L1. */
  readonly weighted_reconstruct_loss: number;
  /** w_commit·commit_loss. */
  readonly weighted_commit_loss: number;
  /** Hinge generator loss −mean(D(fake)); null before disc_start. */
  readonly gan_loss: number | null;
  /** m·w_gan·gan_loss (0 before disc_start). */
  readonly weighted_gan_loss: number;
  /** Feature-matching loss; null before disc_start. */
  readonly feature_loss: number | null;
  /** m·w_feat·feature_loss (0 before disc_start). */
  readonly weighted_feature_loss: number;
  /** m·disc_loss_raw (0 before disc_start). */
  readonly disc_loss: number;
  /** Hinge discriminator loss on the weights at the start of the step; null before disc_start. */
  readonly disc_loss_raw: number | null;
  /** 1 when the GAN terms are on, else 0. */
  readonly disc_mask: number;
  /** Codebook perplexity (of stage 1), mean over micro-batches. */
  readonly codebook_perplexity: number;
  /** Fraction of codes used (of stage 1), mean over micro-batches. */
  readonly codebook_util: number;
  /** Generator gradient norm before clipping. */
  readonly generator_grad_norm: number;
  /** Discriminator gradient norm before clipping (last repeat); null when it did not update. */
  readonly discriminator_grad_norm: number | null;
}

/** What {@linkcode trainStep} returns. */
export interface StepResult {
  /** The logged metrics. */
  readonly metrics: StepMetrics;
  /**
   * Code counts of each micro-batch, for a sliding window: one
   * `[codebookSize]` array per quantizer stage, stage 1 first (all zeros for
   * a stage the micro-batch dropped).
   */
  readonly codeCounts: readonly (readonly Uint32Array[])[];
  /** The quantizer stages K each micro-batch used. */
  readonly quantizers: readonly number[];
}

/** The losses of one micro-batch (or of one replica's share of it). */
export interface MicroLosses {
  /** L1 reconstruction loss. */
  readonly l1: number;
  /** The quantizer's commitment + codebook loss. */
  readonly commit: number;
  /** The generator's total loss. */
  readonly total: number;
  /** Hinge generator loss; null before disc_start. */
  readonly gan: number | null;
  /** Feature-matching loss; null before disc_start. */
  readonly feature: number | null;
}

/**
 * One replica's part of a step, before the replicas are combined by
 * {@linkcode combineReplicaSteps}. Losses are means over the replica's rows
 * of each micro-batch; the gradient norms are those of the combined
 * gradients (the same on every replica).
 */
export interface ReplicaStepResult {
  /** 1 when the GAN terms were on. */
  readonly mask: number;
  /** Losses per micro-batch. */
  readonly micro: readonly MicroLosses[];
  /** Code counts per micro-batch and stage, `[codebookSize]` each. */
  readonly codeCounts: readonly (readonly Uint32Array[])[];
  /** The quantizer stages K each micro-batch used (the same on every replica). */
  readonly quantizers: readonly number[];
  /** Hinge discriminator loss (mean over micro-batches) before its update; null before disc_start. */
  readonly discRaw: number | null;
  /** Generator gradient norm before clipping. */
  readonly generatorGradNorm: number;
  /** Discriminator gradient norm before clipping (last repeat); null when it did not update. */
  readonly discriminatorGradNorm: number | null;
}

/**
 * Combine the replicas' parts of one step into the step's metrics: each
 * replica's losses weighted by its fraction of the rows, code counts summed.
 *
 * @param parts One result per replica, all of the same step.
 * @param options `fractions` (each replica's share of the rows, summing to 1)
 *   and the `lossWeights`.
 * @returns The step's metrics and per-micro-batch code counts.
 */
export function combineReplicaSteps(
  parts: readonly ReplicaStepResult[],
  options: { readonly fractions: readonly number[]; readonly lossWeights: LossWeights },
): StepResult {
  const first = parts[0];
  if (first === undefined || parts.length !== options.fractions.length) {
    throw new RangeError(`Cannot combine steps: ${parts.length} parts for ${options.fractions.length} fractions`);
  }
  const microBatches = first.micro.length;
  const weighted = (pick: (m: MicroLosses) => number | null, index: number): number | null => {
    let total = 0;
    for (let i = 0; i < parts.length; i++) {
      const v = pick(parts[i]!.micro[index]!);
      if (v === null) return null;
      total += options.fractions[i]! * v;
    }
    return total;
  };
  const mean = (pick: (m: MicroLosses) => number | null): number | null => {
    let total = 0;
    for (let m = 0; m < microBatches; m++) {
      const v = weighted(pick, m);
      if (v === null) return null;
      total += v;
    }
    return total / microBatches;
  };
  const codeCounts: Uint32Array[][] = [];
  let perplexity = 0, usage = 0;
  for (let m = 0; m < microBatches; m++) {
    const stages = first.codeCounts[m]!.map((counts, stage) => {
      const sum = Uint32Array.from(counts);
      for (const part of parts.slice(1)) part.codeCounts[m]![stage]!.forEach((c, k) => sum[k]! += c);
      return sum;
    });
    codeCounts.push(stages);
    const stats = codebookStats(stages[0]!);
    perplexity += stats.perplexity / microBatches;
    usage += stats.usage / microBatches;
  }
  let discRaw: number | null = null;
  if (first.discRaw !== null) {
    discRaw = 0;
    parts.forEach((part, i) => discRaw! += options.fractions[i]! * part.discRaw!);
  }
  const wts = options.lossWeights;
  const mask = first.mask;
  const l1 = mean((m) => m.l1)!;
  const commit = mean((m) => m.commit)!;
  const gan = mean((m) => m.gan);
  const feature = mean((m) => m.feature);
  const metrics: StepMetrics = {
    total_loss: mean((m) => m.total)!,
    reconstruct_loss: l1,
    commit_loss: commit,
    weighted_reconstruct_loss: wts.time_l1 * l1,
    weighted_commit_loss: wts.commit * commit,
    gan_loss: gan,
    weighted_gan_loss: gan === null ? 0 : mask * wts.gan * gan,
    feature_loss: feature,
    weighted_feature_loss: feature === null ? 0 : mask * wts.feature * feature,
    disc_loss: discRaw === null ? 0 : mask * discRaw,
    disc_loss_raw: discRaw,
    disc_mask: mask,
    codebook_perplexity: perplexity,
    codebook_util: usage,
    generator_grad_norm: first.generatorGradNorm,
    discriminator_grad_norm: first.discriminatorGradNorm,
  };
  return { metrics, codeCounts, quantizers: [...first.quantizers] };
}
