/**
 * `deno task summary [--config FILE] [--backend NAME] [--json]`: parameter
 * counts, FLOPs, latent length and compression of the configured model.
 *
 * @module
 */
import { formatSummary, summarizeModel } from "../lib/model/summary.ts";
import { parseFlags } from "../lib/runtime/args.ts";
import { initBackend } from "../lib/runtime/backend.ts";
import { resolveConfig } from "../lib/runtime/config.ts";

const HELP = `Usage: deno task summary [--config FILE] [--backend auto|tensorflow|webgpu|wasm|cpu] [--json]

Prints the model's parameter counts (trainable and frozen) and forward GFLOP
per window for each module, the latent length and compression for the
configured window, and the backend that would run it.

  --config FILE   config file (default: built-in defaults)
  --backend NAME  overrides train.backend
  --json          one JSON object instead of a table`;

/**
 * Run the summary task.
 *
 * @param args Flags.
 * @returns The exit code.
 */
export async function run(args: readonly string[]): Promise<number> {
  const flags = parseFlags(args, { string: ["config", "backend"], boolean: ["json"] });
  if (flags.booleans.get("help") === true) {
    console.log(HELP);
    return 0;
  }
  const backendFlag = flags.strings.get("backend");
  const config = await resolveConfig({
    file: flags.strings.get("config"),
    overrides: backendFlag === undefined ? {} : { train: { backend: backendFlag } },
  });
  const backend = await initBackend(config.train.backend);
  const summary = summarizeModel(config, { backend });
  console.log(flags.booleans.get("json") === true ? JSON.stringify(summary, null, 2) : formatSummary(summary));
  return 0;
}
