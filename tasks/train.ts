/**
 * `deno task train [flags]`: train SimVQGAN. With no `--config` it runs
 * configs/quickstart.json (the bundled 5 kHz sample); flags override the file.
 *
 * @module
 */
import { fromFileUrl } from "@std/path";
import { parseFlags, UsageError } from "../lib/runtime/args.ts";
import { flagSpecOf, type FlagTable, overridesFromFlags } from "../lib/runtime/flag_table.ts";
import { describeBackend, initBackend } from "../lib/runtime/backend.ts";
import { resolveConfig } from "../lib/runtime/config.ts";
import { formatProgressBar } from "../lib/runtime/progress.ts";
import { startWandb, type WandbRun } from "../lib/runtime/wandb.ts";
import { formatTrainEvent, formatTrainResult } from "../lib/train/format_train_result.ts";
import { type TrainEvent, trainModel } from "../lib/train/loop.ts";

const QUICKSTART = fromFileUrl(new URL("../configs/quickstart.json", import.meta.url));

/** The flags that set config keys (the README's train flags). */
const TRAIN_FLAGS: FlagTable = [
  { flag: "epochs", key: "train.epochs", kind: "integer" },
  { flag: "max-steps", key: "train.max_steps", kind: "integer" },
  { flag: "batch-size", key: "train.batch_size", kind: "integer" },
  { flag: "lr", key: "train.learning_rate", kind: "number" },
  { flag: "grad-accum", key: "train.grad_accum_steps", kind: "integer" },
  { flag: "disc-start", key: "train.disc_start", kind: "integer" },
  { flag: "disc-steps", key: "train.disc_steps", kind: "integer" },
  { flag: "save-every", key: "train.save_every", kind: "integer" },
  { flag: "keep-last", key: "train.keep_last", kind: "integer" },
  { flag: "log-every", key: "train.log_every", kind: "integer" },
  { flag: "val-every", key: "train.val_every", kind: "integer" },
  { flag: "loader-workers", key: "data.loader_workers", kind: "integer" },
  { flag: "loader-prefetch", key: "data.loader_prefetch_chunks", kind: "integer" },
  { flag: "seed", key: "seed", kind: "integer" },
  { flag: "ckpt-dir", key: "checkpoint.dir", kind: "path", also: { "checkpoint.numbered_runs": false } },
  { flag: "resume", key: "checkpoint.resume_from", kind: "auto_or_path" },
  { flag: "data-root", key: "data.root", kind: "path", also: { "data.subdirs": ["."], "data.files": null } },
  { flag: "subdirs", key: "data.subdirs", kind: "list", also: { "data.files": null } },
  { flag: "backend", key: "train.backend", kind: "string" },
  { flag: "workers", key: "train.workers", kind: "auto_or_integer" },
  { flag: "wandb", key: "logging.wandb.enabled", kind: "boolean" },
  { flag: "wandb-project", key: "logging.wandb.project", kind: "string" },
  { flag: "wandb-run", key: "logging.wandb.run_name", kind: "string" },
];

const HELP = `Usage: deno task train [flags]

Train SimVQGAN. Without --config: configs/quickstart.json (the bundled 5 kHz
sample: 450 steps, 584 s on 2 idle CPU cores). Flags override the config file,
which overrides the built-in defaults.

  --config FILE          JSON config (see configs/train_config.json)
  --ckpt-dir DIR         [checkpoint.dir] checkpoints, train.log, metrics.jsonl;
                         exactly this folder (no numbered runs)
  --overwrite            when --ckpt-dir holds an earlier run, move its files
                         into previous-<time>/ there instead of stopping
  --resume auto|PATH     [checkpoint.resume_from] continue from the latest
                         checkpoint in --ckpt-dir, or from PATH
  --resume-changed-data  resume even though the data (files, sizes, or the
                         data keys and seed that order it) changed since the
                         checkpoint: continue from the start of the next epoch
  --data-root DIR        [data.root] every .pod5 file under DIR (clears
                         data.subdirs and data.files)
  --subdirs A,B          [data.subdirs] only the .pod5 files under DIR/A, DIR/B
  --epochs N  --max-steps N  --batch-size N  --lr X  --grad-accum N
  --disc-start N  --disc-steps N  --save-every N  --keep-last N  --log-every N
  --val-every N  --loader-workers N  --loader-prefetch N  --seed N
  --backend auto|tensorflow|webgpu|wasm|cpu   [train.backend]
  --workers auto|N       [train.workers] training replicas in Deno Workers, each
                         on a share of every batch (auto: the cores, at most 8;
                         1: in this thread; wasm and cpu backends only)
  --wandb / --no-wandb   [logging.wandb.enabled]; the key comes from WANDB_API_KEY
  --wandb-project NAME  --wandb-run NAME
  -h, --help             show this help

Ctrl-C finishes the current step, saves a checkpoint and exits with code 130.`;

