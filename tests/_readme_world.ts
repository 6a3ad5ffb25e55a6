/**
 * A place where the README's commands run as written: a temporary copy of
 * the checkout (its code, deno.json, deno.lock and configs; `tests/fixtures`
 * linked, read only), in which `deno task train` trains where the quickstart
 * would (`checkpoints/quickstart`), and every later command finds what the
 * earlier ones wrote at the paths the README names.
 *
 * What differs from a user's checkout, and only this:
 * - every training config (`configs/*.json` with a `model` or `train`
 *   section) trains a tiny model of the same geometry (80× hop, 4096 codes,
 *   the config's window, sample rate and quantizer stages) on a tiny budget
 *   (see {@linkcode cheapTrainConfig}), so the quickstart and a resume take
 *   seconds; its data, holdout, checkpoint folder and pruning rules stay;
 * - the README's scratch folder `/tmp/` is the world's own (`scratch`), in
 *   commands and in the configs' paths, because several engineers and CI
 *   jobs run the suite at once and the commands refuse to replace existing
 *   outputs;
 * - a server started by a command listens on a free port (`--port 0`), and
 *   later commands' `localhost:8080` name that port;
 * - placeholders for the user's own data (`/data/FC01`, `runs/my_run`) are
 *   mapped by the caller, per command, to folders it prepared.
 *
 * Commands run through `sh -c` in the world's root, with the suite's
 * environment (its PATH, `deno`, Deno's cache), each in its own process group
 * so a timeout or a server's stop ends every process it started.
 *
 * @module
 */
import { dirname, fromFileUrl, join } from "@std/path";

/** The repository root. */
export const REPO_ROOT: string = fromFileUrl(new URL("../", import.meta.url));

/** What is copied from the checkout: the files a README command may run or read (tests/fixtures is linked). */
const COPIED = [
  "deno.json",
  "deno.lock",
  "main.ts",
  "mod.ts",
  "serve.ts",
  "lib",
  "tasks",
  "bench",
  "workflow",
  "deploy",
];

/** The tiny model every training config of the world trains (80× hop and 4096 codes, as the seed's). */
export const TINY_MODEL: Readonly<Record<string, unknown>> = Object.freeze({
  base_channels: 4,
  enc_channels: [4, 4, 8, 8],
  enc_down_strides: [4, 4, 5],
  enc_num_res_blocks: 1,
  latent_dim: 8,
  codebook_size: 4096,
  dec_channels: [8, 8, 4, 4],
  dec_up_strides: [5, 4, 4],
  dec_num_res_blocks: 1,
  discriminator: { channels: [4, 8], strides: [2, 2], kernel_size: 5, resblock_layers: 1 },
});

/** What one command printed and returned. */
export interface CommandOutput {
  /** The command as run (after the world's mappings). */
  readonly command: string;
  /** The exit code (128 + the signal's number when a signal ended it). */
  readonly code: number;
  readonly stdout: string;
  /** stderr without `deno task`'s own "Task NAME ..." banner lines. */
  readonly stderr: string;
}

/** Options of {@linkcode ReadmeWorld.run} and {@linkcode ReadmeWorld.startServer}. */
export interface RunOptions {
  /** Placeholder → replacement (a path relative to the world's root, or absolute), replaced as whole paths. */
  readonly placeholders?: Readonly<Record<string, string>>;
  /**
   * Flags appended to make the command cheap where the world's tiny model
   * does not (fewer reads to basecall, say); never paths. Default none.
   */
  readonly cheapFlags?: readonly string[];
  /** Kill the command's processes after this long. Default 300 s. */
  readonly timeoutMs?: number;
}

/** A running server started by a README command. */
interface Server {
  readonly child: Deno.ChildProcess;
  readonly port: number;
  readonly command: string;
  readonly output: Promise<{ stdout: string; stderr: string }>;
}

/**
 * A training config of the world: the real one with {@linkcode TINY_MODEL}
 * (keeping its quantizer stages and dropout) and a budget of two steps of 64
 * windows per epoch's batch, a checkpoint every step and `keep_last` 2, so
 * that a resume prunes what the first run saved, as the quickstart's does.
 *
 * @param raw The config document.
 * @returns The cheap document.
 */
export function cheapTrainConfig(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const section = (name: string) => (raw[name] ?? {}) as Record<string, unknown>;
  const model = section("model"), train = section("train"), data = section("data");
  const quantizers = ["num_quantizers", "quantizer_dropout"].filter((key) => key in model);
  return {
    ...raw,
    model: { ...TINY_MODEL, ...Object.fromEntries(quantizers.map((key) => [key, model[key]])) },
    train: {
      ...train,
      epochs: 2,
      max_steps: 2,
      batch_size: 64,
      grad_accum_steps: 1,
      save_every: 1,
      keep_last: 2,
      log_every: 1,
      val_every: null,
      val_windows: 64,
      workers: 1,
    },
    data: {
      ...data,
      loader_workers: Math.min(Number(data["loader_workers"] ?? 1), 1),
      shuffle_buffer: Math.min(Number(data["shuffle_buffer"] ?? 0), 256),
    },
  };
}

