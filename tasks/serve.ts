/**
 * `deno task serve --ckpt DIR [flags]`: the inference server (`serve.ts`
 * under `deno serve`).
 *
 * @module
 */
import { fromFileUrl } from "@std/path";
import { formatKeptExport, keepCodecExport } from "../lib/checkpoint/export_codec.ts";
import { resolveCheckpointDir } from "../lib/checkpoint/resolve_checkpoint_dir.ts";
import { runServer } from "../lib/serve/run_server.ts";
import { MIN_BODY_BYTES_PER_S } from "../lib/serve/body_deadline.ts";
import {
  DEFAULT_BODY_TIMEOUT_S,
  DEFAULT_HOSTNAME,
  DEFAULT_MAX_BODY_MB,
  DEFAULT_PORT,
  DEFAULT_QUEUE,
  DEFAULT_WORK_TIMEOUT_S,
  parseServeFlags,
  UPLOADS_PER_SLOT,
} from "../lib/serve/serve_flags.ts";
import { DEFAULT_BITS_PER_SAMPLE, DEFAULT_MAX_READS } from "../lib/serve/work_budget.ts";

const HELP = `Usage: deno task serve --ckpt DIR [flags]

Serve the codec over HTTP: the checkpoint is loaded once, then

  POST /v1/inspect[?signal_sha256=1]   POD5 body -> inspect --jsonl lines
  POST /v1/encode[?codes=plain|packed] POD5 body -> .tokens file
  POST /v1/decode                      .tokens body -> POD5 file
  GET  /healthz                        version, backend, checkpoint, uptime

give the same bytes as deno task inspect --jsonl / encode / decode. Errors are
JSON: {"error": "...", "status": N}. With SIMVQGAN_TOKEN set in the environment,
every endpoint but /healthz needs "Authorization: Bearer <token>".

  --ckpt DIR          a checkpoint_<step> folder, a run folder (its newest) or
                      a codec export; a run's checkpoint gets a copy in the
                      run's exports/, so pruning never orphans served tokens
  --port N            port to listen on (default ${DEFAULT_PORT}; 0: any free port)
  --hostname H        address to listen on (default ${DEFAULT_HOSTNAME}; 0.0.0.0: all)
  --max-body-mb N     largest body accepted, MiB (default ${DEFAULT_MAX_BODY_MB})
  --backend B         auto|tensorflow|webgpu|wasm|cpu (default auto)
  --concurrency N     requests processed at once (default: cores)
  --queue N           requests that may wait for one; past it 503 (default ${DEFAULT_QUEUE})
  --max-uploads N     bodies received at once, apart from the processing slots;
                      past it 503 (default ${UPLOADS_PER_SLOT} x --concurrency)
  --body-timeout S    cut off a body (408) that sends nothing for S seconds, or
                      that takes longer than S s plus 1 s per ${
  MIN_BODY_BYTES_PER_S / 1024
} KiB (default ${DEFAULT_BODY_TIMEOUT_S})
  --work-timeout S    end a request (503) whose work takes longer (default ${DEFAULT_WORK_TIMEOUT_S})
  --max-samples N     samples one request may encode, decode or hash; past it 413
                      (default: --max-body-mb of POD5 at ${DEFAULT_BITS_PER_SAMPLE} bits/sample)
  --max-reads N       reads one request's body may hold; past it 413 (default ${DEFAULT_MAX_READS})
  --workers N         Deno Workers running the model, shared by all requests
                      (default: cores, at most 4; 0: the server's own thread)
  --temp-dir DIR      where the server's private folder for uploads goes
                      (default: the system's temp folder); removed on exit
  -h, --help          show this help`;

/**
 * Run the serve task.
 *
 * @param args Flags.
 * @returns The server's exit code.
 */
export async function run(args: readonly string[]): Promise<number> {
  const flags = parseServeFlags(args);
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  const checkpoint = await resolveCheckpointDir(flags.ckpt);
  const kept = formatKeptExport(await keepCodecExport(checkpoint), checkpoint);
  if (kept !== undefined) console.error(kept);
  return await runServer(flags, { module: fromFileUrl(new URL("../serve.ts", import.meta.url)) });
}
