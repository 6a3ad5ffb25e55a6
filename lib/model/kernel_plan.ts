/**
 * Which op implementations a backend should use. wasm has no
 * `Conv2DBackpropFilter` and the cpu backend's is ~20x slower than the
 * custom op, so both use the custom-gradient conv; backends with fast native
 * conv gradients (webgpu, tensorflow) use tfjs autodiff.
 *
 * @module
 */
import type { ConcreteBackendName } from "../runtime/backend.ts";
import type { ConvImpl } from "./conv1d.ts";
import type { NormImpl } from "./group_norm.ts";

/** Op implementations for one backend. */
export interface KernelPlan {
  /** Conv implementation. */
  readonly conv: ConvImpl;
  /** GroupNorm implementation. */
  readonly norm: NormImpl;
}

/**
 * The kernel plan for a backend.
 *
 * @param backend The active backend.
 * @returns The implementations to use on it.
 */
export function kernelPlanFor(backend: ConcreteBackendName): KernelPlan {
  switch (backend) {
    case "wasm":
    case "cpu":
      return { conv: "custom", norm: "custom" };
    case "webgpu":
    case "tensorflow":
      return { conv: "autodiff", norm: "custom" };
  }
}

/** Per-call options shared by every module's `apply`. */
export interface ApplyOptions {
  /**
   * Compute gradients for this module's parameters (default true). False
   * skips the weight-gradient work of custom ops when only the input gradient
   * is needed (the discriminator inside the generator's loss).
   */
  readonly paramGrads?: boolean;
}
