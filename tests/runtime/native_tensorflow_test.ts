import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { inspectNativePackage, locateNativePackage } from "../../lib/runtime/native_tensorflow.ts";

const GPU = "@tensorflow/tfjs-node-gpu";

/** tfjs-node-gpu's own package.json, from the locked npm package. */
async function realPackageJson(): Promise<string> {
  const entry = new URL(import.meta.resolve(GPU));
  return await Deno.readTextFile(new URL("../package.json", entry));
}

/** A package folder holding the real package.json and nothing else yet. */
async function packageDir(dir: string): Promise<string> {
  const pkg = `${dir}/node_modules/${GPU}`;
  await Deno.mkdir(pkg, { recursive: true });
  await Deno.writeTextFile(`${pkg}/package.json`, await realPackageJson());
  return pkg;
}

Deno.test("inspectNativePackage() expects the binding where node-pre-gyp puts it under Deno: lib/napi-v8", async () => {
  await withTempDir(async (dir) => {
    const pkg = await packageDir(dir);
    const install = await inspectNativePackage(GPU, pkg);
    // tfjs-node-gpu 4.22 builds Node-API 3..8; Deno reports Node-API 10, so
    // node-pre-gyp picks 8 (the path in tfjs issues #8579 and #8581).
    assertEquals(install.missing, "lib/napi-v8/tfjs_binding.node");
    assertEquals(install.bindingPath, `${pkg}/lib/napi-v8/tfjs_binding.node`);
    assertEquals(install.inNodeModules, true);
  });
});

Deno.test("inspectNativePackage() wants libtensorflow next to the binding, following links", async () => {
  await withTempDir(async (dir) => {
    const pkg = await packageDir(dir);
    await Deno.mkdir(`${pkg}/lib/napi-v8`, { recursive: true });
    await Deno.writeTextFile(`${pkg}/lib/napi-v8/tfjs_binding.node`, "stand-in");
    assertEquals((await inspectNativePackage(GPU, pkg)).missing, "deps/lib/libtensorflow.so*");
    await Deno.mkdir(`${pkg}/deps/lib`, { recursive: true });
    await Deno.symlink("libtensorflow.so.2", `${pkg}/deps/lib/libtensorflow.so`);
    await Deno.writeTextFile(`${pkg}/deps/lib/libtensorflow_framework.so.2`, "not libtensorflow itself");
    assertEquals((await inspectNativePackage(GPU, pkg)).missing, "deps/lib/libtensorflow.so*", "a dangling link");
    await Deno.writeTextFile(`${pkg}/deps/lib/libtensorflow.so.2`, "stand-in");
    assertEquals((await inspectNativePackage(GPU, pkg)).missing, undefined);
  });
});

Deno.test("inspectNativePackage() rejects a package.json without node-pre-gyp's binary section", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/package.json`, JSON.stringify({ name: GPU }));
    await assertRejects(() => inspectNativePackage(GPU, dir), TypeError, "has no binary section");
    await assertRejects(() => inspectNativePackage(GPU, `${dir}/absent`), Deno.errors.NotFound);
  });
});

Deno.test("locateNativePackage() finds the locked package where this process resolves it", async () => {
  const install = await locateNativePackage(GPU);
  assert(install !== undefined, "tfjs-node-gpu's JS side is locked in deno.lock and cached by deno install");
  assert(install.packageDir.replaceAll("\\", "/").includes(GPU.replace("@", "")), install.packageDir);
  // The test process uses Deno's global npm cache, where install scripts never run.
  assertEquals(install.inNodeModules, false);
  assertEquals(install.missing, "lib/napi-v8/tfjs_binding.node");
});

Deno.test("the locked tfjs-node-gpu and tfjs-node use the very @tensorflow/tfjs this project imports", async () => {
  // Otherwise the native backend would register into a second copy of tfjs.
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  const ours = String(config.imports["@tensorflow/tfjs"]).replace("npm:@tensorflow/tfjs@", "");
  for (const name of [GPU, "@tensorflow/tfjs-node"]) {
    const entry = new URL(import.meta.resolve(name));
    const pkg = JSON.parse(await Deno.readTextFile(new URL("../package.json", entry)));
    assertEquals(pkg.dependencies["@tensorflow/tfjs"], ours, name);
  }
});
