/**
 * Finding the packages behind the `tensorflow` backend, tfjs-node-gpu and
 * tfjs-node, and whether their native part is installed.
 *
 * Their JavaScript side is locked in `deno.lock` like every other dependency
 * (so loading them never changes the lockfile). Their native part, the
 * `tfjs_binding.node` addon and libtensorflow, is put in place by the
 * package's install script, which Deno runs only into a local `node_modules`
 * folder and only when told to: {@linkcode NATIVE_INSTALL_COMMAND}. A process
 * can load it only when it resolves npm packages from that folder
 * (`--node-modules-dir=auto`), may read every environment variable
 * (`--allow-env`: node-pre-gyp, which finds the addon, lists them all) and may
 * load the addon (`--allow-ffi`).
 *
 * @module
 */
import process from "node:process";
import { join } from "@std/path";

/** The npm packages that provide the `tensorflow` backend, in the order tried. */
export const NATIVE_PACKAGES = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"] as const;

/** One of {@linkcode NATIVE_PACKAGES}. */
export type NativePackageName = (typeof NATIVE_PACKAGES)[number];

/**
 * The command that installs tfjs-node-gpu's native part into this checkout's
 * `node_modules` (libtensorflow 2.9.1 for CUDA 11 and the prebuilt addon,
 * several hundred MB from storage.googleapis.com), without changing
 * `deno.lock`.
 */
export const NATIVE_INSTALL_COMMAND =
  "deno install --frozen --node-modules-dir=auto --allow-scripts=npm:@tensorflow/tfjs-node-gpu";

/** Where a native package is, and what of it is missing. */
export interface NativeInstall {
  /** The package. */
  readonly name: NativePackageName;
  /** Its folder, as this process resolves it. */
  readonly packageDir: string;
  /** The addon that node-pre-gyp will load: `lib/napi-v<N>/tfjs_binding.node`. */
  readonly bindingPath: string;
  /** The folder of libtensorflow, which the addon links against: `deps/lib`. */
  readonly libDir: string;
  /** Whether `packageDir` is inside a `node_modules` folder (not Deno's global cache). */
  readonly inNodeModules: boolean;
  /** The first missing file, relative to `packageDir`; undefined when installed. */
  readonly missing: string | undefined;
}

/** The part of tfjs-node's package.json that says where node-pre-gyp puts the addon. */
interface BinaryConfig {
  readonly module_name: string;
  readonly module_path: string;
  readonly napi_versions: readonly number[];
}

/**
 * Inspect a tfjs-node(-gpu) package folder the way node-pre-gyp finds its
 * addon: `binary.module_path` with the highest `binary.napi_versions` entry
 * the runtime supports (Deno reports Node-API 10, so `lib/napi-v8`).
 *
 * @example
 * ```ts
 * import { inspectNativePackage } from "./native_tensorflow.ts";
 * const dir = await Deno.makeTempDir();
 * const binary = { module_name: "tfjs_binding", module_path: "./lib/napi-v{napi_build_version}", napi_versions: [6, 8] };
 * await Deno.writeTextFile(`${dir}/package.json`, JSON.stringify({ binary }));
 * const install = await inspectNativePackage("@tensorflow/tfjs-node-gpu", dir);
 * if (install.missing !== "lib/napi-v8/tfjs_binding.node") throw new Error("unexpected");
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param name The package.
 * @param packageDir Its folder (holding package.json).
 * @returns Its paths and the first missing file.
 * @throws {Deno.errors.NotFound} When `packageDir` has no package.json.
 * @throws {TypeError} When package.json has no usable `binary` section.
 */
export async function inspectNativePackage(name: NativePackageName, packageDir: string): Promise<NativeInstall> {
  const binary = binaryConfig(JSON.parse(await Deno.readTextFile(join(packageDir, "package.json"))), name);
  const napi = bestNapiVersion(binary.napi_versions, Number(process.versions.napi));
  const moduleDir = binary.module_path.replace("{napi_build_version}", String(napi));
  const bindingRelative = join(moduleDir, `${binary.module_name}.node`);
  const bindingPath = join(packageDir, bindingRelative);
  const libDir = join(packageDir, "deps", "lib");
  let missing: string | undefined;
  if (!(await isFile(bindingPath))) missing = bindingRelative;
  else if (!(await hasLibtensorflow(libDir))) missing = join("deps", "lib", "libtensorflow.so*");
  return {
    name,
    packageDir,
    bindingPath,
    libDir,
    inNodeModules: packageDir.split(/[\\/]/).includes("node_modules"),
    missing,
  };
}

/**
 * The folder a native package resolves to in this process (through the
 * import map and `deno.lock`: Deno's npm cache, or `node_modules` with
 * `--node-modules-dir=auto`), without reading it.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { nativePackageDir } from "./native_tensorflow.ts";
 * const dir = nativePackageDir("@tensorflow/tfjs-node-gpu");
 * assertEquals(dir?.endsWith("/@tensorflow/tfjs-node-gpu/4.22.0"), true);
 * ```
 *
 * @param name The package.
 * @returns Its folder, or undefined when it does not resolve to a local folder.
 */
export function nativePackageDir(name: NativePackageName): string | undefined {
  let entry: URL;
  try {
    // A computed specifier: the package stays out of the static module graph.
    const specifier: string = name;
    entry = new URL(import.meta.resolve(specifier));
  } catch {
    return undefined;
  }
  if (entry.protocol !== "file:") return undefined;
  // The entry is <package>/dist/index.js.
  return decodeURIComponent(new URL("..", new URL(".", entry)).pathname).replace(/\/$/, "");
}

/**
 * Find a native package where this process resolves it (through the import
 * map and `deno.lock`) and inspect it.
 *
 * @param name The package.
 * @returns Its paths and the first missing file, or undefined when this
 *   process cannot resolve the package to a local folder.
 */
export async function locateNativePackage(name: NativePackageName): Promise<NativeInstall | undefined> {
  const packageDir = nativePackageDir(name);
  if (packageDir === undefined) return undefined;
  try {
    return await inspectNativePackage(name, packageDir);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

function binaryConfig(json: unknown, name: string): BinaryConfig {
  const binary = (json as { binary?: Partial<BinaryConfig> } | null)?.binary;
  if (
    typeof binary?.module_name !== "string" || typeof binary.module_path !== "string" ||
    !Array.isArray(binary.napi_versions) || !binary.napi_versions.every(Number.isInteger)
  ) {
    throw new TypeError(`Cannot locate ${name}'s native binding: its package.json has no binary section`);
  }
  return binary as BinaryConfig;
}

function bestNapiVersion(versions: readonly number[], runtime: number): number {
  const usable = versions.filter((v) => v <= runtime);
  return usable.length > 0 ? Math.max(...usable) : Math.max(...versions);
}

/** Whether `dir` holds libtensorflow.so or a versioned libtensorflow.so.N file (links followed). */
async function hasLibtensorflow(dir: string): Promise<boolean> {
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (/^libtensorflow\.so(\.\d+)*$/.test(entry.name) && (await isFile(join(dir, entry.name)))) return true;
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
  return false;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
