import { join } from "@std/path";
import { Pod5Reader } from "../../lib/pod5/reader.ts";
import { makeTinyCheckpoint } from "../codec/_tiny_checkpoint.ts";
import { fullAlignment } from "../validate/_full_alignment.ts";
import { assert, assertAlmostEquals, assertEquals, assertMatch, assertStringIncludes } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { ROOT, runTask } from "./_run_task.ts";

const Z1 = `${ROOT}tests/fixtures/pod5/z1.pod5`;
const DORADO_5KHZ = `${ROOT}tests/fixtures/pod5/dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5`;
const FAKE_DORADO = `${ROOT}tests/validate/fake_dorado`;

/** The tiny checkpoint's config (800-sample windows at 5 kHz), checkpoint and output folder. */
const TINY = (
  ckpt: string,
  out: string,
) => ["--ckpt", ckpt, "--out-dir", out, "--config", `${ROOT}tests/validate/tiny_validate.json`];

async function readsOf(path: string) {
  await using reader = await Pod5Reader.open(path);
  return reader.readMetadata();
}

/** An independent FASTQ reading: 4-line records, id up to the first space. */
async function fastq(path: string): Promise<Map<string, string>> {
  const lines = (await Deno.readTextFile(path)).trimEnd().split("\n");
  const out = new Map<string, string>();
  for (let i = 0; i + 3 < lines.length; i += 4) out.set(lines[i]!.slice(1).split(" ")[0]!, lines[i + 1]!);
  return out;
}

Deno.test("validate without Dorado writes every output, skips basecalling with one line, exits 0", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await makeTinyCheckpoint(join(dir, "run"));
    const out = join(dir, "val");
    const result = await runTask("validate", ["--pod5", Z1, ...TINY(ckpt, out), "--workers", "1"], {
      PATH: "/usr/bin:/bin", // no dorado here
    });
    assertEquals(result.code, 0, result.stderr);
    assertStringIncludes(result.stderr, "[warn] skipped basecalling: dorado is not on PATH");
    const names: string[] = [];
    for await (const entry of Deno.readDir(out)) names.push(entry.name);
    assertEquals(names.sort(), [
      "generated.pod5",
      "real.pod5",
      "real.tokens",
      "reconstruction.svg",
      "report.json",
      "report.md",
    ]);
    // generated.pod5 holds the same reads, metadata and lengths as real.pod5 (all of z1 in full mode).
    assertEquals(await readsOf(join(out, "generated.pod5")), await readsOf(join(out, "real.pod5")));
    assertEquals(await readsOf(join(out, "real.pod5")), await readsOf(Z1));
    const report = JSON.parse(await Deno.readTextFile(join(out, "report.json")));
    assertEquals(report.checkpoint.path, ckpt);
    assertEquals(report.trim_mode, "full");
    assertEquals(report.reads.map((r: { num_samples: number }) => r.num_samples), [21_734, 78_129, 2_219_753]);
    for (
      const key of [
        "read_id",
        "num_samples",
        "snr_db",
        "baseline_snr_db",
        "mae_pa",
        "rmse_pa",
        "pearson_r",
        "identity",
        "reference",
      ]
    ) {
      assert(key in report.reads[0], key);
    }
    assertEquals(report.reads[0].identity, null);
    assertEquals([report.dorado.ran, report.overall.identity], [false, null]);
    assertStringIncludes(report.dorado.reason, "dorado is not on PATH");
    assert(report.codes.usage > 0 && report.codes.perplexity >= 1 && report.codes.bits_per_sample > 0);
    const svg = await Deno.readTextFile(join(out, "reconstruction.svg"));
    assertEquals(svg.match(/<polyline /g)?.length, 12); // 3 reads, real and generated, whole and zoomed
    const sha256 = report.checkpoint.sha256 as string;
    assertStringIncludes(svg, `step ${report.checkpoint.step} · generator sha256 ${sha256.slice(0, 12)}<`);
    assertStringIncludes(
      await Deno.readTextFile(join(out, "report.md")),
      "![real and generated current](reconstruction.svg)",
    );
  });
});

Deno.test("validate's generated.pod5 is exactly decode(encode(real.pod5))", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await makeTinyCheckpoint(join(dir, "run"));
    const out = join(dir, "val");
    assertEquals(
      (await runTask("validate", ["--pod5", DORADO_5KHZ, ...TINY(ckpt, out), "--dorado-bin", FAKE_DORADO])).code,
      0,
    );
    const tokens = join(dir, "again.tokens"), restored = join(dir, "again.pod5");
    assertEquals((await runTask("encode", [join(out, "real.pod5"), "-o", tokens, "--ckpt", ckpt])).code, 0);
    assertEquals((await runTask("decode", [tokens, "-o", restored, "--ckpt", ckpt])).code, 0);
    assertEquals(await Deno.readFile(restored), await Deno.readFile(join(out, "generated.pod5")));
  });
});

