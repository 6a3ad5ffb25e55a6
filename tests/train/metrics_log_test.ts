import { assertEquals } from "../_assert.ts";
import { formatLogLine, MetricsLog } from "../../lib/train/metrics_log.ts";

Deno.test("formatLogLine() writes the seed's train.log format", () => {
  assertEquals(
    formatLogLine({ epoch: 0, total_loss: 0.123456, step: 100, gan_loss: null, backend: "wasm", windows_per_s: 12 }),
    "step 100, epoch: 0, total_loss: 0.1235, backend: wasm, windows_per_s: 12",
  );
});

Deno.test("MetricsLog drops records after the resume step and keeps appending", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await MetricsLog.open(dir);
    for (const step of [10, 20, 30]) await first.write({ step, loss: step / 100 });
    await Deno.writeTextFile(first.metricsPath, '{"step": 40, "loss"', { append: true }); // a line cut by a crash
    const resumed = await MetricsLog.open(dir, { resumeStep: 20 });
    await resumed.write({ step: 30, loss: 0.25 });
    assertEquals(await resumed.records(), [{ step: 10, loss: 0.1 }, { step: 20, loss: 0.2 }, { step: 30, loss: 0.25 }]);
    const log = await Deno.readTextFile(resumed.trainLogPath);
    assertEquals(log.split("\n").filter((l) => l !== "").slice(-2), ["resumed from step 20", "step 30, loss: 0.2500"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
