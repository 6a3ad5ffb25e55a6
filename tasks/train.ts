/**
 * `deno task train [flags]`: train SimVQGAN. With no `--config` it runs
 * configs/quickstart.json (the bundled 5 kHz sample); flags override the file.
 *
 * @module
 */
import { fromFileUrl, resolve } from "@std/path";
import { type ParsedFlags, parseFlags, UsageError } from "../lib/runtime/args.ts";
import { formatEpochSummary } from "../lib/data/format_epoch_summary.ts";
import { describeBackend, initBackend } from "../lib/runtime/backend.ts";
import { type RawConfig, resolveConfig } from "../lib/runtime/config.ts";
import { formatDuration, formatProgressBar } from "../lib/runtime/progress.ts";
import { startWandb, type WandbRun } from "../lib/runtime/wandb.ts";
import { formatLogLine } from "../lib/train/metrics_log.ts";
import { type TrainEvent, trainModel } from "../lib/train/loop.ts";

const QUICKSTART = fromFileUrl(new URL("../configs/quickstart.json", import.meta.url));

/** Flags that set a number: flag → [section, key, integer?]. */
const NUMBER_FLAGS: Readonly<Record<string, readonly [string, string, boolean]>> = {
  "epochs": ["train", "epochs", true],
  "max-steps": ["train", "max_steps", true],
  "batch-size": ["train", "batch_size", true],
  "lr": ["train", "learning_rate", false],
  "grad-accum": ["train", "grad_accum_steps", true],
  "disc-start": ["train", "disc_start", true],
  "disc-steps": ["train", "disc_steps", true],
  "save-every": ["train", "save_every", true],
  "keep-last": ["train", "keep_last", true],
  "log-every": ["train", "log_every", true],
  "val-every": ["train", "val_every", true],
  "loader-workers": ["data", "loader_workers", true],
  "loader-prefetch": ["data", "loader_prefetch_chunks", true],
};

