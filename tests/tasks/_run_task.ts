/** Run `deno task NAME ...args` as a user would, from the repository root. */
import { fromFileUrl } from "@std/path";

/** Repository root. */
export const ROOT: string = fromFileUrl(new URL("../../", import.meta.url));

/** What a task run printed and returned. */
export interface TaskOutput {
  readonly code: number;
  readonly stdout: string;
  /** stderr without deno's own "Task NAME ..." banner line. */
  readonly stderr: string;
}

/** Run `deno task <name> <args...>` in the repository root. */
export async function runTask(
  name: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<TaskOutput> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", name, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr).split("\n").filter((line) => !line.startsWith("Task ")).join("\n").trim(),
  };
}

/** The `deno run ...` arguments of a task in deno.json (without the leading `deno`). */
export async function taskArgs(name: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const command: unknown = config.tasks?.[name];
  if (typeof command !== "string" || !command.startsWith("deno ")) throw new Error(`no deno task "${name}"`);
  return command.slice("deno ".length).split(" ");
}
