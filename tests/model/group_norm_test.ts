import { assertEquals, assertThrows } from "../_assert.ts";
import { groupCount } from "../../lib/model/group_norm.ts";

Deno.test("groupCount() picks the largest divisor of the channels that is at most 32", () => {
  assertEquals([32, 64, 128, 256, 48, 40, 6, 7, 1, 33].map(groupCount), [32, 32, 32, 32, 24, 20, 6, 7, 1, 11]);
  assertThrows(() => groupCount(0), RangeError, "Cannot group channels: 0 is not a positive integer");
});