const HELP = `Usage: deno task train [flags]

Train SimVQGAN. Without --config: configs/quickstart.json (the bundled 5 kHz
sample, a few minutes on a laptop CPU). Flags override the config file, which
overrides the built-in defaults.

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
  const flags = parseFlags(args, {
    string: [
      "config",
      "ckpt-dir",
      "resume",
      "data-root",
      "subdirs",
      "seed",
      "backend",
      "wandb-project",
      "wandb-run",
      "workers",
      ...Object.keys(NUMBER_FLAGS),
    ],
    boolean: ["wandb", "resume-changed-data", "overwrite"],
  });
  if (flags.booleans.get("help") === true) {
    console.log(HELP);
    return 0;
  }
  if (flags.positional.length > 0) throw new UsageError(`Cannot train: unexpected argument "${flags.positional[0]}"`);
  const config = await resolveConfig({ file: flags.strings.get("config") ?? QUICKSTART, overrides: overrides(flags) });
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
    console.log(`checkpoint: ${result.checkpoint ?? "(none)"}`);
    console.log(`logs:       ${result.logs.trainLog}, ${result.logs.metrics}`);
    console.log(
      `trained:    ${result.stepsThisRun} steps (to step ${result.steps}) in ${formatDuration(result.seconds)}, ` +
        `${result.windowsPerSecond.toFixed(2)} windows/s`,
    );
    if (result.heldOut !== undefined) {
      const { snrDb, baselineSnrDb, windows } = result.heldOut;
      // read_tail scores the tails of reads whose heads were trained on: say so (deno task validate scores unseen reads).
      const what = config.data.holdout_by === "read_tail"
        ? "windows, held-out tails of trained reads"
        : "windows of reads never trained on";
      console.log(
        `held-out:   SNR ${snrDb.toFixed(2)} dB on ${windows} ${what}; per-read median ` +
          `baseline ${baselineSnrDb.toFixed(2)} dB (${(snrDb - baselineSnrDb).toFixed(2)} dB better)`,
      );
    }
    return result.stopped ? 130 : 0;
  } finally {
    for (const name of signals) Deno.removeSignalListener(name, stop);
    await wandb?.finish();
  }
}

function overrides(flags: ParsedFlags): RawConfig {
  const out: Record<string, Record<string, unknown>> = { train: {}, data: {}, checkpoint: {}, logging: {} };
  for (const [flag, [section, key, integer]] of Object.entries(NUMBER_FLAGS)) {
    const text = flags.strings.get(flag);
    if (text === undefined) continue;
    const value = Number(text);
    if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) {
      throw new UsageError(`Cannot train: --${flag} needs ${integer ? "an integer" : "a number"}, got "${text}"`);
    }
    out[section]![key] = value;
  }
  const path = (flag: string) => {
    const value = flags.strings.get(flag);
    return value === undefined ? undefined : resolve(value);
  };
  if (flags.strings.has("ckpt-dir")) Object.assign(out["checkpoint"]!, { dir: path("ckpt-dir"), numbered_runs: false });
  const resume = flags.strings.get("resume");
  if (resume !== undefined) out["checkpoint"]!["resume_from"] = resume === "auto" ? "auto" : path("resume");
  if (flags.strings.has("data-root")) {
    Object.assign(out["data"]!, { root: path("data-root"), subdirs: ["."], files: null });
  }
  const subdirs = flags.strings.get("subdirs")?.split(",").filter((dir) => dir !== "");
  if (subdirs !== undefined) Object.assign(out["data"]!, { subdirs, files: null });
  if (flags.strings.has("backend")) out["train"]!["backend"] = flags.strings.get("backend");
  const workers = flags.strings.get("workers");
  if (workers !== undefined) {
    if (workers !== "auto" && !/^[0-9]+$/.test(workers)) {
      throw new UsageError(`Cannot train: --workers needs "auto" or an integer, got "${workers}"`);
    }
    out["train"]!["workers"] = workers === "auto" ? "auto" : Number(workers);
  }
  const wandb: Record<string, unknown> = {};
  if (flags.booleans.has("wandb")) wandb["enabled"] = flags.booleans.get("wandb");
  if (flags.strings.has("wandb-project")) wandb["project"] = flags.strings.get("wandb-project");
  if (flags.strings.has("wandb-run")) wandb["run_name"] = flags.strings.get("wandb-run");
  out["logging"] = Object.keys(wandb).length > 0 ? { wandb } : {};
  const seed = flags.strings.get("seed");
  const result: Record<string, unknown> = { ...out };
  if (seed !== undefined) {
    if (!Number.isInteger(Number(seed))) throw new UsageError(`Cannot train: --seed needs an integer, got "${seed}"`);
    result["seed"] = Number(seed);
  }
  return result;
}

/** Prints events: a live bar on a terminal, plain lines otherwise. */
function reporter(): (event: TrainEvent) => void {
  const tty = Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  let start = performance.now(), startStep = 0, barShown = false;
  const clearBar = () => {
    if (barShown) Deno.stderr.writeSync(encoder.encode("\r\x1b[2K"));
    barShown = false;
  };
  return (event) => {
    switch (event.kind) {
      case "start":
        start = performance.now();
        startStep = event.startStep;
        if (event.runFolderNote !== undefined) console.error(event.runFolderNote);
        console.error(
          `data: ${event.windowsPerEpoch} training windows per epoch (${event.stepsPerEpoch} steps), ` +
            `${event.heldOutWindows} held out; training to step ${event.totalSteps} on ${event.workers} ` +
            `worker${event.workers === 1 ? "" : "s"}` +
            (event.resumedFrom === undefined ? "" : `, resumed from ${event.resumedFrom} at step ${event.startStep}`),
        );
        return;
      case "warning":
        clearBar();
        console.error(`[warn] ${event.message}`);
        return;
      case "step": {
        if (!tty) return;
        const line = formatProgressBar({
          done: event.step,
          total: event.totalSteps,
          startDone: startStep,
          elapsedSec: (performance.now() - start) / 1000,
          label: `epoch ${event.epoch}`,
        });
        Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${line}`));
        barShown = true;
        return;
      }
      case "log":
        clearBar();
        console.error(formatLogLine(event.record));
        return;
      case "checkpoint":
        clearBar();
        console.error(`saved ${event.path}`);
        return;
      case "epoch":
        clearBar();
        console.error(formatEpochSummary(event.summary, { step: event.step }));
        return;
    }
  };
}
