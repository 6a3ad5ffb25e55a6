import { join } from "@std/path";
import { assert, assertEquals, assertGreater, assertRejects } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { qtsRound } from "../../lib/degrade/mod.ts";
import { convertFast5ToPod5 } from "../../lib/fast5/mod.ts";
import { Pod5Reader, Pod5Writer, subsetPod5 } from "../../lib/pod5/mod.ts";
import { formatError, isInputError } from "../../lib/runtime/error_report.ts";
import { BasecallerNotFoundError, UnsupportedPoreError } from "../../lib/validate/basecaller_errors.ts";
import { parsePaf } from "../../lib/validate/minimap2.ts";
import { parseFasta } from "../../lib/validate/read_fasta.ts";
import { runTool } from "../../lib/validate/run_tool.ts";
import { SCRAPPIE_LOG, ScrappieBasecaller } from "../../lib/validate/scrappie_basecaller.ts";
import { fixture } from "../pod5/_fixtures.ts";
import { ECOLI_SLICE, r94Files } from "../fast5/_fast5_fixtures.ts";

/** The bundled R9.4 reads as one POD5 (written by the converter). */
async function r94Pod5(dir: string): Promise<string> {
  const path = join(dir, "r94.pod5");
  await convertFast5ToPod5(await r94Files(), path);
  return path;
}

