/**
 * One optimizer step of the GAN (notes §5–6, with the seed's identical
 * discriminator repeats fixed):
 *
 * 1. For each micro-batch: generator forward, loss w_l1·L1 + w_commit·commit
 *    + m·(w_gan·L_g + w_feat·FM) against the discriminator as it is at the
 *    start of the step, gradient w.r.t. the generator. The gradients are
 *    averaged over micro-batches, clipped and applied with AdamW.
 * 2. If m = 1 (1-based step ≥ disc_start), `disc_steps` times: the hinge
 *    loss m·L_d of every micro-batch (real windows against that
 *    micro-batch's generated windows from 1.) on the discriminator's current
 *    weights, averaged, clipped and applied; so each repeat sees the weights
 *    the previous one produced.
 *
 * Before disc_start the discriminator does not run at all and its weights,
 * moments and step count stay untouched (the seed fed it zero gradients,
 * which only decayed its weights).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Codec } from "../model/codec.ts";
import { codebookStats, countCodes } from "../model/codebook_stats.ts";
import type { Discriminator } from "../model/discriminator.ts";
import type { ParamStore } from "../model/params.ts";
import type { LossWeights } from "../runtime/config_schema.ts";
import { fakeHingeLoss, featureMatchingLoss, generatorHingeLoss, l1Loss, realHingeLoss } from "./losses.ts";
import type { AdamW } from "./optimizer.ts";

/** The networks, optimizers and loss settings a step works on. */
export interface StepContext {
  /** The generator. */
  readonly generator: Codec;
  /** The discriminator. */
  readonly discriminator: Discriminator;
  /** AdamW over the generator's trainable parameters. */
  readonly generatorOptimizer: AdamW;
  /** AdamW over the discriminator's parameters. */
  readonly discriminatorOptimizer: AdamW;
  /** Samples per window. */
  readonly windowSamples: number;
  /** Loss weights. */
  readonly lossWeights: LossWeights;
  /** First 1-based step at which the GAN terms and the discriminator are on. */
  readonly discStart: number;
  /** Discriminator updates per step. */
  readonly discSteps: number;
}

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
  /** Codebook perplexity, mean over micro-batches. */
  readonly codebook_perplexity: number;
  /** Fraction of codes used, mean over micro-batches. */
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
  /** Code counts of each micro-batch, `[codebookSize]` each, for a sliding window. */
  readonly codeCounts: readonly Uint32Array[];
}

/** Per-micro-batch scalars, downloaded after the step. */
interface MicroScalars {
  readonly l1: tf.Scalar;
  readonly commit: tf.Scalar;
  readonly total: tf.Scalar;
  readonly gan: tf.Scalar | null;
  readonly feature: tf.Scalar | null;
  readonly indices: tf.Tensor;
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
  /** Code counts per micro-batch, `[codebookSize]` each. */
  readonly codeCounts: readonly Uint32Array[];
  /** Hinge discriminator loss (mean over micro-batches) before its update; null before disc_start. */
  readonly discRaw: number | null;
  /** Generator gradient norm before clipping. */
  readonly generatorGradNorm: number;
  /** Discriminator gradient norm before clipping (last repeat); null when it did not update. */
  readonly discriminatorGradNorm: number | null;
}

/** Which network a gradient belongs to. */
export type NetworkName = "generator" | "discriminator";

/**
 * Sums gradients over data-parallel replicas. Every replica calls
 * {@linkcode GradientReducer.reduce} the same number of times, in the same
 * order, with the same names and shapes.
 */
export interface GradientReducer {
  /**
   * @param network The network the gradients belong to.
   * @param grads This replica's share, already weighted by its fraction of the batch (not consumed).
   * @returns The sum over all replicas, same names and shapes (owned by the caller).
   */
  reduce(network: NetworkName, grads: ReadonlyMap<string, tf.Tensor>): Promise<Map<string, tf.Tensor>>;
}

/** How one replica takes part in a data-parallel step. */
export interface ReplicaShare {
  /** This replica's fraction of every micro-batch's rows, in (0, 1]. */
  readonly fraction: number;
  /** Sums the weighted gradients over the replicas. */
  readonly reducer: GradientReducer;
}

/**
 * Run one optimizer step on `microBatches` (gradient accumulation: one
 * micro-batch per accumulation slot; pass fewer for a last partial step).
 *
 * @param ctx Networks, optimizers and settings.
 * @param input `microBatches`: each row-major `[batch, windowSamples]` (all
 *   the same batch size); `step`: this step's 1-based number (decides the mask).
 * @returns Metrics and per-micro-batch code counts.
 */
export async function trainStep(
  ctx: StepContext,
  input: { readonly microBatches: readonly Float32Array[]; readonly step: number },
): Promise<StepResult> {
  const part = await replicaStep(ctx, input);
  return combineReplicaSteps([part], { fractions: [1], lossWeights: ctx.lossWeights });
}

