import { assert, assertEquals, assertMatch, assertStringIncludes } from "../_assert.ts";
import { loadTruth } from "../pod5/_fixtures.ts";
import { runTask } from "./_run_task.ts";

const JSONL_KEYS = [
  "read_id",
  "num_samples",
  "sample_rate",
  "calibration_offset",
  "calibration_scale",
  "channel",
  "well",
  "read_number",
  "start_sample",
  "median_before",
  "end_reason",
  "acquisition_id",
  "signal_sha256",
];

Deno.test("inspect --jsonl --signal-sha256 matches truth/z1.json for every read and field", async () => {
  const { code, stdout, stderr } = await runTask("inspect", [
    "tests/fixtures/pod5/z1.pod5",
    "--jsonl",
    "--signal-sha256",
  ]);
  assertEquals([code, stderr], [0, ""]);
  const lines = stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
  const truth = await loadTruth("z1");
  assertEquals(lines.length, truth.n_reads);
  for (const line of lines) {
    assertEquals(Object.keys(line), JSONL_KEYS);
    const t = truth.reads.find((r) => r.read_id === line["read_id"]);
    assert(t !== undefined, `unknown read ${line["read_id"]}`);
    assertEquals(line, {
      read_id: t.read_id,
      num_samples: t.len_raw_signal,
      sample_rate: t.sampling_rate,
      calibration_offset: t.offset,
      calibration_scale: t.calibration_scale_f32,
      channel: t.channel,
      well: t.start_mux,
      read_number: t.read_number,
      start_sample: t.start_time,
      median_before: t.median_before,
      end_reason: t.end_reason.label,
      acquisition_id: t.acquisition_id,
      signal_sha256: t.signal.sha256_int16le,
    });
  }
});

Deno.test("inspect prints a human summary", async () => {
  const { code, stdout } = await runTask("inspect", ["tests/fixtures/pod5/z1.pod5"]);
  assertEquals(code, 0);
  assertMatch(stdout, /reads:\s+3\n/);
  assertMatch(stdout, /samples:\s+2,319,616 /);
  assertMatch(stdout, /duration:\s+463\.9 s/);
  assertMatch(stdout, /sample rates:\s+5,000 Hz/);
  assertMatch(stdout, /compression:\s+vbz \(6\.41 bits\/sample\)/);
  assertMatch(stdout, /version:\s+POD5 0\.2\.4/);
  assertStringIncludes(stdout, "flow cell FAW84365");
});

const BAD_INPUTS: readonly (readonly [string, string])[] = [
  ["tests/fixtures/pod5/not_a_pod5.pod5", "bad signature"],
  ["tests/fixtures/pod5/empty_pod5.pod5", "bad signature"],
  ["tests/fixtures/pod5/absent.pod5", "file not found"],
];

for (const [file, reason] of BAD_INPUTS) {
  Deno.test(`inspect rejecting ${file.split("/").pop()} prints one error line and exits 2`, async () => {
    for (const args of [[file], [file, "--jsonl", "--signal-sha256"]]) {
      const { code, stdout, stderr } = await runTask("inspect", args);
      assertEquals(code, 2);
      assertEquals(stdout, "");
      assertEquals(stderr.split("\n").length, 1, stderr);
      assert(stderr.startsWith(`error: ${file}: `), stderr);
      assertStringIncludes(stderr, reason);
    }
  });
}

Deno.test("inspect rejecting a truncated file exits 2 without a stack trace", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bytes = await Deno.readFile("tests/fixtures/pod5/b1.pod5");
    await Deno.writeFile(`${dir}/cut.pod5`, bytes.subarray(0, 50_000));
    const { code, stderr } = await runTask("inspect", [`${dir}/cut.pod5`, "--jsonl"]);
    assertEquals(code, 2);
    assertEquals(
      stderr,
      `error: ${dir}/cut.pod5: Not a valid POD5 file: bad signature at the end of the file ` +
        "(truncated or not a POD5 file) (at byte 49992)",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("inspect rejecting bad flags exits 2 and --help exits 0", async () => {
  const bad = await runTask("inspect", ["--bogus"]);
  assertEquals(bad.code, 2);
  assertStringIncludes(bad.stderr, 'unknown flag "--bogus"');
  const lonely = await runTask("inspect", ["tests/fixtures/pod5/z1.pod5", "--signal-sha256"]);
  assertEquals(lonely.code, 2);
  const help = await runTask("inspect", ["--help"]);
  assertEquals(help.code, 0);
  assertStringIncludes(help.stdout, "Usage: deno task inspect");
});
