/**
 * The inference server, for `deno serve`: `deno task serve --ckpt DIR`
 * starts it with the permissions it needs (see `deno task serve --help`).
 * Run by hand (or by a platform that runs `deno serve` modules) as
 *
 * ```sh
 * deno serve --unstable-no-legacy-abort --allow-read --allow-write=/tmp \
 *   --allow-net=127.0.0.1:8080 --allow-env=SIMVQGAN_TOKEN,SIMVQGAN_DEBUG \
 *   --host 127.0.0.1 --port 8080 serve.ts --ckpt DIR [flags]
 * ```
 *
 * The flags after `serve.ts` are those of `deno task serve` (`--ckpt`,
 * `--max-body-mb`, `--backend`, `--concurrency`, `--queue`, `--workers`,
 * `--temp-dir`, `--max-uploads`, `--body-timeout`, `--work-timeout`,
 * `--max-samples`, `--max-reads`); the address is `deno serve`'s own `--host` (its default
 * is 0.0.0.0) and `--port`. The checkpoint is loaded once, here, before the
 * server listens. Without `--temp-dir` the server makes a private folder in
 * the system's temp folder; requests remove their own files, the empty
 * folder stays (the task removes it). Without `--unstable-no-legacy-abort`
 * Deno prints a notice about `request.signal`; the handler works either way.
 *
 * @module
 */
import { formatError, isInputError } from "./lib/runtime/error_report.ts";
import { type ServeApp, startServeApp } from "./lib/serve/serve_app.ts";
import { parseServeFlags } from "./lib/serve/serve_flags.ts";

async function start(args: readonly string[]): Promise<ServeApp> {
  try {
    const flags = parseServeFlags(args);
    if (flags.help) {
      console.log("serve.ts takes the flags of `deno task serve` (see `deno task serve --help`).");
      Deno.exit(0);
    }
    return await startServeApp(flags, { onLog: (line) => console.error(line) });
  } catch (error) {
    console.error(formatError(error));
    Deno.exit(isInputError(error) ? 2 : 1);
  }
}

const app = await start(Deno.args);

// On SIGTERM and SIGINT `deno serve` stops taking connections and lets requests
// finish; the model's Workers would keep the process alive, so stop them: on
// SIGTERM once the requests in progress are done, on SIGINT (Ctrl-C) at once.
const stopOn = (signal: Deno.Signal, stop: () => Promise<void>) =>
  Deno.addSignalListener(signal, () => {
    stop().catch((error) => console.error(formatError(error)));
  });
stopOn("SIGINT", () => app.close());
if (Deno.build.os !== "windows") stopOn("SIGTERM", () => app.shutdown());

export default { fetch: app.fetch, onListen: app.onListen } satisfies Deno.ServeDefaultExport;
