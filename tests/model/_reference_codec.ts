// A float64 re-implementation of the generator and discriminator forward,
// written from the architecture (not from lib/model), reading weights by name.
import type { NamedArray } from "../../lib/model/params.ts";
import { referenceConv1d, referenceGroupNorm } from "./_reference.ts";

/** A `[batch, time, channels]` float64 activation. */
export interface Act {
  readonly data: Float64Array;
  readonly shape: readonly [number, number, number];
}

type Params = ReadonlyMap<string, NamedArray>;

function get(params: Params, name: string): NamedArray {
  const p = params.get(name);
  if (p === undefined) throw new Error(`reference: no parameter ${name}`);
  return p;
}

/** Largest divisor of `c` not above 32. */
function groupsOf(c: number): number {
  for (let g = Math.min(32, c); g > 1; g--) if (c % g === 0) return g;
  return 1;
}

/** SAME conv with weights `<name>/kernel` (and `<name>/bias` when present). */
export function conv(params: Params, name: string, x: Act, stride = 1): Act {
  const w = get(params, `${name}/kernel`);
  const bias = params.get(`${name}/bias`)?.data ?? null;
  const [b, t] = x.shape;
  const cout = w.shape[2]!;
  return {
    data: referenceConv1d(x.data, x.shape, w.data, w.shape, bias, stride),
    shape: [b, Math.ceil(t / stride), cout],
  };
}

function normSwish(params: Params, name: string, x: Act): Act {
  const c = x.shape[2];
  const data = referenceGroupNorm(
    x.data,
    x.shape,
    get(params, `${name}/scale`).data,
    get(params, `${name}/bias`).data,
    groupsOf(c),
    true,
  );
  return { data, shape: x.shape };
}

/** y = conv2(swish(gn2(conv1(swish(gn1(x)))))) + (shortcut(x) or x). */
export function resBlock(params: Params, name: string, x: Act): Act {
  const h = conv(
    params,
    `${name}/conv2`,
    normSwish(params, `${name}/norm2`, conv(params, `${name}/conv1`, normSwish(params, `${name}/norm1`, x))),
  );
  const skip = params.has(`${name}/shortcut/kernel`) ? conv(params, `${name}/shortcut`, x) : x;
  return { data: h.data.map((v, i) => v + skip.data[i]!), shape: h.shape };
}

/** Model shape of the tiny configs the reference runs. */
export interface RefModel {
  readonly enc_down_strides: readonly number[];
  readonly enc_num_res_blocks: number;
  readonly dec_up_strides: readonly number[];
  readonly dec_num_res_blocks: number;
}

/** Encoder then quant_conv: windows `[b, t]` → latents `[b, t/hop, d]`. */
export function referenceEncode(params: Params, model: RefModel, x: Float32Array, [b, t]: [number, number]): Act {
  let h = conv(params, "encoder/conv_in", { data: Float64Array.from(x), shape: [b, t, 1] });
  model.enc_down_strides.forEach((stride, i) => {
    for (let k = 0; k < model.enc_num_res_blocks; k++) h = resBlock(params, `encoder/stage_${i}/block_${k}`, h);
    if (stride !== 1) h = conv(params, `encoder/stage_${i}/down`, h, stride);
  });
  for (let i = 0; i < 2; i++) h = resBlock(params, `encoder/mid_${i}`, h);
  h = conv(params, "encoder/to_latent", normSwish(params, "encoder/norm_out", h));
  return conv(params, "quant_conv", h);
}

/** The effective codebook C·W + b of the quantizer (stage) named `prefix`, `[k][d]`. */
export function referenceCodebook(params: Params, prefix = "quantizer"): Float64Array[] {
  const c = get(params, `${prefix}/codebook`),
    w = get(params, `${prefix}/W`),
    bias = get(params, `${prefix}/proj_bias`);
  const [k, d] = c.shape as [number, number];
  return Array.from({ length: k }, (_, r) => {
    const row = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      let acc = bias.data[j]!;
      for (let m = 0; m < d; m++) acc += c.data[r * d + m]! * w.data[m * d + j]!;
      row[j] = acc;
    }
    return row;
  });
}

/** Nearest effective code (squared distance) of each latent, the quantised latents and (1 + β)·mean((q − z)²). */
export function referenceQuantize(
  codebook: readonly Float64Array[],
  z: Act,
  beta: number,
): { indices: number[]; quantized: Act; commitLoss: number } {
  const [b, t, d] = z.shape;
  const indices: number[] = [];
  const q = new Float64Array(b * t * d);
  let sq = 0;
  for (let r = 0; r < b * t; r++) {
    let best = -1, bestDist = Infinity;
    codebook.forEach((code, k) => {
      let dist = 0;
      for (let j = 0; j < d; j++) dist += (z.data[r * d + j]! - code[j]!) ** 2;
      if (dist < bestDist) best = k, bestDist = dist;
    });
    indices.push(best);
    for (let j = 0; j < d; j++) q[r * d + j] = codebook[best]![j]!;
    sq += bestDist;
  }
  // commitment and codebook terms have the same value; only their gradients differ.
  return { indices, quantized: { data: q, shape: z.shape }, commitLoss: (1 + beta) * sq / (b * t * d) };
}

