/**
 * The `simvqgan` command line: `deno task <command> [flags]` runs
 * `main.ts <command> [flags]`. This file only dispatches and maps errors to
 * exit codes; each command lives in `tasks/`.
 *
 * @module
 */
import { UsageError } from "./lib/runtime/args.ts";
import { type FlagHints, formatError, isInputError } from "./lib/runtime/error_report.ts";

/** A task module: its entry, and the flag hints it adds to the library's errors. */
interface TaskModule {
  run(args: readonly string[]): Promise<number>;
  readonly FLAG_HINTS?: FlagHints;
}

/** One command: its one-line summary and a loader for its task module. */
interface Command {
  readonly summary: string;
  readonly load: () => Promise<TaskModule>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  train: {
    summary: "train SimVQGAN (no flags: the quickstart on the bundled sample)",
    load: () => import("./tasks/train.ts"),
  },
  encode: {
    summary: "compress POD5 files into token files with a trained checkpoint",
    load: () => import("./tasks/encode.ts"),
  },
  decode: {
    summary: "restore POD5 files from token files",
    load: () => import("./tasks/decode.ts"),
  },
  validate: {
    summary: "score a checkpoint's reconstructions, and basecall them with Dorado",
    load: () => import("./tasks/validate.ts"),
  },
  export: {
    summary: "freeze a checkpoint's codec into a folder that training never prunes",
    load: () => import("./tasks/export.ts"),
  },
  checkpoints: {
    summary: "list the runs, checkpoints and codec exports under checkpoints/ (or a folder)",
    load: () => import("./tasks/checkpoints.ts"),
  },
  shards: {
    summary: "check that the manifests of a sharded encode or decode cover every file once",
    load: () => import("./tasks/shards.ts"),
  },
  serve: {
    summary: "serve inspect, encode and decode over HTTP (deno serve)",
    load: () => import("./tasks/serve.ts"),
  },
  inspect: {
    summary: "summarise a POD5 file, or print one JSON object per read",
    load: () => import("./tasks/inspect.ts"),
  },
  subset: {
    summary: "copy selected reads (and their runs) into a new POD5 file",
    load: () => import("./tasks/subset.ts"),
  },
  convert: {
    summary: "convert FAST5 files (single- or multi-read) into a POD5 file",
    load: () => import("./tasks/convert.ts"),
  },
  degrade: {
    summary: "round every sample to a multiple of 2^K (slow5tools' bit trimming), as a VBZ POD5",
    load: () => import("./tasks/degrade.ts"),
  },
  bench: {
    summary: "run a benchmark and print its JSON result",
    load: () => import("./tasks/bench.ts"),
  },
  summary: {
    summary: "print the model's parameter counts, FLOPs and compression",
    load: () => import("./tasks/summary.ts"),
  },
};

function usage(): string {
  const lines = ["Usage: deno task <command> [flags]   (or: deno run main.ts <command> [flags])", "", "Commands:"];
  for (const [name, command] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(12)} ${command.summary}`);
  lines.push("", "Run a command with --help for its flags.");
  return lines.join("\n");
}

async function main(args: readonly string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  let task: TaskModule | undefined;
  try {
    const command = COMMANDS[name];
    if (command === undefined) throw new UsageError(`Cannot run command: unknown command "${name}"\n${usage()}`);
    task = await command.load();
    return await task.run(rest);
  } catch (error) {
    console.error(formatError(error, task?.FLAG_HINTS === undefined ? {} : { hints: task.FLAG_HINTS }));
    return isInputError(error) ? 2 : 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
