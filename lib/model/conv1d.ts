/**
 * The one 1-D convolution of the model (channels-last, Flax "SAME" padding),
 * in two implementations with identical forward values:
 *
 * - `autodiff`: `tf.conv2d` on a height-1 image, gradients from tfjs. Needs
 *   the backend's `Conv2DBackpropFilter`, which wasm lacks.
 * - `custom`: one `tf.customGrad` op. Forward is `tf.fused.conv2d` (XNNPACK
 *   on wasm, bias fused). It saves only its input and kernel; backward gives
 *   dx with a conv (stride 1) or a col2im matMul (strided), and dW with an
 *   im2col matMul, all matMuls untransposed (wasm runs transposed matMuls
 *   ~10x slower).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { customOp } from "./custom_op.ts";

/** Which conv implementation to use. */
export type ConvImpl = "autodiff" | "custom";

/** Flax/TF "SAME" padding of one conv. */
export interface SamePadding {
  /** Output length, ceil(inLength / stride). */
  readonly outLength: number;
  /** Zeros added before the input. */
  readonly left: number;
  /** Zeros added after the input (the extra one when the total is odd). */
  readonly right: number;
}

/**
 * Flax/TF "SAME" padding: out = ceil(n/s), total = max((out−1)·s + k − n, 0),
 * left = floor(total/2), right = the rest.
 *
 * @param inLength Input length n.
 * @param conv Kernel size k and stride s.
 * @returns Output length and padding.
 */
export function samePadding(inLength: number, conv: { kernelSize: number; stride: number }): SamePadding {
  const { kernelSize, stride } = conv;
  for (const [what, v] of [["input length", inLength], ["kernel size", kernelSize], ["stride", stride]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`Cannot pad conv: ${what} ${v} is not a positive integer`);
  }
  const outLength = Math.ceil(inLength / stride);
  const total = Math.max((outLength - 1) * stride + kernelSize - inLength, 0);
  const left = Math.floor(total / 2);
  return { outLength, left, right: total - left };
}

/** Options of {@linkcode conv1d}. */
export interface Conv1dOptions {
  /** Bias `[outChannels]`, or null/absent for none. */
  readonly bias?: tf.Tensor1D | null;
  /** Stride (default 1). */
  readonly stride?: number;
  /** Implementation (default `custom`). */
  readonly impl?: ConvImpl;
  /**
   * For `custom`: compute the kernel and bias gradients (default true). False
   * returns zeros for them, for passes that only need dx (a frozen network).
   */
  readonly paramGrads?: boolean;
}

/**
 * 1-D convolution with "SAME" padding (a cross-correlation, like Flax).
 *
 * @param x Input `[batch, time, inChannels]`.
 * @param kernel `[kernelSize, inChannels, outChannels]`.
 * @param options Bias, stride, implementation.
 * @returns `[batch, ceil(time / stride), outChannels]`.
 */
export function conv1d(x: tf.Tensor3D, kernel: tf.Tensor3D, options: Conv1dOptions = {}): tf.Tensor3D {
  const bias = options.bias ?? null;
  const stride = options.stride ?? 1;
  const [batch, time, cin] = x.shape;
  const [k, kin, cout] = kernel.shape;
  if (kin !== cin) throw new RangeError(`Cannot convolve: input has ${cin} channels, kernel expects ${kin}`);
  const pad = samePadding(time, { kernelSize: k, stride });
  if ((options.impl ?? "custom") === "autodiff") {
    return tf.tidy(() => {
      const y = tf.conv2d(
        tf.reshape(x, [batch, 1, time, cin]) as tf.Tensor4D,
        tf.reshape(kernel, [1, k, cin, cout]) as tf.Tensor4D,
        [1, stride],
        [[0, 0], [0, 0], [pad.left, pad.right], [0, 0]],
      );
      const y3 = tf.reshape(y, [batch, pad.outLength, cout]) as tf.Tensor3D;
      return bias === null ? y3 : tf.add(y3, bias);
    });
  }
  return customConv(x, kernel, bias, stride, pad, options.paramGrads ?? true);
}

function convForward(
  x: tf.Tensor3D,
  kernel: tf.Tensor3D,
  bias: tf.Tensor1D | null,
  stride: number,
  pad: SamePadding,
): tf.Tensor3D {
  const [batch, time, cin] = x.shape;
  const [k, , cout] = kernel.shape;
  const y = tf.fused.conv2d({
    x: tf.reshape(x, [batch, 1, time, cin]) as tf.Tensor4D,
    filter: tf.reshape(kernel, [1, k, cin, cout]) as tf.Tensor4D,
    strides: [1, stride],
    pad: [[0, 0], [0, 0], [pad.left, pad.right], [0, 0]],
    ...(bias === null ? {} : { bias }),
  });
  return tf.reshape(y, [batch, pad.outLength, cout]);
}

