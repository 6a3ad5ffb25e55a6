/**
 * Choosing and initialising the TensorFlow.js compute backend.
 *
 * tfjs keeps one engine per process, so initialising a backend changes what
 * every later tensor op runs on; the returned {@linkcode ComputeBackend} is
 * the handle callers pass on (to build models, to log which backend runs).
 * Nothing here prints: the attempts and reasons come back for the caller to
 * log.
 *
 * @module
 */
import { dirname, fromFileUrl } from "@std/path";
import * as tf from "@tensorflow/tfjs-core";
import { join } from "@std/path";
import { BACKEND_NAMES, type BackendName } from "./config_schema.ts";
import type { ConcreteBackendName } from "./config_types.ts";
import { BackendError, BackendSetupError } from "./errors.ts";
import {
  inspectNativePackage,
  locateNativePackage,
  NATIVE_INSTALL_COMMAND,
  NATIVE_PACKAGES,
  type NativeInstall,
} from "./native_tensorflow.ts";

export type { ConcreteBackendName } from "./config_types.ts";

/** One backend that {@linkcode initBackend} tried. */
export interface BackendAttempt {
  /** The backend tried. */
  readonly backend: ConcreteBackendName;
  /** Whether it initialised and became the active backend. */
  readonly ok: boolean;
  /** Why it was chosen, or why it could not be used. */
  readonly reason: string;
}

/** The initialised backend: which one, on what, and why. */
export interface ComputeBackend {
  /** The active tfjs backend. */
  readonly name: ConcreteBackendName;
  /** The device in words, e.g. `wasm (XNNPACK, SIMD, 1 thread)`. */
  readonly device: string;
  /** Every backend tried, in order; the last one is the chosen one. */
  readonly attempts: readonly BackendAttempt[];
}

/** Options of {@linkcode initBackend}. */
export interface InitBackendOptions {
  /**
   * Let `auto` use a software WebGPU adapter (e.g. llvmpipe), which is slower
   * than wasm on a CPU. An explicit `webgpu` request always accepts it.
   * Default false.
   */
  readonly allowSoftwareWebgpu?: boolean;
}

/**
 * Initialise a tfjs backend. `auto` tries tensorflow, webgpu, wasm and cpu in
 * that order and keeps the first that initialises; a named backend that fails
 * throws. Also registers tfjs's op gradients (tfjs-core alone has none) and
 * turns on production mode (no debug checks, no console warnings from tfjs).
 *
 * Requirements: `tensorflow` needs tfjs-node-gpu (or tfjs-node) with its
 * native binding installed into `node_modules`
 * ({@linkcode NATIVE_INSTALL_COMMAND}), npm packages resolved from there
 * (`--node-modules-dir=auto`), `--allow-env` and `--allow-ffi` (see
 * `native_tensorflow.ts`); `wasm` needs `--allow-read` (it
 * reads its `.wasm` binary from the npm cache; without it tfjs would silently
 * fall back to cpu, which this function reports instead); `webgpu` needs an
 * adapter from Deno's `navigator.gpu`.
 *
 * @example Use the cpu backend
 * ```ts
 * import { initBackend } from "./backend.ts";
 * const backend = await initBackend("cpu");
 * if (backend.name !== "cpu") throw new Error("unexpected backend");
 * ```
 *
 * @param requested A backend name or `auto`.
 * @param options See {@linkcode InitBackendOptions}.
 * @returns The active backend and the list of attempts.
 * @throws {BackendSetupError} When `tensorflow` is named but not installed or
 *   not loadable with this process's flags (the message says what to run).
 * @throws {BackendError} When the named backend (or, for `auto`, every backend) fails.
 */
