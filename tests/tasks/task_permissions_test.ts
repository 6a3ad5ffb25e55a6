import { assert, assertEquals } from "../_assert.ts";
import { ROOT } from "./_run_task.ts";

/** Every `deno task` of deno.json with the flags of each `deno` command it runs. */
async function tasks(): Promise<Map<string, string[]>> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const out = new Map<string, string[]>();
  for (const [name, command] of Object.entries(config.tasks as Record<string, string>)) {
    const flags = command.split("&&").flatMap((part) => {
      const words = part.trim().split(/\s+/);
      return words[0] === "deno" ? words.filter((w) => w.startsWith("-")) : [];
    });
    out.set(name, flags);
  }
  return out;
}

/** The values of `--flag=a,b` (null for a bare `--flag`, undefined when absent). */
function values(flags: readonly string[], flag: string): string[] | null | undefined {
  const hits = flags.filter((f) => f === flag || f.startsWith(`${flag}=`));
  if (hits.length === 0) return undefined;
  if (hits.some((f) => f === flag)) return null;
  return hits.flatMap((f) => f.slice(flag.length + 1).split(","));
}

/** The `:gpu` variants load the tfjs-node-gpu binding; nothing else loads native code. */
const GPU_TASKS = new Set([...(await tasks()).keys()].filter((name) => name.endsWith(":gpu")));
/** Tasks that run any program: the suite (its task tests), and validation (Dorado, minimap2). */
const RUNS_PROGRAMS = new Set(["test", "validate", "validate:gpu"]);
/** Tasks that run `deno` and nothing else: serve (`deno serve serve.ts`) and bench (the serve bench). */
const RUNS_DENO = new Set(["serve", "bench"]);
/** Tasks that may reach the network, and what each entry of their `--allow-net` must look like. */
const NET: Record<string, RegExp> = {
  "train:wandb": /^api\.wandb\.ai$/,
  // train:gpu logs to WandB like train:wandb when the config asks for it.
  "train:gpu": /^api\.wandb\.ai$/,
  // A named address with its port (e.g. 127.0.0.1:8080), never every host.
  "serve": /^(\[[0-9a-f:]+\]|[a-z0-9.-]+):\d{1,5}$/i,
  // The serve bench and the serve load test talk to their own server on the loopback only.
  "bench": /^127\.0\.0\.1$/,
  "test": /^127\.0\.0\.1$/,
};

Deno.test("no task asks for every permission", async () => {
  for (const [name, flags] of await tasks()) {
    for (const f of flags) assert(f !== "-A" && f !== "--allow-all" && !f.startsWith("--allow-all="), `${name}: ${f}`);
  }
});

Deno.test("only the GPU tasks load native code (--allow-ffi)", async () => {
  for (const [name, flags] of await tasks()) {
    assertEquals(values(flags, "--allow-ffi") !== undefined, GPU_TASKS.has(name), `${name}: --allow-ffi`);
  }
});

Deno.test("only train:wandb, train:gpu, serve, bench and test reach the network, each to its named host or address", async () => {
  const all = await tasks();
  assert(all.has("train:wandb"), "deno.json has a train:wandb task");
  for (const [name, flags] of all) {
    const net = values(flags, "--allow-net");
    const rule = NET[name];
    if (rule === undefined) {
      assertEquals(net, undefined, `${name} must not have --allow-net`);
      continue;
    }
    // serve exists only once its task lands; the others must be there and scoped.
    assert(net !== undefined || name === "serve", `${name} needs its --allow-net`);
    assert(net !== null, `${name}: --allow-net must name its host or address, not allow every host`);
    for (const host of net ?? []) assert(rule.test(host), `${name}: --allow-net entry "${host}" is not ${rule}`);
  }
});

Deno.test("bench writes only to bench/results/; only test and validate run any program, serve and bench only deno", async () => {
  const all = await tasks();
  assertEquals(values(all.get("bench") ?? [], "--allow-write")?.map((p) => p.replace(/\/$/, "")), ["bench/results"]);
  for (const [name, flags] of all) {
    if (RUNS_DENO.has(name)) assertEquals(values(flags, "--allow-run"), ["deno"], `${name}: --allow-run`);
    else if (!RUNS_PROGRAMS.has(name)) assertEquals(values(flags, "--allow-run"), undefined, `${name}: --allow-run`);
  }
});