/** The README's commands in a temporary copy of the checkout; dispose to stop servers and remove it. */
export class ReadmeWorld implements AsyncDisposable {
  /** The copy's root: commands run here. */
  readonly root: string;
  /** What `/tmp/` means in the commands. */
  readonly scratch: string;
  readonly #servers: Server[] = [];

  private constructor(root: string) {
    this.root = root;
    this.scratch = join(root, ".scratch");
  }

  /**
   * Copy the checkout into a new temporary folder.
   *
   * @returns The world.
   */
  static async create(): Promise<ReadmeWorld> {
    const world = new ReadmeWorld(await Deno.makeTempDir({ prefix: "simvqgan_readme_" }));
    try {
      for (const name of COPIED) await copyTree(join(REPO_ROOT, name), join(world.root, name));
      await Deno.mkdir(join(world.root, "configs"));
      for await (const entry of Deno.readDir(join(REPO_ROOT, "configs"))) {
        if (!entry.isFile || !entry.name.endsWith(".json")) continue;
        const raw = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, "configs", entry.name)));
        const isTraining = (typeof raw.model === "object" && raw.model !== null) || "train" in raw;
        const cheap = world.#scratchPaths(isTraining ? cheapTrainConfig(raw) : raw);
        await Deno.writeTextFile(join(world.root, "configs", entry.name), JSON.stringify(cheap, null, 2) + "\n");
      }
      await Deno.mkdir(join(world.root, "tests"));
      await Deno.symlink(join(REPO_ROOT, "tests", "fixtures"), join(world.root, "tests", "fixtures"));
      await Deno.mkdir(world.scratch);
      return world;
    } catch (error) {
      await Deno.remove(world.root, { recursive: true });
      throw error;
    }
  }

  /** A config value with every `/tmp/...` path in it moved to the scratch folder, as commands' paths are. */
  #scratchPaths(value: unknown): unknown {
    if (typeof value === "string") return value.startsWith("/tmp/") ? join(this.scratch, value.slice(5)) : value;
    if (Array.isArray(value)) return value.map((item) => this.#scratchPaths(item));
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.#scratchPaths(item)]));
    }
    return value;
  }

  /**
   * A path inside the world.
   *
   * @param parts Path segments relative to the root.
   * @returns The absolute path.
   */
  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  /**
   * The command as the world runs it: `/tmp/` → scratch, `localhost:8080` →
   * the newest server's port, placeholders replaced.
   *
   * @param command The README's command.
   * @param options Placeholders.
   * @returns The command to run.
   */
  mapped(command: string, options: RunOptions = {}): string {
    let out = command.replace(/(^|[\s@='"])\/tmp\//g, `$1${this.scratch}/`);
    const server = this.#servers.at(-1);
    if (server !== undefined) out = out.replaceAll("localhost:8080", `localhost:${server.port}`);
    const placeholders = Object.entries(options.placeholders ?? {}).sort(([a], [b]) => b.length - a.length);
    for (const [from, to] of placeholders) {
      out = out.replace(new RegExp(`(^|[\\s=:'"])${escapeRegExp(from)}(?![\\w./-])`, "g"), `$1${to}`);
    }
    const extra = options.cheapFlags ?? [];
    if (extra.length > 0) {
      const redirect = out.search(/\s[>|]|\s&&/);
      const flags = extra.map((flag) => `'${flag.replaceAll("'", "'\\''")}'`).join(" ");
      out = redirect < 0 ? `${out} ${flags}` : `${out.slice(0, redirect)} ${flags}${out.slice(redirect)}`;
    }
    return out;
  }

  /**
   * Run a README command to its end.
   *
   * @param command The README's command.
   * @param options Placeholders and timeout.
   * @returns What it printed and its exit code.
   */
  async run(command: string, options: RunOptions = {}): Promise<CommandOutput> {
    const mapped = this.mapped(command, options);
    const child = this.#spawn(mapped);
    const timeoutMs = options.timeoutMs ?? 300_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, "SIGKILL");
    }, timeoutMs);
    try {
      const [output, status] = await Promise.all([collect(child), child.status]);
      if (timedOut) throw new Error(`README command timed out after ${timeoutMs / 1000} s: ${mapped}`);
      return { command: mapped, code: exitCode(status), ...output };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Start a README command that runs until stopped (a server), on a free
   * port, and wait until it listens.
   *
   * @param command The README's command (`deno task serve ...`).
   * @param options Placeholders and how long to wait for it to listen.
   * @returns The start-up lines it printed.
   */
  async startServer(command: string, options: RunOptions = {}): Promise<CommandOutput> {
    const mapped = `${this.mapped(command, options)} --port 0`;
    const child = this.#spawn(mapped);
    const lines: string[] = [];
    let port: number | undefined;
    const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    const deadline = setTimeout(() => killGroup(child, "SIGKILL"), options.timeoutMs ?? 120_000);
    try {
      let pending = "";
      while (port === undefined) {
        const { value, done } = await stderr.read();
        if (done) break;
        pending += value;
        const parts = pending.split("\n");
        pending = parts.pop()!;
        for (const line of parts) {
          lines.push(line);
          const match = /listening on http:\/\/[^/]*:(\d+)\//.exec(line);
          if (match !== null) port = Number(match[1]);
        }
      }
    } finally {
      clearTimeout(deadline);
    }
    if (port === undefined) {
      const status = await child.status;
      await child.stdout.cancel();
      throw new Error(`README server did not start (exit ${exitCode(status)}): ${mapped}\n${lines.join("\n")}`);
    }
    const rest = (async () => {
      let text = "";
      for (;;) {
        const { value, done } = await stderr.read();
        if (done) break;
        text += value;
      }
      return text;
    })();
    const output = Promise.all([new Response(child.stdout).text(), rest]).then(([stdout, tail]) => ({
      stdout,
      stderr: [...lines, tail].join("\n"),
    }));
    this.#servers.push({ child, port, command: mapped, output });
    return { command: mapped, code: 0, stdout: "", stderr: stripBanner(lines.join("\n")) };
  }

  /**
   * Stop the newest server (SIGTERM to its process group: requests in
   * progress finish) and return everything it printed.
   *
   * @returns Its output and exit code.
   */
  async stopServer(): Promise<CommandOutput> {
    const server = this.#servers.pop();
    if (server === undefined) throw new Error("no README server is running");
    killGroup(server.child, "SIGTERM");
    const [status, output] = await Promise.all([server.child.status, server.output]);
    return {
      command: server.command,
      code: exitCode(status),
      stdout: output.stdout,
      stderr: stripBanner(output.stderr),
    };
  }

  /** Whether a server is running. */
  get serving(): boolean {
    return this.#servers.length > 0;
  }

  /** Stop every server and remove the world. */
  async [Symbol.asyncDispose](): Promise<void> {
    while (this.#servers.length > 0) await this.stopServer();
    await Deno.remove(this.root, { recursive: true });
  }

  #spawn(command: string): Deno.ChildProcess {
    // setsid: the command's own process group, which a timeout or a stop signals as a whole.
    return new Deno.Command("setsid", {
      args: ["sh", "-c", command],
      cwd: this.root,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  }
}

async function collect(child: Deno.ChildProcess): Promise<{ stdout: string; stderr: string }> {
  const [stdout, stderr] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
  return { stdout, stderr: stripBanner(stderr) };
}

function stripBanner(stderr: string): string {
  return stderr.split("\n").filter((line) => !line.startsWith("Task ")).join("\n").trim();
}

function exitCode(status: Deno.CommandStatus): number {
  return status.signal === null
    ? status.code
    : 128 + ({ SIGTERM: 15, SIGKILL: 9, SIGINT: 2 }[status.signal as string] ?? 0);
}

function killGroup(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    Deno.kill(-child.pid, signal);
  } catch (error) {
    // The group is gone already: nothing to stop.
    if (!(error instanceof Deno.errors.NotFound) && !(error instanceof TypeError)) throw error;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Copy a file or folder (recursively), leaving out benchmark results and temporary files. */
async function copyTree(from: string, to: string): Promise<void> {
  const info = await Deno.lstat(from);
  if (info.isFile) {
    await Deno.mkdir(dirname(to), { recursive: true });
    await Deno.copyFile(from, to);
    return;
  }
  if (!info.isDirectory) return;
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.name.includes(".tmp-") || (from.endsWith("/bench/results") && entry.name.endsWith(".json"))) continue;
    await copyTree(join(from, entry.name), join(to, entry.name));
  }
}

/** The README. */
export const README_PATH: string = join(REPO_ROOT, "README.md");

/**
 * The commands of the fenced `sh` blocks of a Markdown text: continuation
 * lines joined, `# comments` and blank lines dropped.
 *
 * @param markdown The text.
 * @returns The commands, in order.
 */
export function shellCommands(markdown: string): string[] {
  const commands: string[] = [];
  let inBlock = false;
  let pending = "";
  for (const line of markdown.split("\n")) {
    const fence = /^```(\S*)/.exec(line.trim());
    if (fence !== null) {
      inBlock = !inBlock && fence[1] === "sh";
      continue;
    }
    if (!inBlock) continue;
    const text = line.replace(/(^|\s)#.*$/, "").trimEnd();
    if (text.endsWith("\\")) {
      pending += text.slice(0, -1).trim() + " ";
      continue;
    }
    const command = (pending + text.trim()).trim().replace(/\s+/g, " ");
    pending = "";
    if (command !== "") commands.push(command);
  }
  return commands;
}

/**
 * The README command that starts with `prefix` (exactly one must).
 *
 * @param commands The README's commands.
 * @param prefix How it starts.
 * @returns The command.
 */
export function readmeCommand(commands: readonly string[], prefix: string): string {
  const found = commands.filter((command) => command.startsWith(prefix));
  if (found.length !== 1) throw new Error(`the README has ${found.length} commands starting "${prefix}", not 1`);
  return found[0]!;
}