/**
 * One replica's part of a step: its rows of every micro-batch, its gradients
 * summed with the other replicas' by `share.reducer` before each update, so
 * that every replica applies the same update. Without `share` it is the
 * whole step on this replica alone.
 *
 * @param ctx Networks, optimizers and settings.
 * @param input `microBatches` (this replica's rows of each, row-major
 *   `[rows, windowSamples]`), `step` (1-based) and the replica's `share`.
 * @returns The replica's losses, code counts and the gradient norms.
 */
export async function replicaStep(
  ctx: StepContext,
  input: { readonly microBatches: readonly Float32Array[]; readonly step: number; readonly share?: ReplicaShare },
): Promise<ReplicaStepResult> {
  const { microBatches, step, share } = input;
  const w = ctx.windowSamples;
  const rows = checkStepInput(microBatches, { step, windowSamples: w });
  const mask = step >= ctx.discStart ? 1 : 0;
  const windows = microBatches.map((mb) => tf.tensor2d(mb, [rows, w]));
  const fakes: tf.Tensor2D[] = [];
  const scalars: MicroScalars[] = [];
  let gSum: Map<string, tf.Tensor> | null = null;
  let discRaw: tf.Scalar | null = null;
  let discNorm: number | null = null;
  try {
    for (const x of windows) {
      const { grads, micro, fake } = generatorGrads(ctx, x, mask);
      scalars.push(micro);
      fakes.push(fake);
      gSum = accumulate(gSum, grads);
    }
    const gMean = await combine("generator", average(gSum!, windows.length), share);
    const gReport = await ctx.generatorOptimizer.apply(gMean);
    tf.dispose([...gMean.values()]);
    if (mask === 1) {
      for (let r = 0; r < ctx.discSteps; r++) {
        let dSum: Map<string, tf.Tensor> | null = null;
        const losses: tf.Scalar[] = [];
        windows.forEach((x, i) => {
          const { grads, loss } = discriminatorGrads(ctx.discriminator, x, fakes[i]!);
          losses.push(loss);
          dSum = accumulate(dSum, grads);
        });
        if (r === 0) discRaw = tf.tidy(() => tf.div(tf.addN(losses), losses.length) as tf.Scalar);
        tf.dispose(losses);
        const dMean = await combine("discriminator", average(dSum!, windows.length), share);
        discNorm = (await ctx.discriminatorOptimizer.apply(dMean)).gradNorm;
        tf.dispose([...dMean.values()]);
      }
    }
    const codebookSize = ctx.generator.quantizer.spec.codebookSize;
    const micro: MicroLosses[] = [];
    const codeCounts: Uint32Array[] = [];
    const value = async (t: tf.Scalar | null) => t === null ? null : (await t.data())[0]!;
    for (const s of scalars) {
      micro.push({
        l1: (await value(s.l1))!,
        commit: (await value(s.commit))!,
        total: (await value(s.total))!,
        gan: await value(s.gan),
        feature: await value(s.feature),
      });
      codeCounts.push(countCodes(await s.indices.data<"int32">(), codebookSize));
    }
    return {
      mask,
      micro,
      codeCounts,
      discRaw: await value(discRaw),
      generatorGradNorm: gReport.gradNorm,
      discriminatorGradNorm: discNorm,
    };
  } finally {
    tf.dispose(windows);
    tf.dispose(fakes);
    if (discRaw !== null) tf.dispose(discRaw);
    for (const s of scalars) {
      tf.dispose([s.l1, s.commit, s.total, s.indices, ...(s.gan === null ? [] : [s.gan])]);
      if (s.feature !== null) s.feature.dispose();
    }
  }
}

/**
 * Check a step's input: a positive step number and micro-batches that all
 * hold the same whole number of windows.
 *
 * @param microBatches Row-major `[rows, windowSamples]` arrays.
 * @param options The 1-based `step` and the `windowSamples`.
 * @returns The rows of each micro-batch.
 * @throws {RangeError} When the step or a micro-batch is not valid.
 */
export function checkStepInput(
  microBatches: readonly Float32Array[],
  options: { readonly step: number; readonly windowSamples: number },
): number {
  const { step, windowSamples: w } = options;
  if (!Number.isInteger(step) || step < 1) throw new RangeError(`Cannot train: step ${step} is not a positive integer`);
  const first = microBatches[0];
  if (first === undefined) throw new RangeError("Cannot train: no micro-batches");
  const rows = first.length / w;
  for (const mb of microBatches) {
    if (mb.length === 0 || mb.length % w !== 0 || mb.length / w !== rows) {
      throw new RangeError(
        `Cannot train: micro-batches must all hold the same whole number of ${w}-sample windows (got ${mb.length} values)`,
      );
    }
  }
  return rows;
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
  const codeCounts: Uint32Array[] = [];
  let perplexity = 0, usage = 0;
  for (let m = 0; m < microBatches; m++) {
    const counts = Uint32Array.from(first.codeCounts[m]!);
    for (const part of parts.slice(1)) part.codeCounts[m]!.forEach((c, k) => counts[k]! += c);
    codeCounts.push(counts);
    const stats = codebookStats(counts);
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
  return { metrics, codeCounts };
}

/** This replica's mean gradients, weighted and summed over replicas when it has a share (consumes `mean`). */
async function combine(
  network: NetworkName,
  mean: Map<string, tf.Tensor>,
  share: ReplicaShare | undefined,
): Promise<Map<string, tf.Tensor>> {
  if (share === undefined) return mean;
  const weighted = new Map<string, tf.Tensor>();
  for (const [name, g] of mean) weighted.set(name, share.fraction === 1 ? g : tf.mul(g, share.fraction));
  try {
    return await share.reducer.reduce(network, weighted);
  } finally {
    tf.dispose([...mean.values()]);
    if (share.fraction !== 1) tf.dispose([...weighted.values()]);
  }
}

function trainable(store: ParamStore): { names: string[]; vars: tf.Variable[] } {
  const names = store.trainableNames();
  return { names, vars: names.map((n) => store.get(n)) };
}

/** Gradients keyed by our parameter names (tfjs keys them by variable name). */
function byParamName(
  names: readonly string[],
  vars: readonly tf.Variable[],
  grads: tf.NamedTensorMap,
): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  names.forEach((name, i) => {
    const v = vars[i]!;
    out.set(name, grads[v.name] ?? tf.zerosLike(v));
  });
  return out;
}

