/**
 * Errors raised while reading or writing POD5 files.
 *
 * @module
 */
import { InputError } from "../runtime/errors.ts";

/** Base class of POD5 errors; always names the file. */
export class Pod5Error extends InputError {
  /** The POD5 file concerned. */
  override readonly path: string;

  /**
   * Create an error about `path`.
   *
   * @param path The POD5 file.
   * @param message What is wrong (the path is prefixed to it).
   * @param options The `cause`, if any.
   */
  constructor(path: string, message: string, options: { reason?: string; cause?: unknown } = {}) {
    super(message, { path, reason: options.reason ?? "pod5", cause: options.cause });
    this.name = "Pod5Error";
    this.path = path;
  }
}

/** The file is not a POD5 file, or its bytes break the format. */
export class Pod5FormatError extends Pod5Error {
  /** Byte offset in the file where the problem was found, when known. */
  readonly byteOffset: number | undefined;

  /**
   * Create a format error about `path`.
   *
   * @param path The POD5 file.
   * @param message What is wrong, e.g. "Cannot open POD5: bad signature".
   * @param options `byteOffset` where it was found, and the `cause`.
   */
  constructor(path: string, message: string, options: { byteOffset?: number; cause?: unknown } = {}) {
    super(path, options.byteOffset === undefined ? message : `${message} (at byte ${options.byteOffset})`, {
      reason: "pod5_format",
      cause: options.cause,
    });
    this.name = "Pod5FormatError";
    this.byteOffset = options.byteOffset;
  }
}

/** A read id asked for is not in the file. */
export class Pod5ReadNotFoundError extends Pod5Error {
  /** The read id that was not found. */
  readonly readId: string;

  /**
   * Create a not-found error for `readId` in `path`.
   *
   * @param path The POD5 file.
   * @param readId The missing read id.
   */
  constructor(path: string, readId: string) {
    super(path, `Cannot find read: no read with id ${readId}`, { reason: "read_not_found" });
    this.name = "Pod5ReadNotFoundError";
    this.readId = readId;
  }
}

/** A VBZ-compressed signal chunk cannot be decoded (no file context yet). */
export class VbzError extends RangeError {
  /**
   * Create a VBZ decoding error.
   *
   * @param message What is wrong, e.g. "Cannot decode VBZ: ...".
   * @param options The `cause`, if any.
   */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "VbzError";
  }
}
