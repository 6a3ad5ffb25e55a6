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
import { BACKEND_NAMES, type BackendName } from "./config_schema.ts";
import type { ConcreteBackendName } from "./config_types.ts";
import { BackendError } from "./errors.ts";

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

/** Packages providing the native `tensorflow` backend, in the order tried. */
const TENSORFLOW_PACKAGES = ["npm:@tensorflow/tfjs-node-gpu@4.22.0", "npm:@tensorflow/tfjs-node@4.22.0"] as const;

/**
 * Initialise a tfjs backend. `auto` tries tensorflow, webgpu, wasm and cpu in
 * that order and keeps the first that initialises; a named backend that fails
 * throws. Also registers tfjs's op gradients (tfjs-core alone has none) and
 * turns on production mode (no debug checks, no console warnings from tfjs).
 *
 * Requirements: `tensorflow` needs `--allow-ffi` and an installed
 * tfjs-node(-gpu) whose native binding loads; `wasm` needs `--allow-read` (it
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
        throw new BackendError(name, `Cannot initialise backend ${name}: ${reason}`, { cause: error });
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
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) {
    throw new Error(`tfjs could not initialise it (active backend is ${tf.getBackend() ?? "none"})`);
  }
}

async function tryTensorflow(): Promise<string> {
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    throw new Error("needs --allow-ffi to load the native TensorFlow binding");
  }
  const failures: string[] = [];
  for (const specifier of TENSORFLOW_PACKAGES) {
    try {
      // A computed specifier keeps the package out of the module graph: it is
      // loaded only where it is installed, never a dependency of the tests.
      const dynamicSpecifier: string = specifier;
      await import(dynamicSpecifier);
    } catch (error) {
      failures.push(`${specifier}: ${firstLine(error)}`);
      continue;
    }
    if (tf.findBackendFactory("tensorflow") === null) {
      failures.push(`${specifier}: loaded but registered no backend with this tfjs-core`);
      continue;
    }
    await activate("tensorflow");
    return `tensorflow (native binding from ${specifier})`;
  }
  throw new Error(`no native binding loaded (${failures.join("; ")})`);
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
