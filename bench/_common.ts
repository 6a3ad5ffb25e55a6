/**
 * Shared benchmark plumbing: environment facts for the JSON header and a
 * warm-up + repetition timing loop.
 *
 * @module
 */
import { cpus } from "node:os";
import { VERSION } from "../lib/version.ts";

/** Facts recorded with every benchmark result. */
export interface BenchEnvironment {
  readonly version: string;
  readonly commit: string;
  readonly device: string;
  readonly cores: number;
  readonly deno: string;
  readonly date: string;
}

/** Collect the environment facts (reads `.git`; the CPU model needs `--allow-sys=cpus`). */
export async function benchEnvironment(): Promise<BenchEnvironment> {
  return {
    version: VERSION,
    commit: await gitCommit(),
    device: cpuModel(),
    cores: navigator.hardwareConcurrency,
    deno: Deno.version.deno,
    date: new Date().toISOString(),
  };
}

/** Result of {@linkcode timeRepeated}. */
export interface Timing {
  /** Fastest repetition, ms per call. */
  readonly bestMs: number;
  /** Median repetition, ms per call. */
  readonly medianMs: number;
  /** Calls per repetition. */
  readonly callsPerRep: number;
}

/**
 * Time `fn`: `warmup` calls, then `reps` repetitions of enough calls to last
 * at least `minRepMs`.
 */
export async function timeRepeated(
  fn: () => unknown | Promise<unknown>,
  options: { warmup?: number; reps?: number; minRepMs?: number } = {},
): Promise<Timing> {
  const warmup = options.warmup ?? 2, reps = options.reps ?? 5, minRepMs = options.minRepMs ?? 500;
  for (let i = 0; i < warmup; i++) await fn();
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) await fn();
    const elapsed = performance.now() - t0;
    if (elapsed >= minRepMs / 4 || calls > 1e6) {
      calls = Math.max(1, Math.ceil((calls * minRepMs) / Math.max(elapsed, 1e-3)));
      break;
    }
    calls *= 4;
  }
  const perCall: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) await fn();
    perCall.push((performance.now() - t0) / calls);
  }
  perCall.sort((a, b) => a - b);
  return { bestMs: perCall[0]!, medianMs: perCall[Math.floor(perCall.length / 2)]!, callsPerRep: calls };
}

async function gitCommit(): Promise<string> {
  try {
    const head = (await Deno.readTextFile(".git/HEAD")).trim();
    if (!head.startsWith("ref: ")) return head;
    const ref = head.slice(5);
    try {
      return (await Deno.readTextFile(`.git/${ref}`)).trim();
    } catch {
      const packed = await Deno.readTextFile(".git/packed-refs");
      return packed.split("\n").find((line) => line.endsWith(` ${ref}`))?.split(" ")[0] ?? "unknown";
    }
  } catch {
    return "unknown";
  }
}

function cpuModel(): string {
  try {
    const list = cpus();
    return `${list[0]?.model ?? Deno.build.arch} (${list.length} cores)`;
  } catch {
    return `${Deno.build.os}-${Deno.build.arch} (${navigator.hardwareConcurrency} cores)`;
  }
}
