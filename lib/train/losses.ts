/**
 * The GAN losses of notes §5, each a scalar tensor: L1 reconstruction,
 * hinge generator and discriminator losses, feature matching. Means are over
 * every element (the seed's per-sample then batch means are the same thing).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

/**
 * Mean absolute error.
 *
 * @param real `[batch, samples]`.
 * @param fake `[batch, samples]`.
 * @returns mean |real − fake|.
 */
export function l1Loss(real: tf.Tensor2D, fake: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(real, fake))));
}

/**
 * Hinge generator loss: −mean(D(fake)).
 *
 * @param fakeLogits `[batch, patches]`.
 * @returns The loss.
 */
export function generatorHingeLoss(fakeLogits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(fakeLogits)));
}

/**
 * Hinge discriminator loss: mean(relu(1 − D(real))) + mean(relu(1 + D(fake))).
 *
 * @param realLogits `[batch, patches]`.
 * @param fakeLogits `[batch, patches]`.
 * @returns The loss.
 */
export function discriminatorHingeLoss(realLogits: tf.Tensor2D, fakeLogits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.add(realHingeLoss(realLogits), fakeHingeLoss(fakeLogits)));
}

/**
 * The real windows' half of the hinge discriminator loss: mean(relu(1 − D(real))).
 *
 * @param realLogits `[batch, patches]`.
 * @returns The loss term.
 */
export function realHingeLoss(realLogits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.relu(tf.sub(1, realLogits))));
}

/**
 * The generated windows' half of the hinge discriminator loss: mean(relu(1 + D(fake))).
 *
 * @param fakeLogits `[batch, patches]`.
 * @returns The loss term.
 */
export function fakeHingeLoss(fakeLogits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.relu(tf.add(1, fakeLogits))));
}

/**
 * Feature matching: the mean over layers of mean |F_i(real) − F_i(fake)|,
 * layers weighted equally.
 *
 * @param realFeatures One `[batch, time_i, channels_i]` map per layer.
 * @param fakeFeatures The same layers for the generated windows.
 * @returns The loss.
 */
export function featureMatchingLoss(
  realFeatures: readonly tf.Tensor3D[],
  fakeFeatures: readonly tf.Tensor3D[],
): tf.Scalar {
  if (realFeatures.length !== fakeFeatures.length || realFeatures.length === 0) {
    throw new RangeError(
      `Cannot match features: ${realFeatures.length} real and ${fakeFeatures.length} fake layers`,
    );
  }
  return tf.tidy(() => {
    const perLayer = realFeatures.map((r, i) => tf.mean(tf.abs(tf.sub(r, fakeFeatures[i]!))));
    return tf.div(tf.addN(perLayer), perLayer.length);
  });
}