export async function initBackend(
  requested: BackendName,
  options: InitBackendOptions = {},
): Promise<ComputeBackend> {
  // tfjs-core registers no gradients; the union package registers all of them
  // (into the engine shared through globalThis) when it is first imported.
  await import("@tensorflow/tfjs");
  tf.enableProdMode();
  const order: readonly ConcreteBackendName[] = requested === "auto" ? BACKEND_NAMES : [requested];
  const attempts: BackendAttempt[] = [];
  for (const name of order) {
    const allowSoftware = requested !== "auto" || options.allowSoftwareWebgpu === true;
    let device: string;
    try {
      device = await tryBackend(name, allowSoftware);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      attempts.push({ backend: name, ok: false, reason });
      if (requested !== "auto") {
        const ErrorClass = error instanceof BackendSetupError ? BackendSetupError : BackendError;
        throw new ErrorClass(name, `Cannot initialise backend ${name}: ${reason}`, { cause: error });
      }
      continue;
    }
    attempts.push({
      backend: name,
      ok: true,
      reason: requested === "auto" ? `first that initialised: ${device}` : device,
    });
    return { name, device, attempts };
  }
  const summary = attempts.map((a) => `${a.backend}: ${a.reason}`).join("; ");
  throw new BackendError("auto", `Cannot initialise any backend: ${summary}`);
}

/**
 * Format the attempts of {@linkcode initBackend} as one line for a log.
 *
 * @param backend The initialised backend.
 * @returns e.g. `backend wasm (XNNPACK, SIMD, 1 thread); skipped tensorflow: needs --allow-ffi ...`.
 */
export function describeBackend(backend: ComputeBackend): string {
  const failed = backend.attempts.filter((a) => !a.ok).map((a) => `${a.backend}: ${a.reason}`);
  return `backend ${backend.device}` + (failed.length > 0 ? `; skipped ${failed.join("; ")}` : "");
}

async function tryBackend(name: ConcreteBackendName, allowSoftwareWebgpu: boolean): Promise<string> {
  switch (name) {
    case "tensorflow":
      return await tryTensorflow();
    case "webgpu":
      return await tryWebgpu(allowSoftwareWebgpu);
    case "wasm":
      return await tryWasm();
    case "cpu":
      await import("@tensorflow/tfjs-backend-cpu");
      await activate("cpu");
      return "cpu (plain JavaScript kernels)";
  }
}

async function activate(name: ConcreteBackendName): Promise<void> {
  // tfjs swallows the error of a backend factory that throws (and in
  // production mode does not even warn): wrap a not yet initialised factory to
  // keep the error for the message.
  let failure: unknown;
  const factory = tf.findBackendFactory(name);
  if (factory !== null && tf.engine().registry[name] === undefined) {
    tf.removeBackend(name);
    tf.registerBackend(name, async () => {
      try {
        return await factory();
      } catch (error) {
        failure = error;
        throw error;
      }
    });
  }
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) {
    const why = failure === undefined ? "" : `: ${firstLine(failure)}`;
    throw new Error(`tfjs could not initialise it (active backend is ${tf.getBackend() ?? "none"})${why}`);
  }
}

async function tryTensorflow(): Promise<string> {
  const installed: NativeInstall[] = [];
  for (const name of NATIVE_PACKAGES) {
    const install = await locateNativePackage(name);
    if (install !== undefined && install.missing === undefined) installed.push(install);
  }
  if (installed.length === 0) throw await notInstalledError();
  const failures: string[] = [];
  for (const install of installed) {
    const label = install.name.replace("@tensorflow/", "");
    if (Deno.permissions.querySync({ name: "env" }).state !== "granted") {
      throw new BackendSetupError(
        "tensorflow",
        `needs --allow-env to load ${label}: node-pre-gyp, which finds its binding, reads every environment variable`,
      );
    }
    if (Deno.permissions.querySync({ name: "ffi", path: install.bindingPath }).state !== "granted") {
      throw new BackendSetupError("tensorflow", `needs --allow-ffi to load ${install.bindingPath}`);
    }
    try {
      // A computed specifier keeps the package out of the static module graph
      // (and out of type checking); its JS side is locked in deno.lock.
      const specifier: string = install.name;
      await import(specifier);
    } catch (error) {
      failures.push(`${label}: ${firstLine(error)}`);
      continue;
    }
    if (tf.findBackendFactory("tensorflow") === null) {
      failures.push(`${label}: loaded but registered no backend with this tfjs-core`);
      continue;
    }
    await activate("tensorflow");
    const gpu = (tf.backend() as { isUsingGpuDevice?: unknown }).isUsingGpuDevice === true;
    return `tensorflow (${label}, ${gpu ? "GPU" : "no GPU visible, running on the CPU"})`;
  }
  throw new Error(`no native binding loaded (${failures.join("; ")})`);
}

