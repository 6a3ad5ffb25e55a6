/**
 * The SimVQGAN networks: the generator (encoder, residual SimVQ quantizer, decoder)
 * as a {@linkcode Codec}, the PatchGAN {@linkcode Discriminator}, their
 * named parameters, and the model summary.
 *
 * @module
 */
export {
  Codec,
  type CodecFlops,
  type CodecForward,
  type CodecForwardOptions,
  type CodecOptions,
  GENERATOR_MODULES,
  type GeneratorModule,
} from "./codec.ts";
export { type CodebookStats, codebookStats, countCodes, countStageCodes } from "./codebook_stats.ts";
export { type OutputActivation, outputActivationFor } from "./decoder.ts";
export { Discriminator, DISCRIMINATOR_PREFIX, type DiscriminatorOutput } from "./discriminator.ts";
export { ParamStateError } from "./errors.ts";
export { type ApplyOptions, type KernelPlan, kernelPlanFor } from "./kernel_plan.ts";
export { type NamedArray, type ParamCounts, ParamStore } from "./params.ts";
export { Quantizer, type QuantizeResult, type QuantizerSpec } from "./quantizer.ts";
export {
  type QuantizerCountOptions,
  ResidualQuantizer,
  type ResidualQuantizeResult,
  type ResidualQuantizerSpec,
  stageName,
} from "./residual_quantizer.ts";
export { formatSummary, type ModelSummary, type ModuleSummary, summarizeModel } from "./summary.ts";