function customConv(
  x: tf.Tensor3D,
  kernel: tf.Tensor3D,
  bias: tf.Tensor1D | null,
  stride: number,
  pad: SamePadding,
  paramGrads: boolean,
): tf.Tensor3D {
  const inputs = bias === null ? [x, kernel] : [x, kernel, bias];
  return customOp<tf.Tensor3D>(inputs, (save) => {
    // Without parameter gradients only dx is needed, which reads the kernel alone.
    save(paramGrads ? [kernel, x] : [kernel]);
    return {
      value: convForward(x, kernel, bias, stride, pad),
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const ks = saved[0] as tf.Tensor3D;
          const dx = convInputGrad(dy, ks, x.shape, stride, pad);
          if (!paramGrads) return bias === null ? [dx, tf.zerosLike(ks)] : [dx, tf.zerosLike(ks), tf.zerosLike(bias)];
          const dk = convKernelGrad(dy, saved[1] as tf.Tensor3D, ks.shape, stride, pad);
          return bias === null ? [dx, dk] : [dx, dk, tf.sum(dy, [0, 1])];
        }),
    };
  });
}

/**
 * Both gradients work on the "framed" view of a strided conv: with
 * m = ceil(k/s) the padded input holds F = outLength + m − 1 frames of s
 * samples, and output i reads frames i … i+m−1. The conv is then a stride-1
 * VALID conv over F frames of s·cin channels with the kernel regrouped as
 * `[m, s·cin, cout]` (taps ≥ k zero). Stride 1 is the case s = 1, m = k.
 */
interface Framing {
  /** Taps of the framed kernel, m = ceil(k/s). */
  readonly taps: number;
  /** Frames F = outLength + m − 1. */
  readonly frames: number;
  /** Channels per frame, s·cin. */
  readonly frameChannels: number;
  /** Input samples actually read (any tail beyond is never used). */
  readonly usedLength: number;
}

function framing(time: number, k: number, cin: number, stride: number, pad: SamePadding): Framing {
  const taps = Math.ceil(k / stride);
  const frames = pad.outLength + taps - 1;
  return { taps, frames, frameChannels: stride * cin, usedLength: Math.min(time, frames * stride - pad.left) };
}

/** The kernel regrouped per frame: `[k, cin, cout]` → `[m, s·cin, cout]`, zero taps appended. */
function framedKernel(kernel: tf.Tensor3D, f: Framing): tf.Tensor3D {
  const [k, , cout] = kernel.shape;
  const extra = f.taps * f.frameChannels / kernel.shape[1] - k;
  const padded = extra > 0 ? tf.pad(kernel, [[0, extra], [0, 0], [0, 0]]) : kernel;
  return tf.reshape(padded, [f.taps, f.frameChannels, cout]);
}

/**
 * Gradient w.r.t. the kernel: for each framed tap u,
 * dW_uᵀ = shift_u(dyᵀ) · frames, where frames is the padded input as a
 * `[batch·F, s·cin]` matrix and shift_u pads each sample's rows of dyᵀ by u
 * in front and m−1−u behind. No im2col copy is built; the frames matrix is
 * the same right operand for every tap (XNNPACK packs it once) and the left
 * operands come from one 2-D transpose of dy plus pads, all untransposed
 * matMuls.
 *
 * @param dy `[batch, outLength, cout]`.
 * @param x `[batch, time, cin]`.
 * @returns `[k, cin, cout]`.
 */
