/**
 * Errors of validation: external tools that are missing or fail.
 *
 * @module
 */

/** An external program (Dorado, minimap2) exited with an error. */
export class ToolError extends Error {
  /** The command line, as run (arguments joined for display only; it ran without a shell). */
  readonly command: string;
  /** Its exit code. */
  readonly exitCode: number;

  /**
   * Create a tool error.
   *
   * @param command The command line, for display.
   * @param exitCode The exit code.
   * @param message What happened, with the end of its stderr.
   */
  constructor(command: string, exitCode: number, message: string) {
    super(message);
    this.name = "ToolError";
    this.command = command;
    this.exitCode = exitCode;
  }
}
