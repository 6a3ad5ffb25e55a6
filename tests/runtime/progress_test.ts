import { assertEquals } from "../_assert.ts";
import { formatDuration, formatProgressBar } from "../../lib/runtime/progress.ts";

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