/** What {@linkcode referenceResidualQuantize} returns. */
export interface ResidualReference {
  /** Stage k's code of each row, `[stages][rows]`. */
  readonly indices: number[][];
  /** The residual stage k quantised (stage 1's is z), `[stages]` of `[rows·d]`. */
  readonly residuals: Float64Array[];
  /** The chosen code vectors of each stage, `[stages]` of `[rows·d]`. */
  readonly codes: Float64Array[];
  /** Σ_k q_k, shaped like z. */
  readonly quantized: Act;
  /** Σ_k (1 + β)·mean((q_k − r_k)²). */
  readonly commitLoss: number;
}

/**
 * Residual quantisation in float64: stage k takes the nearest code (squared
 * distance, ties to the first) of r_k, with r_1 = z and r_{k+1} = r_k − q_k.
 */
export function referenceResidualQuantize(
  codebooks: readonly (readonly Float64Array[])[],
  z: Act,
  beta: number,
): ResidualReference {
  const [b, t, d] = z.shape;
  const rows = b * t;
  let residual = Float64Array.from(z.data);
  const indices: number[][] = [], residuals: Float64Array[] = [], codes: Float64Array[] = [];
  const sum = new Float64Array(rows * d);
  let commitLoss = 0;
  for (const codebook of codebooks) {
    const r = residual;
    const q = new Float64Array(rows * d), idx: number[] = [];
    let sq = 0;
    for (let n = 0; n < rows; n++) {
      let best = -1, bestDist = Infinity;
      codebook.forEach((code, k) => {
        let dist = 0;
        for (let j = 0; j < d; j++) dist += (r[n * d + j]! - code[j]!) ** 2;
        if (dist < bestDist) best = k, bestDist = dist;
      });
      idx.push(best);
      for (let j = 0; j < d; j++) q[n * d + j] = codebook[best]![j]!;
      sq += bestDist;
    }
    indices.push(idx);
    residuals.push(r);
    codes.push(q);
    commitLoss += (1 + beta) * sq / (rows * d);
    q.forEach((v, i) => sum[i]! += v);
    residual = r.map((v, i) => v - q[i]!);
  }
  return { indices, residuals, codes, quantized: { data: sum, shape: z.shape }, commitLoss };
}

/** post_quant_conv then the decoder: quantised latents → windows `[b, t·hop]`. */
export function referenceDecode(params: Params, model: RefModel, q: Act, tanh: boolean): Float64Array {
  let h = conv(params, "decoder/conv_in", conv(params, "post_quant_conv", q));
  for (let i = 0; i < 2; i++) h = resBlock(params, `decoder/mid_${i}`, h);
  model.dec_up_strides.forEach((factor, i) => {
    for (let k = 0; k < model.dec_num_res_blocks; k++) h = resBlock(params, `decoder/stage_${i}/block_${k}`, h);
    const s = conv(params, `decoder/stage_${i}/shuffle`, h);
    const [b, t, w] = s.shape;
    const c = w / factor;
    // Output time i·f + j, channel ch comes from input time i, channel j·c + ch.
    const out = new Float64Array(b * t * w);
    for (let n = 0; n < b; n++) {
      for (let ti = 0; ti < t; ti++) {
        for (let j = 0; j < factor; j++) {
          for (let ch = 0; ch < c; ch++) {
            out[((n * t + ti) * factor + j) * c + ch] = s.data[(n * t + ti) * w + j * c + ch]!;
          }
        }
      }
    }
    h = { data: out, shape: [b, t * factor, c] };
  });
  const y = conv(params, "decoder/to_signal", normSwish(params, "decoder/norm_out", h)).data;
  return tanh ? y.map(Math.tanh) : y;
}

/** The discriminator: per scale leakyReLU(0.2) of a strided conv then res blocks; a k=3 head. */
export function referenceDiscriminator(
  params: Params,
  config: { strides: readonly number[]; resblock_layers: number },
  x: Float32Array,
  [b, t]: [number, number],
): { logits: Float64Array; features: Act[] } {
  let h: Act = { data: Float64Array.from(x), shape: [b, t, 1] };
  const features: Act[] = [];
  config.strides.forEach((stride, i) => {
    const c = conv(params, `discriminator/scale_${i}/conv`, h, stride);
    h = { data: c.data.map((v) => (v >= 0 ? v : 0.2 * v)), shape: c.shape };
    for (let k = 0; k < config.resblock_layers; k++) h = resBlock(params, `discriminator/scale_${i}/block_${k}`, h);
    features.push(h);
  });
  return { logits: conv(params, "discriminator/out", h).data, features };
}
