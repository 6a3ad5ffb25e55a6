/**
 * `deno task bench NAME`: run one benchmark, print its JSON on stdout and
 * save it under `bench/results/`.
 *
 * @module
 */
import { parseFlags, UsageError } from "../lib/runtime/args.ts";
import { writeFileAtomic } from "../lib/runtime/atomic_file.ts";

/** A benchmark module: `runBench` returns the JSON document (SPEC §3.6). */
interface BenchModule {
  runBench(
    options: {
      onProgress: (line: string) => void;
      flags: ReadonlyMap<string, string>;
      tiny: boolean;
      workers?: readonly number[];
    },
  ): Promise<Record<string, unknown>>;
}

const BENCHES: Readonly<Record<string, () => Promise<BenchModule>>> = {
  pod5: () => import("../bench/pod5_bench.ts"),
  data: () => import("../bench/data_bench.ts"),
  train: () => import("../bench/train_bench.ts"),
  tails: () => import("../bench/tails_bench.ts"),
  codec: () => import("../bench/codec_bench.ts"),
  serve: () => import("../bench/serve_bench.ts"),
};

const HELP = `Usage: deno task bench NAME [--ckpt DIR] [--tiny] [--requests N] [--soak SECONDS] [--workers N[,M...]]

Runs benchmark NAME, prints one JSON object on stdout (progress on stderr) and
writes it to bench/results/NAME-<time>.json.

  --ckpt DIR   the checkpoint a bench measures (tails: default checkpoints/quickstart;
               codec: default random seed-architecture weights; serve: default
               checkpoints/quickstart)
  --tiny       a smoke run: small sizes, one repetition, the same result names;
               its numbers mean nothing (the JSON says "tiny": true)
  --requests N serve: z1 encodes sent by 8 clients (default 16)
  --soak S     serve: the soak instead: good, bad and slow clients for S seconds,
               then the server's RSS, open files and temp files (result serve_soak)
  --workers N[,M...]   train: also measure the steps on N (and M...) replica
                       Workers (default 2)

Benchmarks: ${Object.keys(BENCHES).join(", ")}`;

/**
 * Run the bench task.
 *
 * @param args Flags and the bench name.
 * @returns The exit code.
 */
export async function run(args: readonly string[]): Promise<number> {
  const flags = parseFlags(args, { string: ["ckpt", "requests", "soak", "workers"], boolean: ["tiny"] });
  if (flags.booleans.get("help") === true) {
    console.log(HELP);
    return 0;
  }
  const name = flags.positional[0];
  const load = name === undefined ? undefined : BENCHES[name];
  if (name === undefined || load === undefined) {
    throw new UsageError(
      `Cannot run bench: ${name === undefined ? "no name given" : `unknown bench "${name}"`}\n${HELP}`,
    );
  }
  const soak = flags.strings.get("soak");
  if (soak !== undefined && name !== "serve") {
    throw new UsageError(`Cannot run bench: --soak applies to the serve bench only`);
  }
  if (soak !== undefined && !(/^\d+(\.\d+)?$/.test(soak) && Number(soak) > 0)) {
    throw new UsageError(`Cannot run bench: --soak needs a positive number of seconds, got "${soak}"`);
  }
  const workersText = flags.strings.get("workers");
  let workers: number[] | undefined;
  if (workersText !== undefined) {
    if (name !== "train") throw new UsageError(`Cannot run bench: --workers applies to the train bench only`);
    workers = workersText.split(",").map(Number);
    if (workers.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new UsageError(`Cannot run bench: --workers needs positive integers, got "${workersText}"`);
    }
  }
  const bench = await load();
  const tiny = flags.booleans.get("tiny") === true;
  const result = await bench.runBench({
    onProgress: (line) => console.error(line),
    flags: flags.strings,
    tiny,
    ...(workers === undefined ? {} : { workers }),
  });
  const text = JSON.stringify(tiny ? { ...result, tiny } : result, null, 2);
  console.log(text);
  const stamp = new Date().toISOString().replaceAll(":", "-").replace(/\.\d+Z$/, "Z");
  const file = `bench/results/${name}-${stamp}.json`;
  await writeFileAtomic(file, text + "\n");
  console.error(`wrote ${file}`);
  return 0;
}