/** Why no native package is usable, and the command that fixes it. */
async function notInstalledError(): Promise<BackendSetupError> {
  const [name] = NATIVE_PACKAGES;
  const resolved = await locateNativePackage(name);
  // Where the install command puts it: ./node_modules (deno task runs in the project root).
  let local: NativeInstall | undefined;
  try {
    local = await inspectNativePackage(name, join(Deno.cwd(), "node_modules", name));
  } catch {
    local = undefined;
  }
  if (resolved?.inNodeModules !== true && local !== undefined && local.missing === undefined) {
    return new BackendSetupError(
      "tensorflow",
      "tfjs-node-gpu is installed in node_modules but this process resolves npm packages from Deno's global " +
        "cache: run it with --node-modules-dir=auto, as the :gpu tasks do",
    );
  }
  const missing = (resolved?.inNodeModules === true ? resolved.missing : local?.missing ?? resolved?.missing) ??
    "package.json";
  return new BackendSetupError(
    "tensorflow",
    `tfjs-node-gpu is not installed (no node_modules/${name}/${missing}); install it with: ${NATIVE_INSTALL_COMMAND}`,
  );
}

/** The part of Deno's WebGPU adapter that is read here. */
interface AdapterLike {
  readonly info?: { readonly description?: string; readonly isFallbackAdapter?: boolean };
  readonly isFallbackAdapter?: boolean;
}

async function tryWebgpu(allowSoftware: boolean): Promise<string> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<AdapterLike | null> } }).gpu;
  if (gpu === undefined) throw new Error("navigator.gpu is not available in this runtime");
  const adapter = await gpu.requestAdapter();
  if (adapter === null) throw new Error("no WebGPU adapter found");
  const description = adapter.info?.description ?? "unknown adapter";
  const software = adapter.info?.isFallbackAdapter === true || adapter.isFallbackAdapter === true;
  if (software && !allowSoftware) {
    throw new Error(`only a software adapter (${description}), slower than wasm on this CPU`);
  }
  await import("@tensorflow/tfjs-backend-webgpu");
  await activate("webgpu");
  return `webgpu (${description}${software ? ", software" : ""})`;
}

/**
 * The folder holding the wasm backend's `.wasm` binaries (in Deno's npm
 * cache), which it reads when it initialises: a process with scoped read
 * permissions needs read access to it for the `wasm` backend.
 *
 * @example
 * ```ts
 * import { wasmBinaryDir } from "./backend.ts";
 * if (!wasmBinaryDir().includes("tfjs-backend-wasm")) throw new Error("unexpected folder");
 * ```
 *
 * @returns An absolute path.
 */
export function wasmBinaryDir(): string {
  return dirname(fromFileUrl(import.meta.resolve("@tensorflow/tfjs-backend-wasm")));
}

async function tryWasm(): Promise<string> {
  const dir = wasmBinaryDir();
  if (Deno.permissions.querySync({ name: "read", path: dir }).state !== "granted") {
    throw new Error(`needs read access to ${dir} (--allow-read) to load its .wasm binary from the npm cache`);
  }
  await import("@tensorflow/tfjs-backend-wasm");
  await activate("wasm");
  const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
  return `wasm (XNNPACK, ${simd ? "SIMD" : "no SIMD"}, 1 thread)`;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0] ?? text;
}
