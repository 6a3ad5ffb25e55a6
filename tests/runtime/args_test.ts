import { assertEquals, assertThrows } from "../_assert.ts";
import { parseFlags, UsageError } from "../../lib/runtime/args.ts";

Deno.test("parseFlags() separates positionals, value flags, booleans and lists", () => {
  const parsed = parseFlags(["in.pod5", "--first", "2", "--jsonl", "--tag", "a", "--tag", "b", "-o", "out"], {
    string: ["first", "output"],
    boolean: ["jsonl", "wandb"],
    collect: ["tag"],
    alias: { o: "output" },
  });
  assertEquals(parsed.positional, ["in.pod5"]);
  assertEquals(parsed.strings.get("first"), "2");
  assertEquals(parsed.strings.get("output"), "out");
  assertEquals(parsed.booleans.get("jsonl"), true);
  assertEquals(parsed.booleans.has("wandb"), false);
  assertEquals(parsed.lists.get("tag"), ["a", "b"]);
});

Deno.test("parseFlags() reads --no-NAME as false", () => {
  const parsed = parseFlags(["--no-wandb"], { boolean: ["wandb"] });
  assertEquals(parsed.booleans.get("wandb"), false);
});

Deno.test("parseFlags() rejecting unknown flags and missing values", () => {
  assertThrows(() => parseFlags(["--bogus"], { boolean: ["jsonl"] }), UsageError, 'unknown flag "--bogus"');
  assertThrows(() => parseFlags(["--first"], { string: ["first"] }), UsageError, '"--first" needs a value');
});
