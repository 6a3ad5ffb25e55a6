import { join } from "@std/path";
import { assert, assertEquals, assertRejects, assertThrows } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { degradePod5, QTS_DATASETS, qtsRound, suggestQtsBits } from "../../lib/degrade/mod.ts";
import { inspectRecords, Pod5Reader, Pod5Writer } from "../../lib/pod5/mod.ts";
import { InputError } from "../../lib/runtime/errors.ts";
import { pathExists } from "../../lib/runtime/path_exists.ts";
import { fixture } from "../pod5/_fixtures.ts";
import { runTask } from "../tasks/_run_task.ts";
import { runPython } from "../fast5/_fast5_fixtures.ts";

/** numpy's rounding to multiples of 2^K, halves up, clipped to int16: floor((x + 2^(K−1)) / 2^K) · 2^K. */
const NUMPY_QTS = `
import sys, numpy as np
x = np.fromfile(sys.argv[1], dtype="<i2").astype(np.int64)
k = int(sys.argv[2])
r = np.floor_divide(x + (1 << (k - 1)), 1 << k) * (1 << k)
np.clip(r, -32768, 32767).astype("<i2").tofile(sys.argv[3])
`;

/** Every read's samples, concatenated in file order. */
async function allSamples(path: string): Promise<Int16Array> {
  await using reader = await Pod5Reader.open(path);
  const parts: Int16Array[] = [];
  for await (const read of reader.reads()) parts.push(read.signal());
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** `inspect --jsonl` (no signal fields) and the run infos: all the metadata degrade must keep. */
async function metadata(path: string): Promise<unknown> {
  await using reader = await Pod5Reader.open(path);
  const records = [];
  for await (const record of inspectRecords(reader)) records.push(record);
  const reads = [];
  for await (const read of reader.reads()) {
    const { signal: _s, pA: _p, ...rest } = read;
    reads.push(rest);
  }
  return { records, reads, runs: reader.runInfos };
}

/** A POD5 of one read holding int16's edges, halves and both signs. */
async function writeEdgeCases(path: string): Promise<void> {
  await using source = await Pod5Reader.open(fixture("b1.pod5"));
  const [run] = source.runInfos;
  const [read] = await Array.fromAsync(source.reads());
  if (run === undefined || read === undefined) throw new Error("b1.pod5 has a read");
  const values = [-32768, -32767, -32760, 32767, 32766, 32760, 32752, -1, 0, 1, 2, 3, 4, -2, -3, -4, -5, -6];
  const signal = Int16Array.from([...values, ...Array.from({ length: 4000 }, (_, i) => ((i * 7919) % 65536) - 32768)]);
  const writer = await Pod5Writer.create(path);
  await writer.addRunInfo(run);
  await writer.addRead({ ...read, numSamples: signal.length, signal: () => signal });
  await writer.close();
}

Deno.test("qtsRound() equals the float64 rounding floor(x / 2^K + 1/2) · 2^K, clipped, for every int16 and K 1–16", () => {
  const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
  for (let bits = 1; bits <= 16; bits++) {
    const out = qtsRound(all, bits);
    const step = 2 ** bits;
    for (let i = 0; i < all.length; i++) {
      const expected = Math.min(32767, Math.max(-32768, Math.floor(all[i]! / step + 0.5) * step));
      if (out[i] !== expected) throw new Error(`K=${bits}: ${all[i]} → ${out[i]}, expected ${expected}`);
    }
  }
  assertThrows(() => qtsRound(all, 0), RangeError, "bits must be an integer in [1, 16], got 0");
  assertThrows(() => qtsRound(all, 2.5), RangeError, "got 2.5");
});

Deno.test("deno task degrade --bits K: samples equal numpy's slow5lib rounding of the input's, metadata unchanged", async () => {
  await withTempDir(async (dir) => {
    const edges = join(dir, "edges.pod5");
    await writeEdgeCases(edges);
    for (
      const [input, bits] of [[fixture("can_reads.pod5"), 1], [fixture("b1.pod5"), 3], [edges, 4], [edges, 6]] as const
    ) {
      const out = join(dir, `out_${bits}.pod5`);
      const task = await runTask("degrade", ["--bits", String(bits), input, "-o", out]);
      assertEquals(task.code, 0, task.stderr);
      assert(task.stderr.split("\n").at(-1)!.startsWith(`wrote ${out}: `), task.stderr);
      const before = await allSamples(input);
      await Deno.writeFile(join(dir, "in.i16"), new Uint8Array(before.buffer));
      await runPython(["-c", NUMPY_QTS, join(dir, "in.i16"), String(bits), join(dir, "expected.i16")]);
      const expected = new Int16Array((await Deno.readFile(join(dir, "expected.i16"))).buffer);
      const after = await allSamples(out);
      assertEquals(after.length, before.length);
      let differ = 0;
      for (let i = 0; i < after.length; i++) if (after[i] !== expected[i]) differ++;
      assertEquals(differ, 0, `${input} K=${bits}: ${differ} samples differ from numpy's`);
      assertEquals(await metadata(out), await metadata(input));
      await using reader = await Pod5Reader.open(out);
      assertEquals(reader.info.signalCompression, "vbz");
    }
  });
});

Deno.test("degradePod5() without bits takes slow5tools' suggestion, and refuses files it has none for", async () => {
  await withTempDir(async (dir) => {
    const z1 = await degradePod5(fixture("z1.pod5"), join(dir, "z1.pod5"));
    assertEquals([z1.bits, z1.dataset], [3, "DNA lsk114 5kHz GridION"]);
    const can = await degradePod5(fixture("can_reads.pod5"), join(dir, "can.pod5"));
    assertEquals([can.bits, can.dataset], [3, "DNA lsk114 4kHz PromethION"]);
    const task = await runTask("degrade", [fixture("b1.pod5"), "-o", join(dir, "b1.pod5")]);
    assertEquals(task.code, 2, task.stderr);
    assertEquals(
      task.stderr,
      `error: ${fixture("b1.pod5")}: Cannot suggest how many bits to drop: slow5tools degrade has no suggestion for ` +
        "device gridion, kit sqk-rbk114-96, genomic_dna, 4000 Hz; give --bits K",
    );
    assert(!(await pathExists(join(dir, "b1.pod5"))));
  });
});

Deno.test("suggestQtsBits() follows slow5tools' table and checks the digitisation as it checks each read", async () => {
  await using reader = await Pod5Reader.open(fixture("can_reads.pod5"));
  const [run] = reader.runInfos;
  if (run === undefined) throw new Error("can_reads.pod5 has a run");
  const lsk109 = { ...run, contextTags: { ...run.contextTags, sequencing_kit: "sqk-lsk109" } };
  assertEquals(suggestQtsBits([lsk109]).bits, 2);
  const rna = {
    ...run,
    sampleRateHz: 3000,
    contextTags: { ...run.contextTags, sequencing_kit: "sqk-rna002", experiment_type: "rna", sample_frequency: "3000" },
  };
  assertEquals(suggestQtsBits([rna]).name, "RNA rna002 3kHz PromethION");
  assertThrows(() => suggestQtsBits([run, lsk109]), InputError, "no suggestion");
  assertThrows(() => suggestQtsBits([{ ...run, adcMax: 8191 }]), InputError, "has digitisation 8192");
  assertEquals(QTS_DATASETS.length, 14);
  assertEquals(new Set(QTS_DATASETS.map((d) => d.bits)), new Set([2, 3]));
});

Deno.test("deno task degrade refuses bad bits, an existing output (without --force) and the input as output", async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, "out.pod5");
    for (const bits of ["0", "17", "two", "3.5"]) {
      const task = await runTask("degrade", ["--bits", bits, fixture("b1.pod5"), "-o", out]);
      assertEquals(task.code, 2, task.stderr);
      assertEquals(task.stderr, `error: Cannot degrade: --bits needs an integer in 1-16 or auto, got "${bits}"`);
    }
    await Deno.writeTextFile(out, "keep");
    const exists = await runTask("degrade", ["--bits", "2", fixture("b1.pod5"), "-o", out]);
    assertEquals(exists.code, 2, exists.stderr);
    assertEquals(await Deno.readTextFile(out), "keep");
    const forced = await runTask("degrade", ["--bits", "5", fixture("b1.pod5"), "-o", out, "--force"]);
    assertEquals(forced.code, 0, forced.stderr);
    assert(forced.stderr.includes("warning: --bits 5 > 4"), forced.stderr);
    await assertRejects(
      () => degradePod5(out, out, { bits: 2, overwrite: true }),
      InputError,
      "the output is the input",
    );
  });
});
