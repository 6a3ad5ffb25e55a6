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
import { countStageCodes } from "../model/codebook_stats.ts";
import type { Discriminator } from "../model/discriminator.ts";
import type { ParamStore } from "../model/params.ts";
import type { LossWeights } from "../runtime/config_schema.ts";
import { fakeHingeLoss, featureMatchingLoss, generatorHingeLoss, l1Loss, realHingeLoss } from "./losses.ts";
import type { AdamW } from "./optimizer.ts";
import {
  combineReplicaSteps,
  type MicroLosses,
  type ReplicaStepResult,
  type StepResult,
} from "./combine_replica_steps.ts";

export type { StepMetrics, StepResult } from "./combine_replica_steps.ts";

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

/** Per-micro-batch scalars, downloaded after the step. */
interface MicroScalars {
  readonly l1: tf.Scalar;
  readonly commit: tf.Scalar;
  readonly total: tf.Scalar;
  readonly gan: tf.Scalar | null;
  readonly feature: tf.Scalar | null;
  /** Codes of the stages used, `[rows, latentLength, K]`. */
  readonly indices: tf.Tensor;
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

/** A step's input. */
export interface StepInput {
  /** Each row-major `[batch, windowSamples]`, all the same batch size. */
  readonly microBatches: readonly Float32Array[];
  /** This step's 1-based number (decides the mask). */
  readonly step: number;
  /**
   * The quantizer stages K each micro-batch uses (quantizer dropout: the
   * first K of N), one per micro-batch. Default: all N for every one.
   */
  readonly quantizers?: readonly number[] | undefined;
}

/**
 * Run one optimizer step on `microBatches` (gradient accumulation: one
 * micro-batch per accumulation slot; pass fewer for a last partial step).
 *
 * @param ctx Networks, optimizers and settings.
 * @param input The micro-batches, the step number and the stages each micro-batch uses.
 * @returns Metrics and per-micro-batch code counts.
 */
export async function trainStep(ctx: StepContext, input: StepInput): Promise<StepResult> {
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
 *   `[rows, windowSamples]`), `step` (1-based), the `quantizers` K of each
 *   micro-batch (default all N) and the replica's `share`.
 * @returns The replica's losses, code counts and the gradient norms.
 */
export async function replicaStep(
  ctx: StepContext,
  input: StepInput & { readonly share?: ReplicaShare },
): Promise<ReplicaStepResult> {
  const { microBatches, step, share } = input;
  const w = ctx.windowSamples;
  const rows = checkStepInput(microBatches, { step, windowSamples: w });
  const quantizers = stepQuantizers(input.quantizers, {
    microBatches: microBatches.length,
    numQuantizers: ctx.generator.numQuantizers,
  });
  const mask = step >= ctx.discStart ? 1 : 0;
  const windows = microBatches.map((mb) => tf.tensor2d(mb, [rows, w]));
  const fakes: tf.Tensor2D[] = [];
  const scalars: MicroScalars[] = [];
  let gSum: Map<string, tf.Tensor> | null = null;
  let discRaw: tf.Scalar | null = null;
  let discNorm: number | null = null;
  try {
    for (const [i, x] of windows.entries()) {
      const { grads, micro, fake } = generatorGrads(ctx, x, { mask, quantizers: quantizers[i]! });
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
    const { codebookSize, numQuantizers } = ctx.generator.quantizer.spec;
    const micro: MicroLosses[] = [];
    const codeCounts: Uint32Array[][] = [];
    const value = async (t: tf.Scalar | null) => t === null ? null : (await t.data())[0]!;
    for (const s of scalars) {
      micro.push({
        l1: (await value(s.l1))!,
        commit: (await value(s.commit))!,
        total: (await value(s.total))!,
        gan: await value(s.gan),
        feature: await value(s.feature),
      });
      const used = countStageCodes(await s.indices.data<"int32">(), { stages: s.indices.shape[2]!, codebookSize });
      // Stages a micro-batch dropped count nothing.
      while (used.length < numQuantizers) used.push(new Uint32Array(codebookSize));
      codeCounts.push(used);
    }
    return {
      mask,
      micro,
      codeCounts,
      quantizers,
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
 * The stages each micro-batch uses: `quantizers` checked, or N for all.
 *
 * @param quantizers K per micro-batch, or undefined.
 * @param options The number of `microBatches` and the model's `numQuantizers` N.
 * @returns K per micro-batch.
 * @throws {RangeError} When the count differs from the micro-batches' or a K is not in [1, N].
 */
export function stepQuantizers(
  quantizers: readonly number[] | undefined,
  options: { readonly microBatches: number; readonly numQuantizers: number },
): number[] {
  const { microBatches, numQuantizers: n } = options;
  if (quantizers === undefined) return Array.from({ length: microBatches }, () => n);
  if (quantizers.length !== microBatches) {
    throw new RangeError(`Cannot train: ${quantizers.length} quantizer counts for ${microBatches} micro-batches`);
  }
  for (const k of quantizers) {
    if (!Number.isInteger(k) || k < 1 || k > n) {
      throw new RangeError(`Cannot train with ${k} quantizers: the model has ${n} (use 1 to ${n})`);
    }
  }
  return [...quantizers];
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
  options: { readonly mask: number; readonly quantizers: number },
): { grads: Map<string, tf.Tensor>; micro: MicroScalars; fake: tf.Tensor2D } {
  const { mask, quantizers } = options;
  const { names, vars } = trainable(ctx.generator.params);
  const wts = ctx.lossWeights;
  // The real windows' features do not depend on the generator: computed
  // before (off) the tape.
  const real = mask === 1 ? ctx.discriminator.apply(x) : null;
  const realFeatures = real === null ? null : real.features;
  const kept: Partial<Record<"l1" | "commit" | "gan" | "feature" | "fake" | "indices", tf.Tensor>> = {};
  const { value, grads } = tf.variableGrads(() => {
    const out = ctx.generator.forward(x, { quantizers });
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
