/**
 * The README's commands in orders other than the README's own: a token file
 * must never outlive its decoder, whatever the user runs after encoding
 * (issue 24, item 1). Runs in a {@linkcode ReadmeWorld}, whose quickstart
 * keeps the last 2 checkpoints as the real one does, so the README's resume
 * prunes the checkpoint the tokens were made with.
 */
import { join } from "@std/path";
import { assert, assertEquals } from "./_assert.ts";
import { type CommandOutput, README_PATH, ReadmeWorld, shellCommands } from "./_readme_world.ts";
import { pathExists } from "../lib/runtime/path_exists.ts";
import { Pod5Reader } from "../lib/pod5/mod.ts";
import { fixture } from "./pod5/_fixtures.ts";

const TRAIN = "deno task train";
const ENCODE = "deno task encode tests/fixtures/pod5/z1.pod5 -o /tmp/z1.tokens --ckpt checkpoints/quickstart";
const DECODE = "deno task decode /tmp/z1.tokens -o /tmp/z1.pod5";
const VALIDATE =
  "deno task validate --pod5 tests/fixtures/pod5/z1.pod5 --ckpt checkpoints/quickstart --out-dir /tmp/val";
const SERVE = "deno task serve --ckpt checkpoints/quickstart";
const SERVED_ENCODE =
  "curl -s --data-binary @tests/fixtures/pod5/z1.pod5 localhost:8080/v1/encode > /tmp/z1.served.tokens";
const RESUME = "deno task train --resume auto --max-steps 1000";

function ok(output: CommandOutput): CommandOutput {
  assertEquals(output.code, 0, `${output.command}\n${output.stderr}`);
  return output;
}

async function metadataOf(path: string) {
  await using reader = await Pod5Reader.open(path);
  return reader.readMetadata();
}

Deno.test("README commands: train, encode (also by validate and the server), resume, then every token file still decodes", async () => {
  const commands = shellCommands(await Deno.readTextFile(README_PATH));
  for (const command of [TRAIN, ENCODE, DECODE, VALIDATE, SERVE, SERVED_ENCODE, RESUME]) {
    assert(commands.includes(command), `the README no longer has "${command}"`);
  }
  await using world = await ReadmeWorld.create();
  ok(await world.run(TRAIN));
  ok(await world.run(ENCODE));
  ok(await world.run(DECODE));
  const before = await Deno.readFile(join(world.scratch, "z1.pod5"));
  await Deno.remove(join(world.scratch, "z1.pod5"));
  ok(await world.run(VALIDATE));
  await world.startServer(SERVE);
  ok(await world.run(SERVED_ENCODE));
  await world.stopServer();
  const resumed = ok(await world.run(RESUME));
  // The resume's keep_last pruned the checkpoint every token file above was made with.
  assert(!await pathExists(world.path("checkpoints/quickstart/checkpoint_2")), resumed.stdout);

  ok(await world.run(DECODE));
  assertEquals(await Deno.readFile(join(world.scratch, "z1.pod5")), before);
  const byRunFolder = ok(await world.run(`${DECODE.replace("z1.pod5", "z1.run.pod5")} --ckpt checkpoints/quickstart`));
  assertEquals(await Deno.readFile(join(world.scratch, "z1.run.pod5")), before, byRunFolder.stderr);
  for (const tokens of ["val/real.tokens", "z1.served.tokens"]) {
    ok(await world.run(`deno task decode /tmp/${tokens} -o /tmp/${tokens}.pod5`));
    assertEquals(await metadataOf(join(world.scratch, `${tokens}.pod5`)), await metadataOf(fixture("z1.pod5")));
  }
});
