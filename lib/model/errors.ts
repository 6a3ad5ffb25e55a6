/**
 * Errors raised by the model area.
 *
 * @module
 */

/**
 * Named arrays given to an import do not match the model: a name is missing
 * or unknown, or a shape differs. Raised before anything is changed.
 */
export class ParamStateError extends Error {
  /** The parameter name concerned, e.g. `encoder/conv_in/kernel`. */
  readonly paramName: string;

  /**
   * Create a ParamStateError.
   *
   * @param paramName The parameter name concerned.
   * @param message What is wrong.
   */
  constructor(paramName: string, message: string) {
    super(message);
    this.name = "ParamStateError";
    this.paramName = paramName;
  }
}
