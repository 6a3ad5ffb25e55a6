import { assertEquals } from "../_assert.ts";
import { type FileSummary, planFile, sampleRateToleranceHz, windowRange } from "../../lib/data/_file_plan.ts";
import type { DatasetWarning } from "../../lib/data/mod.ts";

const read = (readId: string, numSamples: number, sampleRateHz = 5_000, calibrationUsable = true) => ({
  readId,
  numSamples,
  sampleRateHz,
  calibrationUsable,
});

function plan(summary: FileSummary, keep?: (readId: string) => boolean) {
  const warnings: DatasetWarning[] = [];
  const result = planFile(summary, 3, {
    windowSamples: 10_000,
    sampleRateHz: 5_000,
    readFilter: keep === undefined ? undefined : (info) => keep(info.readId),
    warn: (w) => warnings.push(w),
  });
  return { result, warnings: warnings.map((w) => w.message) };
}

Deno.test("planFile() keeps reads with whole windows and skips short, off-rate and uncalibrated ones", () => {
  const summary: FileSummary = {
    path: "a.pod5",
    ok: true,
    reads: [
      read("r0", 25_000),
      read("r1", 9_999),
      read("r2", 40_000, 4_000),
      read("r3", 30_000, 5_004),
      read("r4", 30_000, 5_000, false),
      read("r5", 10_000),
    ],
  };
  const { result, warnings } = plan(summary);
  assertEquals(result, {
    fileIndex: 3,
    path: "a.pod5",
    reads: [
      { readIndex: 0, readId: "r0", firstWindow: 0, numWindows: 2 },
      { readIndex: 3, readId: "r3", firstWindow: 0, numWindows: 3 },
      { readIndex: 5, readId: "r5", firstWindow: 0, numWindows: 1 },
    ],
  });
  assertEquals(warnings, [
    "skipped 1 of 6 reads: sample rate 4000 Hz differs from the configured 5000 Hz (tolerance 5 Hz)",
    "skipped 1 of 6 reads: calibration scale missing, zero or not finite",
  ]);
});

Deno.test("planFile() applies the read filter first and warns about an unreadable file", () => {
  const summary: FileSummary = { path: "a.pod5", ok: true, reads: [read("r0", 20_000), read("r1", 20_000, 4_000)] };
  const filtered = plan(summary, (id) => id === "r0");
  assertEquals(filtered.result?.reads.map((r) => r.readId), ["r0"]);
  assertEquals(filtered.warnings, []);
  const broken = plan({ path: "b.pod5", ok: false, reason: "Not a valid POD5 file: bad signature" });
  assertEquals(broken.result, undefined);
  assertEquals(broken.warnings, ["skipped file: Not a valid POD5 file: bad signature"]);
});

Deno.test("sampleRateToleranceHz() is max(1 Hz, 0.1 %)", () => {
  assertEquals(sampleRateToleranceHz(5_000), 5);
  assertEquals(sampleRateToleranceHz(400), 1);
});

Deno.test("windowRange() keeps the head or the ceil(fraction) tail of a read's windows", () => {
  const train = { fraction: 0.1, part: "train" } as const;
  const heldout = { fraction: 0.1, part: "heldout" } as const;
  assertEquals(windowRange(221, undefined), { firstWindow: 0, numWindows: 221 });
  assertEquals(windowRange(221, train), { firstWindow: 0, numWindows: 198 });
  assertEquals(windowRange(221, heldout), { firstWindow: 198, numWindows: 23 });
  assertEquals(windowRange(10, heldout), { firstWindow: 9, numWindows: 1 });
  assertEquals(windowRange(2, heldout), { firstWindow: 1, numWindows: 1 });
  assertEquals(windowRange(1, train), { firstWindow: 0, numWindows: 1 }, "a one-window read only trains");
  assertEquals(windowRange(1, heldout), { firstWindow: 1, numWindows: 0 });
});