function generatorGrads(
  ctx: StepContext,
  x: tf.Tensor2D,
  mask: number,
): { grads: Map<string, tf.Tensor>; micro: MicroScalars; fake: tf.Tensor2D } {
  const { names, vars } = trainable(ctx.generator.params);
  const wts = ctx.lossWeights;
  // The real windows' features do not depend on the generator: computed
  // before (off) the tape.
  const real = mask === 1 ? ctx.discriminator.apply(x) : null;
  const realFeatures = real === null ? null : real.features;
  const kept: Partial<Record<"l1" | "commit" | "gan" | "feature" | "fake" | "indices", tf.Tensor>> = {};
  const { value, grads } = tf.variableGrads(() => {
    const out = ctx.generator.forward(x);
    const l1 = l1Loss(x, out.reconstruction);
    kept.fake = tf.keep(out.reconstruction);
    kept.indices = tf.keep(out.indices);
    kept.l1 = tf.keep(l1);
    kept.commit = tf.keep(out.commitLoss);
    let total = tf.add(tf.mul(l1, wts.time_l1), tf.mul(out.commitLoss, wts.commit));
    if (realFeatures !== null) {
      const d = ctx.discriminator.apply(out.reconstruction, { paramGrads: false });
      const gan = generatorHingeLoss(d.logits);
      const feature = featureMatchingLoss(realFeatures, d.features);
      kept.gan = tf.keep(gan);
      kept.feature = tf.keep(feature);
      total = tf.add(total, tf.add(tf.mul(gan, mask * wts.gan), tf.mul(feature, mask * wts.feature)));
    }
    return total as tf.Scalar;
  }, vars);
  if (real !== null) tf.dispose([real.logits, ...real.features]);
  const micro: MicroScalars = {
    l1: kept.l1 as tf.Scalar,
    commit: kept.commit as tf.Scalar,
    total: value,
    gan: (kept.gan ?? null) as tf.Scalar | null,
    feature: (kept.feature ?? null) as tf.Scalar | null,
    indices: kept.indices!,
  };
  return { grads: byParamName(names, vars, grads), micro, fake: kept.fake as tf.Tensor2D };
}

/**
 * Gradients of the hinge loss mean(relu(1 − D(real))) + mean(relu(1 + D(fake))),
 * one term at a time: the terms are independent, and two passes hold half
 * the activations of one (B=16 seed-model steps stay well under wasm's 4 GiB).
 */
function discriminatorGrads(
  disc: Discriminator,
  real: tf.Tensor2D,
  fake: tf.Tensor2D,
): { grads: Map<string, tf.Tensor>; loss: tf.Scalar } {
  const { names, vars } = trainable(disc.params);
  const realPart = tf.variableGrads(() => realHingeLoss(disc.apply(real).logits), vars);
  const fakePart = tf.variableGrads(() => fakeHingeLoss(disc.apply(fake).logits), vars);
  const grads = accumulate(byParamName(names, vars, realPart.grads), byParamName(names, vars, fakePart.grads));
  const loss = tf.add(realPart.value, fakePart.value) as tf.Scalar;
  tf.dispose([realPart.value, fakePart.value]);
  return { grads, loss };
}

/** Add `grads` into `sum` (consuming both); the first call adopts `grads`. */
function accumulate(sum: Map<string, tf.Tensor> | null, grads: Map<string, tf.Tensor>): Map<string, tf.Tensor> {
  if (sum === null) return grads;
  for (const [name, g] of grads) {
    const prev = sum.get(name)!;
    sum.set(name, tf.add(prev, g));
    prev.dispose();
    g.dispose();
  }
  return sum;
}

/** Divide summed gradients by `count` (consuming them). */
function average(sum: Map<string, tf.Tensor>, count: number): Map<string, tf.Tensor> {
  if (count === 1) return sum;
  const out = new Map<string, tf.Tensor>();
  for (const [name, g] of sum) {
    out.set(name, tf.div(g, count));
    g.dispose();
  }
  return out;
}