Deno.test("validate with a stand-in Dorado reports identities equal to an independent computation", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await makeTinyCheckpoint(join(dir, "run"));
    const out = join(dir, "val");
    const args = ["--pod5", Z1, "--reads", "2", ...TINY(ckpt, out), "--dorado-bin", FAKE_DORADO, "--device", "cpu"];
    const result = await runTask("validate", args);
    assertEquals(result.code, 0, result.stderr);
    assertMatch(result.stderr, /basecalling real\.pod5 with .*fake_dorado/);
    const report = JSON.parse(await Deno.readTextFile(join(out, "report.json")));
    assertEquals(report.dorado.ran, true);
    assertStringIncludes(await Deno.readTextFile(join(out, "dorado.log")), "--emit-fastq --device cpu");
    const real = await fastq(join(out, "real.fastq")), generated = await fastq(join(out, "generated.fastq"));
    assertEquals([report.dorado.reads_called_real, report.dorado.reads_called_generated], [real.size, generated.size]);
    const bonito: number[] = [];
    for (const read of report.reads) {
      const expected = fullAlignment(real.get(read.read_id)!, generated.get(read.read_id)!);
      const total = expected.matches + expected.mismatches + expected.insertions + expected.deletions;
      assertEquals(
        [read.identity.matches, read.identity.mismatches, read.identity.insertions, read.identity.deletions],
        [expected.matches, expected.mismatches, expected.insertions, expected.deletions],
      );
      assertEquals(read.identity.bonito, expected.matches / total);
      const longest = Math.max(real.get(read.read_id)!.length, generated.get(read.read_id)!.length);
      assertEquals(read.identity.edit, 1 - expected.distance / longest);
      bonito.push(expected.matches / total);
    }
    assertAlmostEquals(report.overall.identity.bonito.mean, bonito.reduce((a, b) => a + b, 0) / bonito.length, 1e-12);
    assertEquals(report.overall.identity.mapped_fraction, 1);
  }, "simvqgan_validate_");
});

Deno.test("validate refusing the input's folder, a non-empty folder, a window that does not fit, and a failing Dorado", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await makeTinyCheckpoint(join(dir, "run"));
    const input = join(dir, "in");
    await Deno.mkdir(input);
    await Deno.copyFile(DORADO_5KHZ, join(input, "x.pod5"));
    const cases: [string[], number, RegExp][] = [
      [
        ["--pod5", join(input, "x.pod5"), ...TINY(ckpt, input)],
        2,
        /error: .*in: Cannot validate into the folder of the input x\.pod5/,
      ],
      [
        ["--pod5", input, ...TINY(ckpt, join(dir, "run"))],
        2,
        /error: .*run: Cannot validate: the output folder is not empty \(use --force/,
      ],
      [
        ["--pod5", input, "--ckpt", ckpt, "--out-dir", join(dir, "a")],
        2,
        /error: .*validate_dorado\.json: window\.segment_sec: 2 s is 10000 samples, the checkpoint's window is 800/,
      ],
      [
        ["--pod5", input, ...TINY(ckpt, join(dir, "b")), "--dorado-bin", FAKE_DORADO, "--dorado-model", "fail"],
        1,
        /error: Cannot run .*fake_dorado: `.*fake_dorado basecaller fail .*--emit-fastq` exited with code 1: \[error\] model fail could not be loaded/,
      ],
      [
        ["--pod5", input, ...TINY(ckpt, join(dir, "c")), "--dorado-bin", join(dir, "no-dorado")],
        2,
        /error: .*no-dorado: Cannot basecall: no such program/,
      ],
    ];
    for (const [args, code, line] of cases) {
      const result = await runTask("validate", args);
      assertEquals(result.code, code, `${args.join(" ")}: ${result.stderr}`);
      assertMatch(result.stderr.split("\n").at(-1)!, line);
    }
    // Nothing was written beside the input.
    const names: string[] = [];
    for await (const entry of Deno.readDir(input)) names.push(entry.name);
    assertEquals(names, ["x.pod5"]);
  });
});

Deno.test("validate --trim-mode drop and pad cut reads to whole windows, and --reference maps both call sets", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await makeTinyCheckpoint(join(dir, "run"));
    for (const [mode, length] of [["drop", 1_600], ["pad", 2_400], ["full", 2_048]] as const) {
      const out = join(dir, mode);
      const result = await runTask("validate", [
        "--pod5",
        DORADO_5KHZ,
        ...TINY(ckpt, out),
        "--trim-mode",
        mode,
        "--workers",
        "0",
      ]);
      assertEquals(result.code, 0, result.stderr);
      assertEquals((await readsOf(join(out, "real.pod5"))).map((r) => r.numSamples), [length]);
      assertEquals((await readsOf(join(out, "generated.pod5"))).map((r) => r.numSamples), [length]);
    }
    // A reference made of the real basecalls of two z1 reads: the real calls map to it exactly.
    const first = join(dir, "calls");
    assertEquals(
      (await runTask("validate", ["--pod5", Z1, "--reads", "2", ...TINY(ckpt, first), "--dorado-bin", FAKE_DORADO]))
        .code,
      0,
    );
    const real = await fastq(join(first, "real.fastq"));
    const reference = join(dir, "ref.fa");
    await Deno.writeTextFile(reference, [...real].map(([id, seq]) => `>${id}\n${seq}\n`).join(""));
    const out = join(dir, "mapped");
    const args = [
      "--pod5",
      Z1,
      "--reads",
      "2",
      ...TINY(ckpt, out),
      "--dorado-bin",
      FAKE_DORADO,
      "--reference",
      reference,
    ];
    const result = await runTask("validate", args);
    assertEquals(result.code, 0, result.stderr);
    const report = JSON.parse(await Deno.readTextFile(join(out, "report.json")));
    assertEquals(report.minimap2.ran, true);
    for (const read of report.reads) {
      assertEquals(read.reference.real, 1, read.read_id);
      if (read.reference.generated !== null) {
        assertEquals(read.reference.difference, read.reference.generated - read.reference.real);
      }
    }
    assertEquals(report.overall.reference.mapped_real, 2);
    assertStringIncludes(await Deno.readTextFile(join(out, "report.md")), "generated − real (paired)");
  });
});
