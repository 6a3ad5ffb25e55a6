/**
 * Optional Weights & Biases logging. Off unless asked for; the API key comes
 * only from `WANDB_API_KEY`; any failure to start is one warning and
 * training goes on without it.
 *
 * @module
 */

/** Environment variable holding the API key. */
export const WANDB_API_KEY_ENV = "WANDB_API_KEY";
/** Host the SDK talks to (the task that enables WandB allows network access to it). */
export const WANDB_HOST = "api.wandb.ai";

/** A started WandB run. */
export interface WandbRun {
  /** Log one record at a step. */
  log(record: Readonly<Record<string, number | string | null>>, step: number): void;
  /** Flush and close the run. */
  finish(): Promise<void>;
}

/** Options of {@linkcode startWandb}. */
export interface StartWandbOptions {
  /** WandB project. */
  readonly project: string;
  /** Run name; default `vq-gan-YYYYmmdd-HHMMSS`, as the seed named runs. */
  readonly runName?: string | null;
  /** The run's config (recorded in WandB; it holds no secret). */
  readonly config: unknown;
}

/** Either a run or the reason there is none. */
export type WandbStart = { readonly run: WandbRun } | { readonly warning: string };

/**
 * Start a WandB run, or say why not (no key, no network permission, SDK error).
 *
 * @param options Project, run name, config.
 * @returns The run, or a warning to print.
 */
export async function startWandb(options: StartWandbOptions): Promise<WandbStart> {
  const apiKey = readEnv(WANDB_API_KEY_ENV);
  if (apiKey === undefined || apiKey === "") {
    return { warning: `WandB is on but ${WANDB_API_KEY_ENV} is not set; training goes on without WandB` };
  }
  const net = await Deno.permissions.query({ name: "net", host: WANDB_HOST });
  if (net.state !== "granted") {
    return {
      warning: `WandB is on but this task may not reach ${WANDB_HOST}; run \`deno task train:wandb\`. ` +
        "Training goes on without WandB",
    };
  }
  try {
    const { default: wandb } = await import("@wandb/sdk");
    await wandb.login({ key: apiKey });
    const name = options.runName ??
      `vq-gan-${new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)}`;
    await wandb.init({ project: options.project, name, config: options.config });
    return {
      run: {
        log: (record, step) => wandb.log({ ...record }, step),
        finish: () => wandb.finish(),
      },
    };
  } catch (error) {
    return {
      warning: `WandB could not start (${error instanceof Error ? error.message : error}); training goes on without it`,
    };
  }
}

function readEnv(name: string): string | undefined {
  if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") return undefined;
  return Deno.env.get(name);
}