function convKernelGrad(
  dy: tf.Tensor3D,
  x: tf.Tensor3D,
  kernelShape: [number, number, number],
  stride: number,
  pad: SamePadding,
): tf.Tensor3D {
  const [batch, time, cin] = x.shape;
  const [k, , cout] = kernelShape;
  const f = framing(time, k, cin, stride, pad);
  const used = f.usedLength < time ? tf.slice(x, [0, 0, 0], [batch, f.usedLength, cin]) : x;
  const right = f.frames * stride - pad.left - f.usedLength;
  const padded = pad.left + right > 0 ? tf.pad(used, [[0, 0], [pad.left, right], [0, 0]]) : used;
  const frames = tf.reshape(padded, [batch * f.frames, f.frameChannels]) as tf.Tensor2D;
  const dy2 = tf.reshape(dy, [batch * pad.outLength, cout]) as tf.Tensor2D;
  // Rows u·s·cin + p·cin + c of dk are tap u·s + p, input channel c.
  let dk: tf.Tensor2D;
  if (f.taps === 1 && f.frameChannels > cout) {
    // One tap, wide frames: the narrower dy is the operand XNNPACK packs.
    dk = tf.matMul(tf.transpose(frames), dy2);
  } else {
    const dyT = tf.transpose(dy2);
    const perTap: tf.Tensor2D[] = [];
    if (f.taps === 1) {
      perTap.push(tf.matMul(dyT, frames));
    } else {
      const dyT3 = tf.reshape(dyT, [cout, batch, pad.outLength]);
      for (let u = 0; u < f.taps; u++) {
        const shifted = tf.reshape(tf.pad(dyT3, [[0, 0], [0, 0], [u, f.taps - 1 - u]]), [cout, batch * f.frames]);
        perTap.push(tf.matMul(shifted as tf.Tensor2D, frames));
      }
    }
    // [m, cout, s·cin] → [m·s·cin, cout].
    dk = tf.reshape(tf.transpose(tf.stack(perTap), [0, 2, 1]), [f.taps * f.frameChannels, cout]);
  }
  const rows = k * cin;
  return tf.reshape(dk.shape[0] === rows ? dk : tf.slice(dk, [0, 0], [rows, cout]), [k, cin, cout]);
}

/**
 * Gradient w.r.t. the input: the stride-1 "full" correlation of dy with the
 * flipped, transposed framed kernel (XNNPACK conv on wasm), padded so that
 * it yields exactly the frames holding input samples; for a stride-1 conv
 * that is the usual conv with swapped padding.
 *
 * @param dy `[batch, outLength, cout]`.
 * @param kernel `[k, cin, cout]`.
 * @returns `[batch, time, cin]`.
 */
function convInputGrad(
  dy: tf.Tensor3D,
  kernel: tf.Tensor3D,
  xShape: [number, number, number],
  stride: number,
  pad: SamePadding,
): tf.Tensor3D {
  const [batch, time, cin] = xShape;
  const [k, , cout] = kernel.shape;
  const f = framing(time, k, cin, stride, pad);
  const wf = framedKernel(kernel, f);
  // Taps in reverse order, as a matMul with the exchange matrix (exact, and
  // much faster on wasm than its Reverse kernel).
  const exchange = tf.tensor2d(
    Float32Array.from(
      { length: f.taps * f.taps },
      (_, i) => (i % f.taps === f.taps - 1 - Math.floor(i / f.taps) ? 1 : 0),
    ),
    [f.taps, f.taps],
  );
  const reversed = tf.matMul(exchange, tf.reshape(wf, [f.taps, f.frameChannels * cout]) as tf.Tensor2D);
  const flipped = tf.reshape(
    tf.transpose(tf.reshape(reversed, [f.taps, f.frameChannels, cout]), [0, 2, 1]),
    [1, f.taps, cout, f.frameChannels],
  );
  // Frames [first, first + count) hold the input's samples when the padding
  // is whole frames; otherwise take all frames and crop samples afterwards.
  const aligned = pad.left % stride === 0 && f.usedLength === time && time % stride === 0;
  const first = aligned ? pad.left / stride : 0;
  const count = aligned ? time / stride : f.frames;
  const before = f.taps - 1 - first;
  const after = first + count - pad.outLength;
  let dyIn = dy;
  if (before < 0 || after < 0) {
    // Only when frames to drop lie beyond the padding (never with SAME padding).
    throw new RangeError(`Cannot differentiate conv: unexpected framing ${JSON.stringify({ first, count, f })}`);
  }
  if (before > 0 || after > 0) dyIn = tf.pad(dy, [[0, 0], [before, after], [0, 0]]);
  const dframes = tf.conv2d(
    tf.reshape(dyIn, [batch, 1, dyIn.shape[1], cout]) as tf.Tensor4D,
    flipped as tf.Tensor4D,
    1,
    "valid",
  );
  const samples = tf.reshape(dframes, [batch, count * stride, cin]) as tf.Tensor3D;
  if (aligned) return samples;
  const dused = tf.slice(samples, [0, pad.left, 0], [batch, f.usedLength, cin]);
  return f.usedLength < time ? tf.pad(dused, [[0, 0], [0, time - f.usedLength], [0, 0]]) : dused;
}
