import { join } from "@std/path";
import { makeTinyCheckpoint } from "../codec/_tiny_checkpoint.ts";
import { assertEquals, assertMatch, assertStringIncludes } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { ROOT, runTask } from "./_run_task.ts";

const DORADO_5KHZ = `${ROOT}tests/fixtures/pod5/dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5`;
const Z1 = `${ROOT}tests/fixtures/pod5/z1.pod5`;

Deno.test("encode then decode (no --ckpt) give back the same reads, as inspect --jsonl shows", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await makeTinyCheckpoint(join(dir, "run"));
    const tokens = join(dir, "z1.tokens"), restored = join(dir, "z1.pod5");
    const encode = await runTask("encode", [
      Z1,
      "-o",
      tokens,
      "--ckpt",
      join(dir, "run"),
      "--workers",
      "1",
      "--verify",
    ]);
    assertEquals(encode.code, 0, encode.stderr);
    assertStringIncludes(encode.stderr, `checkpoint ${ckpt} (step 10`);
    assertMatch(encode.stderr, /encoded 1 file\(s\), 3 reads, 2,319,616 samples/);
    assertMatch(encode.stderr, /bits\/sample: codes 0\.\d+, file 0\.\d+ \(nominal 0\.2500; input signal 6\.41\)/);
    assertMatch(encode.stderr, /reconstruction: SNR -?\d+\.\d\d dB/);
    const decode = await runTask("decode", [tokens, "-o", restored, "--workers", "0"]);
    assertEquals(decode.code, 0, decode.stderr);
    assertStringIncludes(decode.stderr, `checkpoint ${ckpt} (recorded in the token file; --ckpt overrides)`);
    const before = await runTask("inspect", [Z1, "--jsonl"]);
    const after = await runTask("inspect", [restored, "--jsonl"]);
    assertEquals(after.stdout, before.stdout);
  });
});

Deno.test("encode and decode refuse bad input with one line and exit code 2, leaving no output", async () => {
  await withTempDir(async (dir) => {
    await makeTinyCheckpoint(join(dir, "run"));
    const other = await makeTinyCheckpoint(join(dir, "other"), { seed: 9 });
    const out = join(dir, "out");
    const notPod5 = `${ROOT}tests/fixtures/pod5/not_a_pod5.pod5`;
    const cases: [string, string[], RegExp][] = [
      [
        "encode",
        [notPod5, "-o", `${out}.tokens`, "--ckpt", join(dir, "run")],
        /^error: .*not_a_pod5\.pod5: Not a valid POD5 file: bad signature/,
      ],
      ["encode", [DORADO_5KHZ, "-o", `${out}.tokens`], /^error: Cannot encode: --ckpt is required/],
      [
        "encode",
        [DORADO_5KHZ, "-o", `${out}.tokens`, "--ckpt", join(dir, "nowhere")],
        /^error: .*nowhere: Cannot load checkpoint: no such directory/,
      ],
      [
        "encode",
        [`${ROOT}tests/fixtures/pod5/b1.pod5`, "-o", `${out}.tokens`, "--ckpt", join(dir, "run")],
        /^error: .*b1\.pod5: Cannot encode: read .* sample rate of 4000 Hz, the model's is 5000 Hz/,
      ],
      [
        "decode",
        [DORADO_5KHZ, "-o", `${out}.pod5`, "--ckpt", join(dir, "run")],
        /^error: .*\.pod5: Not a token file, or truncated or damaged/,
      ],
    ];
    for (const [task, args, line] of cases) {
      const result = await runTask(task, args);
      assertEquals(result.code, 2, `${task} ${args.join(" ")}: ${result.stderr}`);
      const lines = result.stderr.split("\n");
      assertMatch(lines.at(-1)!, line);
      assertEquals(lines.filter((l) => l.startsWith("error:")).length, 1);
    }
    // Tokens of one checkpoint, decoded with another: refused, naming both sha256s.
    const tokens = join(dir, "x.tokens");
    assertEquals((await runTask("encode", [DORADO_5KHZ, "-o", tokens, "--ckpt", join(dir, "run")])).code, 0);
    const mismatch = await runTask("decode", [tokens, "-o", `${out}.pod5`, "--ckpt", other]);
    assertEquals(mismatch.code, 2);
    assertMatch(
      mismatch.stderr,
      /error: .*x\.tokens: Cannot decode: the tokens were made by checkpoint sha256 [0-9a-f]{64} .* the checkpoint given has sha256 [0-9a-f]{64}/,
    );
    const names: string[] = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assertEquals(names.sort(), ["other", "run", "x.tokens"]);
  });
});

Deno.test("encode, decode and validate add their flag hints to the library's refusals", async () => {
  await withTempDir(async (dir) => {
    const run = join(dir, "run");
    await makeTinyCheckpoint(run);
    const tokens = join(dir, "x.tokens");
    await Deno.writeTextFile(tokens, "keep me");
    const encode = await runTask("encode", [DORADO_5KHZ, "-o", tokens, "--ckpt", run]);
    assertEquals(encode.code, 2, encode.stderr);
    assertEquals(
      encode.stderr.split("\n").at(-1),
      `error: ${tokens}: Cannot write output: the file exists (use --force to replace it)`,
    );
    const b1 = await runTask("encode", [
      `${ROOT}tests/fixtures/pod5/b1.pod5`,
      "-o",
      join(dir, "b1.tokens"),
      "--ckpt",
      run,
    ]);
    assertMatch(b1.stderr.split("\n").at(-1)!, / the model's is 5000 Hz \(--skip-mismatched skips such reads\)$/);
    assertEquals(await Deno.readTextFile(tokens), "keep me");
    const tiny = `${ROOT}tests/validate/tiny_validate.json`;
    const validate = await runTask("validate", ["--config", tiny, "--ckpt", run, "--out-dir", join(dir, "v")]);
    assertEquals(validate.code, 2, validate.stderr);
    assertMatch(validate.stderr.split("\n").at(-1)!, /pod5: give the POD5 file or folder to validate on \(--pod5\)$/);
  });
});