/** What scrappie calls from the original FAST5 files themselves (MinKNOW's, not ours). */
async function scrappieOnOriginals(model: string, files: readonly string[]): Promise<Map<string, string>> {
  const out = await new Deno.Command("scrappie", {
    args: ["raw", "--model", model, "--threads", "1", "--uuid", ...files],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert(out.success, `scrappie exited with ${out.code}`);
  return parseFasta(new TextDecoder().decode(out.stdout), "scrappie");
}

Deno.test("ScrappieBasecaller calls the bundled R9.4 reads as scrappie does from their own FAST5, at identity > 0.8 to the genome", async () => {
  await withTempDir(async (dir) => {
    const scrappie = await ScrappieBasecaller.create({ threads: 2, batchReads: 3 });
    assert(scrappie.version.startsWith("scrappie "), scrappie.version);
    assertEquals(scrappie.model, null);
    const run = await scrappie.call(await r94Pod5(dir), dir, { name: "real" });
    assertEquals([run.basecaller, run.model, run.readCount, run.uncalled], ["scrappie", "rgrgr_r941", 4, []]);
    assertEquals(run.callsPath, join(dir, "real.fasta"));
    assertEquals(run.records, await scrappieOnOriginals("rgrgr_r941", await r94Files()));
    assertEquals(parseFasta(await Deno.readTextFile(run.callsPath), run.callsPath), run.records);
    assertEquals((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort(), [
      "r94.pod5",
      "real.fasta",
      SCRAPPIE_LOG,
    ]);

    await runTool({
      bin: "minimap2",
      args: ["-c", "--eqx", "-x", "map-ont", ECOLI_SLICE, run.callsPath],
      stdoutPath: join(dir, "real.paf"),
      logPath: join(dir, "minimap2.log"),
    });
    const hits = parsePaf(await Deno.readTextFile(join(dir, "real.paf")), "real.paf");
    assertEquals([...hits.keys()].sort(), [...run.records.keys()].sort());
    const identities = [...hits.values()].map((hit) => hit.identity);
    const mean = identities.reduce((a, b) => a + b, 0) / identities.length;
    assertGreater(mean, 0.8, `identities ${identities.join(", ")}`);
    for (const identity of identities) assertGreater(identity, 0.8);
  });
});

Deno.test("ScrappieBasecaller retries a batch scrappie aborts on read by read: that read is uncalled, the others called", async () => {
  await withTempDir(async (dir) => {
    const real = join(dir, "two.pod5");
    await convertFast5ToPod5((await r94Files()).slice(1, 3), real);
    // A third read: the first with its samples rounded to multiples of 2^10, which scrappie 1.4 aborts on.
    const mixed = join(dir, "mixed.pod5");
    {
      await using reader = await Pod5Reader.open(real);
      const reads = await Array.fromAsync(reader.reads());
      const writer = await Pod5Writer.create(mixed);
      for (const run of reader.runInfos) await writer.addRunInfo(run);
      for (const read of reads) await writer.addRead(read);
      const first = reads[0]!;
      const ruined = qtsRound(first.signal(), 10);
      await writer.addRead({ ...first, readId: "0a79767d-0000-4000-8000-00000000dead", signal: () => ruined });
      await writer.close();
    }
    const scrappie = await ScrappieBasecaller.create({ batchReads: 8 });
    const run = await scrappie.call(mixed, dir);
    assertEquals(run.readCount, 3);
    assertEquals(run.uncalled.map((u) => u.readId), ["0a79767d-0000-4000-8000-00000000dead"]);
    assert(run.uncalled[0]!.reason.startsWith("scrappie exited with code "), run.uncalled[0]!.reason);
    const expected = await scrappie.call(real, dir, { name: "expected" });
    assertEquals(run.records, expected.records);
    assertEquals(run.records.size, 2);
    const log = await Deno.readTextFile(join(dir, SCRAPPIE_LOG));
    // One batch of three, then three single reads (the ruined one fails alone), then the expected run.
    assertEquals(log.split("\n").filter((line) => line.startsWith("$ scrappie raw")).length, 5);
  });
});

Deno.test("ScrappieBasecaller refuses an R10.4.1 read with one line, and calls it with anyPore", async () => {
  await withTempDir(async (dir) => {
    const scrappie = await ScrappieBasecaller.create();
    const error = await assertRejects(() => scrappie.call(fixture("b1.pod5"), dir), UnsupportedPoreError);
    assertEquals(error.pore, "R10.x");
    assert(isInputError(error));
    assertEquals(
      formatError(error),
      `error: ${fixture("b1.pod5")}: Cannot basecall with scrappie: run 90d296f125efe823750e8ce173a32289fcec4c56: ` +
        "its pore is R10.x (basecall config dna_r10.4.1_e8.2_400bps_sup.cfg); scrappie's models are for R9.4 and " +
        "R9.4.1 DNA (give a model, or allow any pore, to call these reads anyway)",
    );
    assertEquals(await Array.fromAsync(Deno.readDir(dir)), []);

    const one = join(dir, "b1_one.pod5");
    await subsetPod5(fixture("b1.pod5"), one, { first: 1 });
    const forced = await (await ScrappieBasecaller.create({ anyPore: true })).call(one, dir);
    assertEquals([forced.model, forced.readCount, forced.records.size + forced.uncalled.length], ["rgrgr_r10", 1, 1]);
  });
});

Deno.test("ScrappieBasecaller.create() refuses a missing scrappie with one line", async () => {
  const error = await assertRejects(
    () => ScrappieBasecaller.create({ bin: "/nonexistent/scrappie" }),
    BasecallerNotFoundError,
  );
  assertEquals(error.bin, "/nonexistent/scrappie");
  assert(isInputError(error));
  assertEquals(
    formatError(error),
    "error: Cannot basecall with scrappie: `/nonexistent/scrappie` was not found (install it: apt-get install scrappie)",
  );
});

Deno.test("ScrappieBasecaller calls with a fixed model when given one, and checks its settings", async () => {
  await withTempDir(async (dir) => {
    const one = join(dir, "r94_one.pod5");
    const original = (await r94Files()).slice(2, 3);
    await convertFast5ToPod5(original, one);
    const scrappie = await ScrappieBasecaller.create({ model: "rgrgr_r94" });
    assertEquals(scrappie.model, "rgrgr_r94");
    const run = await scrappie.call(one, dir);
    assertEquals(run.model, "rgrgr_r94");
    assertEquals(run.records.size, 1);
    assertEquals(run.records, await scrappieOnOriginals("rgrgr_r94", original));
    await assertRejects(() => ScrappieBasecaller.create({ threads: 0 }), RangeError, "threads must be a positive");
    await assertRejects(() => ScrappieBasecaller.create({ batchReads: 1.5 }), RangeError, "batchReads");
  });
});
