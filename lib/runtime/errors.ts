/**
 * Errors raised by the runtime area: configuration and backends.
 *
 * @module
 */

/**
 * Base class of errors that mean the user's input is bad (a file, a flag, a
 * config value): the CLI prints them as one line and exits with code 2.
 */
export class InputError extends Error {
  /** The file the error is about, when there is one. */
  readonly path: string | undefined;

  /**
   * Create an input error.
   *
   * @param message What is wrong.
   * @param options The `path` of the file concerned and the `cause`, if any.
   */
  constructor(message: string, options: { path?: string | undefined; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "InputError";
    this.path = options.path;
  }
}

/** A configuration value is missing, unknown, of the wrong type or inconsistent. */
export class ConfigError extends InputError {
  /** Dotted key path of the offending value, e.g. `train.batch_size`. */
  readonly keyPath: string;

  /**
   * Create a config error for `keyPath`.
   *
   * @param keyPath Dotted key path, or "" for the whole document.
   * @param message What is wrong, without the key path.
   * @param options `path` of the config file and the `cause`, if any.
   */
  constructor(
    keyPath: string,
    message: string,
    options: { path?: string | undefined; cause?: unknown } = {},
  ) {
    super(keyPath === "" ? message : `${keyPath}: ${message}`, options);
    this.name = "ConfigError";
    this.keyPath = keyPath;
  }
}

/** A compute backend was asked for but cannot be initialised. */
export class BackendError extends Error {
  /** The backend that failed, e.g. `wasm`. */
  readonly backend: string;

  /**
   * Create a backend error.
   *
   * @param backend The backend's name.
   * @param message What failed.
   * @param options The `cause`, if any.
   */
  constructor(backend: string, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "BackendError";
    this.backend = backend;
  }
}

/**
 * The native `tensorflow` backend was asked for but cannot be used as this
 * process is set up: tfjs-node-gpu's native binding is not installed, or the
 * process lacks what it needs to load it. The CLI prints it as one line and
 * exits with code 2, like bad input: the fix is a command, not a bug report.
 */
export class BackendSetupError extends BackendError {
  /**
   * Create a setup error.
   *
   * @param backend The backend's name.
   * @param message What is missing and the command that fixes it.
   * @param options The `cause`, if any.
   */
  constructor(backend: string, message: string, options: { cause?: unknown } = {}) {
    super(backend, message, options);
    this.name = "BackendSetupError";
  }
}
