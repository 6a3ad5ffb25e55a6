import { fromFileUrl, join } from "@std/path";
import { UsageError } from "../../lib/runtime/args.ts";
import { serveCommandArgs } from "../../lib/serve/run_server.ts";
import { parseServeFlags } from "../../lib/serve/serve_flags.ts";
import { assertEquals, assertMatch, assertThrows } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { ROOT, runTask } from "../tasks/_run_task.ts";

/** Found independently of the library: the wasm package's folder, and lib/ of this checkout. */
const WASM_DIR = fromFileUrl(new URL(".", import.meta.resolve("@tensorflow/tfjs-backend-wasm"))).replace(/\/$/, "");
const ZSTD_DIR = fromFileUrl(new URL("./wasm", import.meta.resolve("@bokuweb/zstd-wasm")));
const LIB_DIR = join(ROOT, "lib");
/** The native packages' folders, which the backend probe reads to say that they are not installed. */
const NATIVE_DIRS = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]
  .map((name) => fromFileUrl(new URL("..", import.meta.resolve(name))).replace(/\/$/, ""))
  .join(",");

Deno.test("parseServeFlags() fills in the defaults and reads every flag", () => {
  const defaults = parseServeFlags(["--ckpt", "runs/a"]);
  assertEquals(
    [defaults.port, defaults.hostname, defaults.maxBodyBytes, defaults.backend, defaults.queue, defaults.tempDir],
    [8080, "127.0.0.1", 256 * 1024 * 1024, "auto", 16, undefined],
  );
  assertEquals(defaults.concurrency, navigator.hardwareConcurrency);
  assertEquals(defaults.workers, Math.min(4, navigator.hardwareConcurrency));
  // 4 uploads per processing slot; 30 s for a body; an hour of work; 256 MiB at 6 bits/sample; 100,000 reads.
  assertEquals(
    [defaults.maxUploads, defaults.bodyTimeoutMs, defaults.workTimeoutMs, defaults.maxSamples, defaults.maxReads],
    [4 * navigator.hardwareConcurrency, 30_000, 3_600_000, Math.floor((256 * 1024 * 1024 * 8) / 6), 100_000],
  );
  const given = parseServeFlags([
    "--ckpt=c",
    "--port=0",
    "--hostname=0.0.0.0",
    "--max-body-mb=0.5",
    "--backend=cpu",
    "--concurrency=3",
    "--queue=0",
    "--workers=0",
    "--temp-dir=/scratch",
    "--max-uploads=5",
    "--body-timeout=2.5",
    "--work-timeout=90",
    "--max-samples=1000000",
    "--max-reads=7",
  ]);
  assertEquals(
    [given.port, given.hostname, given.maxBodyBytes, given.backend, given.concurrency, given.queue, given.workers],
    [0, "0.0.0.0", 512 * 1024, "cpu", 3, 0, 0],
  );
  assertEquals(given.tempDir, "/scratch");
  assertEquals(
    [given.maxUploads, given.bodyTimeoutMs, given.workTimeoutMs, given.maxSamples, given.maxReads],
    [5, 2500, 90_000, 1_000_000, 7],
  );
  // Without --max-samples, the body limit sets it: 0.5 MiB at 6 bits/sample; --max-uploads follows --concurrency.
  const derived = parseServeFlags(["--ckpt", "c", "--max-body-mb", "0.5", "--concurrency", "3"]);
  assertEquals([derived.maxSamples, derived.maxUploads], [699_050, 12]);
});

Deno.test("parseServeFlags() rejecting a missing --ckpt, bad numbers and unknown flags", () => {
  const cases: [string[], string][] = [
    [[], "Cannot serve: --ckpt is required"],
    [["--ckpt", "c", "--port", "70000"], '--port needs an integer from 0 to 65535, got "70000"'],
    [["--ckpt", "c", "--concurrency", "0"], "--concurrency needs an integer from 1"],
    [["--ckpt", "c", "--queue=-1"], "--queue needs an integer from 0"],
    [["--ckpt", "c", "--max-body-mb", "0"], '--max-body-mb needs a positive number of MiB, got "0"'],
    [["--ckpt", "c", "--backend", "tpu"], 'not "tpu"'],
    [["--ckpt", "c", "--max-uploads", "0"], "--max-uploads needs an integer from 1"],
    [["--ckpt", "c", "--body-timeout", "0"], '--body-timeout needs a positive number of seconds, got "0"'],
    [["--ckpt", "c", "--work-timeout=-5"], '--work-timeout needs a positive number of seconds, got "-5"'],
    [["--ckpt", "c", "--work-timeout", "1h"], '--work-timeout needs a positive number of seconds, got "1h"'],
    [["--ckpt", "c", "--max-samples", "1e9"], "--max-samples needs an integer from 1"],
    [["--ckpt", "c", "--max-reads", "0"], "--max-reads needs an integer from 1"],
    [["--ckpt", "c", "--verbose"], 'unknown flag "--verbose"'],
    [["--ckpt", "c", "extra"], 'no positional arguments, got "extra"'],
  ];
  for (const [args, message] of cases) assertThrows(() => parseServeFlags(args), UsageError, message);
});

