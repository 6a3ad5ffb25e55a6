/**
 * Training: the GAN losses, AdamW with clipping, one optimizer step, and the
 * {@linkcode Trainer} holding networks and optimizers with exportable state.
 *
 * @module
 */
export {
  discriminatorHingeLoss,
  fakeHingeLoss,
  featureMatchingLoss,
  generatorHingeLoss,
  l1Loss,
  realHingeLoss,
} from "./losses.ts";
export { AdamW, type AdamWConfig, adamWConfigFrom, type OptimizerState, type UpdateReport } from "./optimizer.ts";
export { type StepContext, type StepMetrics, type StepResult, trainStep } from "./step.ts";
export { encodeFlops, type ForwardFlops, forwardFlops, trainStepFlops } from "./step_flops.ts";
export { Trainer, type TrainerOptions, type TrainerSetup, type TrainerState } from "./trainer.ts";
