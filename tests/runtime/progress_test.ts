import { assertEquals } from "../_assert.ts";
import { formatDuration, formatProgressBar, progressPrinter } from "../../lib/runtime/progress.ts";

Deno.test("formatDuration() writes hours, minutes and seconds", () => {
  assertEquals([formatDuration(42), formatDuration(187), formatDuration(3725), formatDuration(Infinity)], [
    "42s",
    "3m07s",
    "1h02m",
    "?",
  ]);
});

Deno.test("formatProgressBar() shows the fraction, the rate since the start and the ETA", () => {
  assertEquals(
    formatProgressBar({ done: 150, total: 250, startDone: 100, elapsedSec: 100, label: "epoch 6" }, 10),
    "[######----]  150/250 steps  epoch 6  0.50 steps/s  ETA 3m20s",
  );
});

Deno.test("progressPrinter() leaves the warm-up out of the rate and ETA, and says nothing until it can estimate", () => {
  const lines: string[] = [];
  const printer = progressPrinter((text) => lines.push(text), { terminal: false, everySec: 0 });
  const at = (elapsedMs: number, fraction: number, samples: number, reads: number) =>
    printer.report({ fileIndex: 0, files: 1, reads, samples, fraction, elapsedMs });
  // The first read took 3 s, mostly the model's loading: 1% of the work.
  at(3000, 0.01, 20_000, 1);
  at(3500, 0.1, 200_000, 2); // 0.5 s measured: too little to estimate
  at(6000, 0.4, 800_000, 3); // 3 s measured for 39% of the work and 780 k samples
  printer.done();
  assertEquals(lines, [
    "file 1/1  1 reads  0.02 M samples\n",
    "file 1/1  2 reads  0.20 M samples\n",
    "file 1/1  3 reads  0.80 M samples  260 k samples/s  ETA 5s\n",
  ]);
});
