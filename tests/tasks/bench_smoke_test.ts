import { assert, assertEquals } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { ROOT, taskArgs } from "./_run_task.ts";

/** The result rows each bench must report (the names the issues' fixes are judged by). */
const EXPECTED: Record<string, readonly string[]> = {
  pod5: ["vbz_decode_z1", "zstd_only_z1"],
  data: ["dataset_workers_0", "dataset_workers_1", "dataset_workers_2"],
  train: ["g_step_b16", "gd_step_b16", "g_step_b4", "g_step_b16_q4", "encode_b16", "matmul"],
  codec: [
    "model_encode_only",
    "encode_workers_1",
    "encode_workers_2",
    "decode_workers_1",
    "decode_workers_2",
    "bits_z1",
  ],
};

for (const [name, rows] of Object.entries(EXPECTED)) {
  Deno.test(`deno task bench ${name} --tiny writes JSON naming ${rows.join(", ")} into bench/results/ only`, async () => {
    await withTempDir(async (dir) => {
      // The task's own `deno run` line and permissions, from a scratch folder so results land there.
      await Deno.mkdir(`${dir}/bench/results`, { recursive: true });
      const [run, ...rest] = await taskArgs("bench");
      const args = rest.map((a) => (a === "main.ts" ? `${ROOT}main.ts` : a));
      const out = await new Deno.Command(Deno.execPath(), {
        args: [run!, "--no-prompt", `--config=${ROOT}deno.json`, ...args, name, "--tiny"],
        cwd: dir,
        env: { NO_COLOR: "1" },
        stdin: "null",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assertEquals(out.code, 0, stderr);
      const printed = JSON.parse(new TextDecoder().decode(out.stdout));
      assertEquals(printed.bench, name);
      assertEquals(printed.tiny, true);
      const names = (printed.results as { name: string }[]).map((r) => r.name);
      for (const row of rows) assert(names.includes(row), `bench ${name} has no "${row}" row: ${names.join(", ")}`);
      for (const r of printed.results as Record<string, unknown>[]) {
        for (const [key, value] of Object.entries(r)) {
          if (typeof value === "number") assert(Number.isFinite(value), `${name} ${r["name"]}.${key} is ${value}`);
        }
      }
      const written = [...Deno.readDirSync(`${dir}/bench/results`)].map((e) => e.name);
      assertEquals(written.length, 1, `bench/results holds ${written.join(", ")}`);
      assert(written[0]!.startsWith(`${name}-`) && written[0]!.endsWith(".json"), written[0]);
      assertEquals(JSON.parse(await Deno.readTextFile(`${dir}/bench/results/${written[0]}`)), printed);
      assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["bench"]);
    });
  });
}
