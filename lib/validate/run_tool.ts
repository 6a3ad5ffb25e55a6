/**
 * Running an external program as validation does: arguments as an array
 * (never through a shell), stdout into a file written under a temporary name
 * and renamed when the program succeeds, stderr appended to a log file.
 *
 * @module
 */
import { AtomicFile } from "../runtime/atomic_file.ts";
import { writeAll } from "../runtime/write_all.ts";
import { ToolError } from "./errors.ts";

/** What to run. */
export interface ToolRun {
  /** The program (a path, or a name looked up on PATH). */
  readonly bin: string;
  /** Its arguments. */
  readonly args: readonly string[];
  /** Where its stdout goes (created only when it succeeds). */
  readonly stdoutPath: string;
  /** The log its stderr is appended to. */
  readonly logPath: string;
}

/** Lines of stderr quoted in a {@linkcode ToolError}. */
const QUOTED_LINES = 5;

/**
 * Run a program to completion.
 *
 * @param run The program, arguments and files.
 * @returns Nothing; stdout is at `stdoutPath`.
 * @throws {Deno.errors.NotFound} When the program does not exist.
 * @throws {ToolError} When it exits with a non-zero code (no stdout file is left).
 */
export async function runTool(run: ToolRun): Promise<void> {
  const command = [run.bin, ...run.args].join(" ");
  await using out = await AtomicFile.create(run.stdoutPath);
  using log = await Deno.open(run.logPath, { write: true, create: true, append: true });
  await writeAll(log, new TextEncoder().encode(`$ ${command}\n`));
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(run.bin, { args: [...run.args], stdin: "null", stdout: "piped", stderr: "piped" })
      .spawn();
  } catch (error) {
    await out.abort();
    throw error;
  }
  let tail = "";
  const stderr = child.stderr.pipeTo(
    new WritableStream({
      write: async (chunk) => {
        await writeAll(log, chunk);
        tail = (tail + new TextDecoder().decode(chunk)).split("\n").slice(-QUOTED_LINES - 1).join("\n");
      },
    }),
  );
  const stdout = child.stdout.pipeTo(new WritableStream({ write: async (chunk) => void await out.write(chunk) }));
  const [status] = await Promise.all([child.status, stderr, stdout]);
  if (!status.success) {
    await out.abort();
    const quoted = tail.trim().split("\n").filter((line) => line !== "").slice(-QUOTED_LINES).join(" | ");
    throw new ToolError(
      command,
      status.code,
      `Cannot run ${run.bin}: \`${command}\` exited with code ${status.code}` + (quoted === "" ? "" : `: ${quoted}`),
    );
  }
  await out.commit();
}
