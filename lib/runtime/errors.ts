/**
 * Errors raised by the runtime area: configuration and backends.
 *
 * @module
 */

/** Options of {@linkcode InputError}. */
export interface InputErrorOptions {
  /** The file the error is about; it leads the message (`PATH: detail`). */
  readonly path?: string | undefined;
  /**
   * What kind of bad input it is, as a stable code (`output_exists`,
   * `sample_rate`, ...): tasks add a flag hint and the server picks an HTTP
   * status by it. Default `invalid_input`.
   */
  readonly reason?: string;
  /** Leave the path out of the message (it still sets `path`). Default false. */
  readonly pathInMessage?: boolean;
  /** The error this one wraps. */
  readonly cause?: unknown;
}

/**
 * Base class of errors that mean the user's input is bad (a file, a flag, a
 * config value): the CLI prints them as one line and exits with code 2. The
 * message is `PATH: detail`; the parts stay apart (`path`, `detail`,
 * `reason`), so that a task or the server can word the error its own way
 * without taking the message apart.
 */
export class InputError extends Error {
  /** The file the error is about, when there is one. */
  readonly path: string | undefined;
  /** The kind of bad input, a stable code (see {@linkcode InputErrorOptions.reason}). */
  readonly reason: string;
  /** What is wrong, without the path: "Cannot <action>: <state>". */
  readonly detail: string;

  /**
   * Create an input error.
   *
   * @param detail What is wrong, without the path.
   * @param options The `path` of the file concerned, the `reason` code and the `cause`, if any.
   */
  constructor(detail: string, options: InputErrorOptions = {}) {
    const path = options.path;
    super(path === undefined || options.pathInMessage === false ? detail : `${path}: ${detail}`, {
      cause: options.cause,
    });
    this.name = "InputError";
    this.path = path;
    this.reason = options.reason ?? "invalid_input";
    this.detail = detail;
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
    options: { path?: string | undefined; reason?: string; cause?: unknown } = {},
  ) {
    // The config file is named by the CLI's line (`error: FILE: key: message`), not by the message.
    super(keyPath === "" ? message : `${keyPath}: ${message}`, {
      ...options,
      reason: options.reason ?? "config",
      pathInMessage: false,
    });
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