Deno.test("serveCommandArgs() gives deno serve only the permissions the server needs", () => {
  const paths = { module: "/app/serve.ts", checkpointDir: "/ckpt/checkpoint_500", tempDir: "/tmp/simvqgan-serve-x" };
  const flags = parseServeFlags(["--ckpt", "/ckpt", "--port", "9000", "--concurrency", "3", "--workers", "2"]);
  assertEquals(serveCommandArgs(flags, paths), [
    "serve",
    "--no-prompt",
    "--unstable-no-legacy-abort",
    `--allow-read=/ckpt/checkpoint_500,/tmp/simvqgan-serve-x,${WASM_DIR},${ZSTD_DIR},${NATIVE_DIRS},${LIB_DIR}`,
    "--allow-write=/tmp/simvqgan-serve-x",
    "--allow-net=127.0.0.1:9000",
    "--allow-env=SIMVQGAN_TOKEN,SIMVQGAN_DEBUG",
    "--port",
    "9000",
    "--host",
    "127.0.0.1",
    "/app/serve.ts",
    "--ckpt",
    "/ckpt/checkpoint_500",
    "--temp-dir",
    "/tmp/simvqgan-serve-x",
    "--max-body-mb",
    "256",
    "--backend",
    "auto",
    "--concurrency",
    "3",
    "--queue",
    "16",
    "--workers",
    "2",
    "--max-uploads",
    "12",
    "--body-timeout",
    "30",
    "--work-timeout",
    "3600",
    "--max-samples",
    "357913941",
    "--max-reads",
    "100000",
  ]);
  // The flags after serve.ts read back as the task's own.
  const again = parseServeFlags(
    serveCommandArgs(flags, paths).slice(serveCommandArgs(flags, paths).indexOf("/app/serve.ts") + 1),
  );
  assertEquals({ ...again, ckpt: flags.ckpt, tempDir: undefined, port: flags.port, hostname: flags.hostname }, flags);
  // No Workers: the library's code need not be readable; IPv6 addresses are bracketed.
  const inThread = serveCommandArgs(parseServeFlags(["--ckpt", "c", "--workers", "0", "--hostname", "::1"]), paths);
  assertEquals(
    inThread[3],
    `--allow-read=/ckpt/checkpoint_500,/tmp/simvqgan-serve-x,${WASM_DIR},${ZSTD_DIR},${NATIVE_DIRS}`,
  );
  assertEquals(inThread[5], "--allow-net=[::1]:8080");
  // The native backend also gets FFI and its node_modules, as train:gpu does.
  const native = serveCommandArgs(parseServeFlags(["--ckpt", "c", "--backend", "tensorflow", "--workers", "0"]), paths);
  assertEquals(native.slice(3, 9), [
    `--allow-read=/ckpt/checkpoint_500,/tmp/simvqgan-serve-x,${WASM_DIR},${ZSTD_DIR},${NATIVE_DIRS},/app/node_modules`,
    "--allow-write=/tmp/simvqgan-serve-x",
    "--allow-net=127.0.0.1:8080",
    "--allow-env=SIMVQGAN_TOKEN,SIMVQGAN_DEBUG",
    "--allow-ffi",
    "--node-modules-dir=auto",
  ]);
  assertThrows(
    () => serveCommandArgs(flags, { ...paths, tempDir: "/tmp/a,b" }),
    UsageError,
    "the path /tmp/a,b holds a comma",
  );
});

Deno.test("deno task serve refusing a missing checkpoint with one line and exit code 2, leaving no temp folder", async () => {
  await withTempDir(async (dir) => {
    const result = await runTask("serve", ["--ckpt", join(dir, "nowhere"), "--temp-dir", dir, "--port", "0"]);
    assertEquals(result.code, 2, result.stderr);
    assertMatch(
      result.stderr,
      /^error: .*nowhere: Cannot load checkpoint: no such directory \(.* holds no checkpoint\)$/,
    );
    assertEquals(await Array.fromAsync(Deno.readDir(dir)), []);
    const usage = await runTask("serve", ["--ckpt", dir, "--port", "http"]);
    assertEquals(usage.code, 2);
    assertMatch(usage.stderr, /^error: Cannot parse flags: --port needs an integer/);
    const help = await runTask("serve", ["--help"]);
    assertEquals(help.code, 0);
    assertMatch(help.stdout, /^Usage: deno task serve --ckpt DIR/);
  });
});
