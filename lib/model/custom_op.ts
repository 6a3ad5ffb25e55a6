/**
 * Typed custom-gradient ops, and computing values off the gradient tape.
 *
 * tfjs has no `stop_gradient`; running a computation as the forward pass of
 * a custom op whose only input is a constant gives a result that no gradient
 * flows through, and the ops inside are never recorded (no tape memory, no
 * backward work).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

/** What the forward function of {@linkcode customOp} returns. */
export interface CustomOpResult<T extends tf.Tensor> {
  /** The op's output. */
  readonly value: T;
  /**
   * The gradients w.r.t. each input, in input order, given the output
   * gradient and the tensors passed to `save`. Runs outside any tidy: wrap
   * its body in `tf.tidy`.
   */
  readonly gradFunc: (dy: T, saved: tf.Tensor[]) => tf.Tensor[];
}

/**
 * Run `forward` as one op with a hand-written gradient. `forward` reads the
 * inputs from its closure; tensors its `gradFunc` needs must be passed to
 * `save` (the forward scope disposes everything else).
 *
 * @param inputs The op's differentiable inputs.
 * @param forward Computes the value and returns the gradient function.
 * @returns The op's output.
 */
export function customOp<T extends tf.Tensor>(
  inputs: readonly tf.Tensor[],
  forward: (save: tf.GradSaveFunc) => CustomOpResult<T>,
): T {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1];
    if (typeof save !== "function") throw new TypeError("Cannot run custom op: tfjs passed no save function");
    const result = forward(save);
    return { value: result.value, gradFunc: (dy: T, saved: tf.Tensor[]) => result.gradFunc(dy, saved) };
  });
  return op(...inputs) as T;
}

/**
 * Run `fn` untaped: its result has the same values but no gradient path to
 * anything `fn` read. Temporaries made by `fn` are disposed.
 *
 * @param fn Builds one tensor.
 * @returns The tensor, owned by the caller's scope.
 */
export function untaped<T extends tf.Tensor>(fn: () => T): T {
  const anchor = tf.scalar(0);
  const out = customOp<T>([anchor], () => ({ value: fn(), gradFunc: () => [tf.scalar(0)] }));
  anchor.dispose();
  return out;
}

/**
 * JAX's `stop_gradient`: the same values, with no gradient flowing back.
 *
 * @param x Any tensor.
 * @returns A copy of `x` cut from the tape.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return untaped(() => tf.clone(x));
}
