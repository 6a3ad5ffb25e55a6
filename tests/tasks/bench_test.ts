import { assertEquals } from "../_assert.ts";
import { runTask } from "./_run_task.ts";

Deno.test("bench: --workers takes positive integers, for the train bench only, and bad ones exit 2", async () => {
  const zero = await runTask("bench", ["train", "--workers", "2,0"]);
  assertEquals([zero.code, zero.stderr], [2, 'error: Cannot run bench: --workers needs positive integers, got "2,0"']);
  const other = await runTask("bench", ["pod5", "--workers", "2"]);
  assertEquals([other.code, other.stderr], [2, "error: Cannot run bench: --workers applies to the train bench only"]);
});

Deno.test("bench: --soak takes a positive number of seconds, for the serve bench only, and bad ones exit 2", async () => {
  const zero = await runTask("bench", ["serve", "--soak", "0"]);
  assertEquals([zero.code, zero.stderr], [
    2,
    'error: Cannot run bench: --soak needs a positive number of seconds, got "0"',
  ]);
  const other = await runTask("bench", ["pod5", "--soak", "60"]);
  assertEquals([other.code, other.stderr], [2, "error: Cannot run bench: --soak applies to the serve bench only"]);
});
