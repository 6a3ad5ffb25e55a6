/**
 * What a new user sees the first time, with an empty Deno cache: no Deno
 * warning about the GPU packages' build scripts inviting an edit of
 * deno.json, and no raw permission text where the tasks say that
 * tfjs-node-gpu is not installed.
 */
import { join } from "@std/path";
import { startServer } from "../../bench/_serve_load.ts";
import { makeTinyCheckpoint } from "../codec/_tiny_checkpoint.ts";
import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { ROOT } from "./_run_task.ts";

const decoder = new TextDecoder();
const NOT_INSTALLED = "skipped tensorflow: tfjs-node-gpu is not installed (no node_modules/@tensorflow/tfjs-node-gpu/";

Deno.test("the first tasks on a fresh Deno cache print no build-script box and no permission text", async () => {
  await withTempDir(async (dir) => {
    // An empty cache: the first task downloads every locked npm package.
    const env = { DENO_DIR: join(dir, "deno_dir") };
    // As a user types it: `deno task -q` would hide Deno's own warnings.
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["task", "summary"],
      cwd: ROOT,
      env: { NO_COLOR: "1", ...env },
      stdin: "null",
    }).output();
    const summary = { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
    assertEquals(summary.code, 0, summary.stderr);
    for (const noise of ["Ignored build scripts", "nodeModulesDir", "Lifecycle scripts"]) {
      assert(!summary.stderr.includes(noise), `the first task printed Deno's build-script warning:\n${summary.stderr}`);
    }
    assertStringIncludes(summary.stdout, NOT_INSTALLED);

    await makeTinyCheckpoint(join(dir, "run"));
    const server = await startServer(["--ckpt", join(dir, "run"), "--port", "0", "--workers", "0"], env);
    const code = await server.stop();
    assertEquals(code, 0, server.log.join("\n"));
    const listening = server.log.find((line) => line.includes("listening on")) ?? "";
    assertStringIncludes(listening, NOT_INSTALLED);
    for (const noise of ["Requires read access", "--allow-read", "NotCapable", "Ignored build scripts"]) {
      assert(
        !server.log.join("\n").includes(noise),
        `serve printed ${JSON.stringify(noise)}:\n${server.log.join("\n")}`,
      );
    }
  });
});
