// The generator's and discriminator's layers written out from the
// architecture (not from lib/model), with each layer's parameters and forward
// FLOPs (2·MACs of convs and matmuls; norms and activations count 0).
import type { ModelConfig } from "../../lib/runtime/config_schema.ts";

/** Parameters and forward FLOPs of one layer or module. */
export interface Cost {
  readonly params: number;
  readonly flops: number;
}

const sum = (costs: readonly Cost[]): Cost =>
  costs.reduce((a, c) => ({ params: a.params + c.params, flops: a.flops + c.flops }), { params: 0, flops: 0 });

/** conv(k, s, cin→cout) with SAME padding over `n` inputs: out = ceil(n / s). */
function conv(
  k: number,
  cin: number,
  cout: number,
  n: number,
  options: { stride?: number; bias?: boolean } = {},
): Cost {
  const out = Math.ceil(n / (options.stride ?? 1));
  return { params: k * cin * cout + (options.bias ? cout : 0), flops: 2 * k * cin * cout * out };
}

/** GroupNorm: a scale and a bias per channel. */
const norm = (c: number): Cost => ({ params: 2 * c, flops: 0 });

/** ResBlock c1→c2 at length n: norm, conv3, norm, conv3, and a conv3 shortcut when c1 ≠ c2. */
function resBlock(c1: number, c2: number, n: number): Cost {
  const layers = [norm(c1), conv(3, c1, c2, n), norm(c2), conv(3, c2, c2, n)];
  if (c1 !== c2) layers.push(conv(3, c1, c2, n));
  return sum(layers);
}

/** Costs by module, FLOPs for one window of `samples`. */
export interface ArchitectureCosts {
  readonly encoder: Cost;
  readonly quant_conv: Cost;
  /** Trainable W and bias; `flops` is the distance search. */
  readonly quantizer: Cost;
  /** The frozen codebook's values. */
  readonly quantizer_frozen: number;
  /** C·W once per forward. */
  readonly quantizer_projection_flops: number;
  readonly post_quant_conv: Cost;
  readonly decoder: Cost;
  readonly discriminator: Cost;
  readonly latentLength: number;
}

/** Walk the layers of `model` for a window of `samples`. */
export function architectureCosts(model: ModelConfig, samples: number): ArchitectureCosts {
  const enc = model.enc_channels, d = model.latent_dim, k = model.codebook_size;
  let n = samples;
  const encoder: Cost[] = [conv(3, 1, enc[0]!, n)];
  model.enc_down_strides.forEach((s, i) => {
    for (let b = 0; b < model.enc_num_res_blocks; b++) {
      encoder.push(resBlock(b === 0 ? enc[i]! : enc[i + 1]!, enc[i + 1]!, n));
    }
    if (s !== 1) {
      encoder.push(conv(3, model.enc_num_res_blocks === 0 ? enc[i]! : enc[i + 1]!, enc[i + 1]!, n, { stride: s }));
      n = Math.ceil(n / s);
    }
  });
  const top = enc[enc.length - 1]!;
  encoder.push(resBlock(top, top, n), resBlock(top, top, n), norm(top), conv(1, top, d, n));
  const t = n;

  const dec = model.dec_channels;
  const decoder: Cost[] = [
    conv(3, d, dec[0]!, n, { bias: true }),
    resBlock(dec[0]!, dec[0]!, n),
    resBlock(dec[0]!, dec[0]!, n),
  ];
  model.dec_up_strides.forEach((f, i) => {
    for (let b = 0; b < model.dec_num_res_blocks; b++) decoder.push(resBlock(dec[i]!, dec[i]!, n));
    decoder.push(conv(3, dec[i]!, dec[i + 1]! * f, n));
    n *= f;
  });
  const last = dec[dec.length - 1]!;
  decoder.push(norm(last), conv(3, last, 1, n, { bias: true }));

  const dc = model.discriminator;
  const disc: Cost[] = [];
  let m = samples, prev = 1;
  dc.channels.forEach((ch, i) => {
    disc.push(conv(dc.kernel_size, prev, ch, m, { stride: dc.strides[i]!, bias: true }));
    m = Math.ceil(m / dc.strides[i]!);
    for (let b = 0; b < dc.resblock_layers; b++) disc.push(resBlock(ch, ch, m));
    prev = ch;
  });
  disc.push(conv(3, prev, 1, m, { bias: true }));

  return {
    encoder: sum(encoder),
    quant_conv: conv(1, d, d, t),
    quantizer: { params: d * d + d, flops: 2 * t * k * d },
    quantizer_frozen: k * d,
    quantizer_projection_flops: 2 * k * d * d,
    post_quant_conv: conv(1, d, d, t),
    decoder: sum(decoder),
    discriminator: sum(disc),
    latentLength: t,
  };
}

/** The seed's own figures (`tests/fixtures/seed_model_counts.json`, which names its source). */
export interface SeedFigures {
  readonly window_samples: number;
  readonly params: Readonly<
    Record<
      | "encoder"
      | "quant_conv"
      | "quantizer_trainable"
      | "quantizer_frozen"
      | "post_quant_conv"
      | "decoder"
      | "generator_trainable"
      | "discriminator",
      number
    >
  >;
  readonly gflop: Readonly<Record<string, number>>;
}

/** Read the seed's figures. */
export function seedFigures(): SeedFigures {
  return JSON.parse(Deno.readTextFileSync(new URL("../fixtures/seed_model_counts.json", import.meta.url)));
}