/**
 * Run the train task.
 *
 * @param args Flags.
 * @returns The exit code (0, or 130 when stopped by a signal).
 */
export async function run(args: readonly string[]): Promise<number> {
  const flags = parseFlags(
    args,
    flagSpecOf(TRAIN_FLAGS, { string: ["config"], boolean: ["resume-changed-data", "overwrite"] }),
  );
  if (flags.booleans.get("help") === true) {
    console.log(HELP);
    return 0;
  }
  if (flags.positional.length > 0) throw new UsageError(`Cannot train: unexpected argument "${flags.positional[0]}"`);
  const config = await resolveConfig({
    file: flags.strings.get("config") ?? QUICKSTART,
    overrides: overridesFromFlags(TRAIN_FLAGS, flags, { verb: "train" }),
  });
  const backend = await initBackend(config.train.backend);
  console.error(describeBackend(backend));
  let wandb: WandbRun | undefined;
  if (config.logging.wandb.enabled) {
    const started = await startWandb({
      project: config.logging.wandb.project,
      runName: config.logging.wandb.run_name,
      config,
    });
    if ("run" in started) wandb = started.run;
    else console.error(`[warn] ${started.warning}`);
  }
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) Deno.exit(130); // A second Ctrl-C: stop now.
    console.error("\nstopping: finishing the current step and saving a checkpoint (Ctrl-C again to quit now)");
    controller.abort(new DOMException("training stopped by a signal", "AbortError"));
  };
  const signals = Deno.build.os === "windows" ? ["SIGINT"] as const : ["SIGINT", "SIGTERM"] as const;
  for (const name of signals) Deno.addSignalListener(name, stop);
  try {
    const result = await trainModel({
      config,
      backend,
      signal: controller.signal,
      onEvent: reporter(),
      resumeChangedData: flags.booleans.get("resume-changed-data") === true,
      overwrite: flags.booleans.get("overwrite") === true,
      ...(wandb === undefined ? {} : { metricsSink: wandb }),
    });
    for (const line of formatTrainResult(result, config.data, { cwd: Deno.cwd() })) console.log(line);
    return result.stopped ? 130 : 0;
  } finally {
    for (const name of signals) Deno.removeSignalListener(name, stop);
    await wandb?.finish();
  }
}

/** Prints events: a live bar on a terminal, plain lines otherwise. */
function reporter(): (event: TrainEvent) => void {
  const tty = Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  let start = performance.now(), startStep = 0, barShown = false;
  return (event) => {
    if (event.kind === "start") {
      start = performance.now();
      startStep = event.startStep;
    }
    const line = formatTrainEvent(event);
    if (barShown && line !== undefined) Deno.stderr.writeSync(encoder.encode("\r\x1b[2K"));
    if (line !== undefined) {
      barShown = false;
      console.error(line);
    } else if (tty && event.kind === "step") {
      const bar = formatProgressBar({
        done: event.step,
        total: event.totalSteps,
        startDone: startStep,
        elapsedSec: (performance.now() - start) / 1000,
        label: `epoch ${event.epoch}`,
      });
      Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${bar}`));
      barShown = true;
    }
  };
}
