// train:gpu as a user runs it, in a copy of the project (so that the
// node_modules folder it sets up and the lockfile it might touch are the
// copy's, not this checkout's).
import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { ROOT } from "./_run_task.ts";

/** What train:gpu prints without tfjs-node-gpu's binding: the one line, written out here. */
const NOT_INSTALLED = "error: Cannot initialise backend tensorflow: tfjs-node-gpu is not installed " +
  "(no node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v8/tfjs_binding.node); install it with: " +
  "deno install --frozen --node-modules-dir=auto --allow-scripts=npm:@tensorflow/tfjs-node-gpu";

/** What a task needs to run: everything but tests, benches and docs. */
const PROJECT_FILES = ["deno.json", "deno.lock", "main.ts", "mod.ts", "lib", "tasks", "configs"];

async function copyProject(dir: string): Promise<void> {
  for (const name of PROJECT_FILES) {
    const output = await new Deno.Command("cp", { args: ["-R", `${ROOT}${name}`, `${dir}/${name}`] }).output();
    assert(output.success, new TextDecoder().decode(output.stderr));
  }
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderrLines: string[];
}

async function deno(cwd: string, args: string[]): Promise<Run> {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderrLines: decoder.decode(output.stderr).split("\n").filter((line) => line.trim() !== ""),
  };
}

function errorLines(run: Run): string[] {
  return run.stderrLines.filter((line) => line.startsWith("error:"));
}

/** A shared library Deno links against (from ldd), to stand in for a binding that is not a Node-API module. */
async function systemSharedLibrary(): Promise<string> {
  const output = await new Deno.Command("ldd", { args: [Deno.execPath()] }).output();
  const text = new TextDecoder().decode(output.stdout);
  const path = text.match(/=>\s*(\/\S+\/lib[^/\s]*\.so(?:\.\d+)*)\s/)?.[1];
  if (path === undefined) throw new Error(`no shared library in ldd's output: ${text}`);
  return path;
}

Deno.test("train:gpu without tfjs-node-gpu's binding: one line with the install command, exit 2, deno.lock unchanged", async () => {
  await withTempDir(async (dir) => {
    await copyProject(dir);
    const lockBefore = await Deno.readFile(`${dir}/deno.lock`);
    const gpu = await deno(dir, ["task", "-q", "train:gpu"]);
    assertEquals(gpu.code, 2, gpu.stderrLines.join("\n"));
    assertEquals(errorLines(gpu), [NOT_INSTALLED]);
    assertEquals(gpu.stderrLines.at(-1), NOT_INSTALLED);
    assertEquals(gpu.stdout, "");
    assertEquals(await Deno.readFile(`${dir}/deno.lock`), lockBefore, "train:gpu changed deno.lock");

    // The plain task (Deno's global npm cache, no FFI) says the same.
    const plain = await deno(dir, ["task", "-q", "train", "--backend", "tensorflow"]);
    assertEquals(plain.code, 2, plain.stderrLines.join("\n"));
    assertEquals(plain.stderrLines, [NOT_INSTALLED]);
    assertEquals(await Deno.readFile(`${dir}/deno.lock`), lockBefore, "train changed deno.lock");
  });
});

Deno.test({
  name: "train:gpu has the permissions to load what the install command puts in node_modules",
  ignore: Deno.build.os !== "linux", // tfjs-node-gpu ships Linux x86_64 binaries only
  fn: async () => {
    await withTempDir(async (dir) => {
      await copyProject(dir);
      const lockBefore = await Deno.readFile(`${dir}/deno.lock`);
      // The install command without --allow-scripts (its script downloads
      // libtensorflow), then stand-ins where the script puts its files.
      const install = await deno(dir, ["install", "--frozen", "--node-modules-dir=auto"]);
      assertEquals(install.code, 0, install.stderrLines.join("\n"));
      const pkg = `${dir}/node_modules/@tensorflow/tfjs-node-gpu`;
      await Deno.mkdir(`${pkg}/lib/napi-v8`, { recursive: true });
      await Deno.mkdir(`${pkg}/deps/lib`, { recursive: true });
      await Deno.copyFile(await systemSharedLibrary(), `${pkg}/lib/napi-v8/tfjs_binding.node`);
      await Deno.writeTextFile(`${pkg}/deps/lib/libtensorflow.so.2`, "stand-in");

      const gpu = await deno(dir, ["task", "-q", "train:gpu"]);
      // Every permission check passed: node-pre-gyp listed the environment,
      // found the binding and Deno opened it; only its Node-API registration
      // failed, because it is not a Node-API module.
      assertEquals(gpu.code, 1, gpu.stderrLines.join("\n"));
      const [line, ...rest] = errorLines(gpu);
      assertEquals(rest, []);
      assertStringIncludes(
        line ?? "",
        "error: Cannot initialise backend tensorflow: no native binding loaded (tfjs-node-gpu: ",
      );
      assertStringIncludes(line ?? "", "lib/napi-v8/tfjs_binding.node");
      for (const permission of ["NotCapable", "Requires", "--allow-"]) {
        assert(!(line ?? "").includes(permission), `a permission failure: ${line}`);
      }
      assertEquals(await Deno.readFile(`${dir}/deno.lock`), lockBefore, "train:gpu changed deno.lock");

      // The plain task does not use node_modules and says how to run it.
      const plain = await deno(dir, ["task", "-q", "train", "--backend", "tensorflow"]);
      assertEquals(plain.code, 2);
      assertEquals(plain.stderrLines, [
        "error: Cannot initialise backend tensorflow: tfjs-node-gpu is installed in node_modules but this process " +
        "resolves npm packages from Deno's global cache: run it with --node-modules-dir=auto, as the :gpu tasks do",
      ]);
    });
  },
});
