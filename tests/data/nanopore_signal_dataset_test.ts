import {
  assert,
  assertEquals,
  assertGreater,
  assertNotEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "../_assert.ts";
import { join } from "@std/path";
import {
  type DatasetBatch,
  type DatasetWarning,
  formatDatasetWarning,
  NanoporeSignalDataset,
  type NanoporeSignalDatasetOptions,
  readSplitFilter,
} from "../../lib/data/mod.ts";
import { Pod5Reader } from "../../lib/pod5/mod.ts";
import { normaliseRead } from "../../lib/signal/mod.ts";
import { DORADO_5KHZ, fixture } from "../pod5/_fixtures.ts";
import { withTempDir } from "../_temp_dir.ts";
import { breakZstdFrame, collect, sha256Floats, sourceKeys, writeFlatRead } from "./_dataset_fixtures.ts";

const Z1 = fixture("z1.pod5");
const WINDOW = 10_000;

function dataset(files: readonly string[], options: Partial<NanoporeSignalDatasetOptions> = {}): NanoporeSignalDataset {
  return new NanoporeSignalDataset({ files, batchSize: 16, windowSamples: WINDOW, sampleRateHz: 5_000, ...options });
}

async function expectedWindows(path: string, sampleRateHz: number): Promise<number> {
  await using pod5 = await Pod5Reader.open(path);
  if (Math.abs(pod5.runInfos[0]!.sampleRateHz - sampleRateHz) > 5) return 0;
  return pod5.readMetadata().reduce((sum, read) => sum + Math.floor(read.numSamples / WINDOW), 0);
}

Deno.test("NanoporeSignalDataset.batches() streams z1's 2 + 7 + 221 = 230 windows in file order", async () => {
  await using data = dataset([Z1, fixture(DORADO_5KHZ)], { batchSize: 32, dropLast: false });
  const rows: string[] = [];
  const batches: DatasetBatch[] = [];
  for await (const batch of data.batches()) {
    batches.push(batch);
    rows.push(...sourceKeys(batch));
  }
  assertEquals(rows.length, 230);
  const expected = [
    ...Array.from({ length: 2 }, (_, w) => `0/0/${w}`),
    ...Array.from({ length: 7 }, (_, w) => `0/1/${w}`),
    ...Array.from({ length: 221 }, (_, w) => `0/2/${w}`),
  ];
  assertEquals(rows, expected);
  assertEquals(batches.map((b) => b.batchSize), [32, 32, 32, 32, 32, 32, 32, 6]);
  // Row 3 of batch 5 is window 160 + 3 − 9 = 154 of read 2: exactly normaliseRead()'s samples there.
  await using pod5 = await Pod5Reader.open(Z1);
  const read = await pod5.read(pod5.readIds()[2]!);
  const { values, stats } = normaliseRead(read.signal(), read.calibration);
  const batch = batches[5]!;
  assertEquals(batch.sources[3]!.windowIndex, 154);
  assertEquals(batch.sources[3]!.stats, stats);
  assertEquals(batch.values.subarray(3 * WINDOW, 4 * WINDOW), values.subarray(154 * WINDOW, 155 * WINDOW));
  assertEquals(batch.position.epoch, 0);
  assertEquals(batches.at(-1)!.position, data.startPosition(1));
});

Deno.test("NanoporeSignalDataset.countEpochWindows() equals what an epoch yields, from metadata alone", async () => {
  const warnings: DatasetWarning[] = [];
  const files = [Z1, fixture("b1.pod5"), fixture(DORADO_5KHZ)];
  await using all = dataset(files, { dropLast: false, onWarning: (w) => warnings.push(w) });
  assertEquals(await all.countEpochWindows(), 230);
  assertEquals(warnings.map((w) => w.path), [fixture("b1.pod5")], "the 4 kHz file is warned about once");
  const yielded = (await collect(all)).reduce((n, b) => n + b.batchSize, 0);
  assertEquals(yielded, 230);
  assertEquals(warnings.length, 1);
  await using held = dataset([Z1], { readFilter: (read) => read.readIndex !== 2 });
  assertEquals(await held.countEpochWindows(), 9);
});

Deno.test("NanoporeSignalDataset with a tail split yields disjoint heads and tails that make up every window", async () => {
  const keys = async (part: "train" | "heldout") => {
    await using data = dataset([Z1], { dropLast: false, tailSplit: { fraction: 0.1, part } });
    const count = await data.countEpochWindows();
    const rows: string[] = [];
    for await (const batch of data.batches()) rows.push(...sourceKeys(batch));
    assertEquals(rows.length, count);
    return rows;
  };
  const train = await keys("train");
  const heldOut = await keys("heldout");
  // Reads of 2, 7 and 221 windows hold out ceil(10 %) of theirs: 1, 1 and 23.
  assertEquals(heldOut, ["0/0/1", "0/1/6", ...Array.from({ length: 23 }, (_, w) => `0/2/${198 + w}`)]);
  assertEquals(train.length, 205);
  assertEquals(new Set([...train, ...heldOut]).size, 230);
  // Resuming inside the training part continues exactly.
  await using data = dataset([Z1], { batchSize: 8, tailSplit: { fraction: 0.1, part: "train" } });
  const straight = await collect(data);
  const resumed = await collect(data, { from: JSON.parse(straight[10]!.position) });
  assertEquals(resumed, straight.slice(11));
});

Deno.test("NanoporeSignalDataset.batches() gives identical batches with 0, 1 and 2 workers", async () => {
  const files = [Z1, fixture(DORADO_5KHZ), fixture("not_a_pod5.pod5"), Z1];
  for (const shuffleWindows of [0, 50]) {
    const runs = [];
    for (const workers of [0, 1, 2]) {
      await using data = dataset(files, { workers, shuffleWindows, seed: 3, prefetchBatches: 2 });
      runs.push(await collect(data, { endEpoch: 2 }));
    }
    assertEquals(runs[0]!.length, 2 * Math.floor(460 / 16));
    assertEquals(runs[1], runs[0], `1 worker, shuffle ${shuffleWindows}`);
    assertEquals(runs[2], runs[0], `2 workers, shuffle ${shuffleWindows}`);
  }
});

Deno.test("NanoporeSignalDataset.batches() shuffles with a seeded full permutation of each epoch", async () => {
  const order = async (options: Partial<NanoporeSignalDatasetOptions>, epoch = 0) => {
    await using data = dataset([Z1], { batchSize: 10, dropLast: false, ...options });
    return (await collect(data, { from: data.startPosition(epoch) })).flatMap((b) => b.sources);
  };
  const plain = await order({});
  const shuffled = await order({ shuffleWindows: 64, seed: 7 });
  assertEquals(shuffled.length, 230);
  assertEquals([...shuffled].sort(), [...plain].sort());
  assertNotEquals(shuffled, plain);
  assertEquals(await order({ shuffleWindows: 64, seed: 7 }), shuffled);
  assertNotEquals(await order({ shuffleWindows: 64, seed: 8 }), shuffled);
  assertNotEquals(await order({ shuffleWindows: 64, seed: 7 }, 1), shuffled);
  // Blocks of 64 windows: the first 64 rows are a permutation of the first 64 stream windows.
  assertEquals(shuffled.slice(0, 64).sort(), plain.slice(0, 64).sort());
});

Deno.test("NanoporeSignalDataset.batches() with shuffleFiles visits the files in a seeded order that changes every epoch", async () => {
  // Four copies of z1: the same reads under four file indices, so the order of visits shows in the sources.
  const files = [Z1, Z1, Z1, Z1];
  const visits = async (seed: number, epoch: number) => {
    await using data = dataset(files, { shuffleFiles: true, seed, batchSize: 46, dropLast: false });
    const order: number[] = [];
    for await (const batch of data.batches({ from: data.startPosition(epoch) })) {
      for (const source of batch.sources) if (order.at(-1) !== source.fileIndex) order.push(source.fileIndex);
    }
    return order;
  };
  const orders: string[] = [];
  for (let epoch = 0; epoch < 6; epoch++) orders.push((await visits(5, epoch)).join(""));
  for (const order of orders) assertEquals([...order].sort().join(""), "0123", "each file once, whole");
  assert(new Set(orders).size >= 3, `epochs 0-5 visit the files in ${orders.join(", ")}`);
  assert(orders.some((order) => order !== "0123"), "not the given order");
  assertEquals((await visits(5, 2)).join(""), orders[2], "the same seed and epoch give the same order");
  assert((await Promise.all([1, 2, 3, 4].map((seed) => visits(seed, 0)))).some((o) => o.join("") !== orders[0]));
});

Deno.test("NanoporeSignalDataset.batches() with interleaveFiles takes windows from that many files in turn", async () => {
  await using single = dataset([Z1], { dropLast: false });
  const z1 = (await collect(single)).flatMap((b) => b.sources).map((key) => key.slice(key.indexOf("/")));
  assertEquals(z1.length, 230);
  // Six copies, four lanes: lane j reads files j, j + 4, ...; the lanes give one window each in turn.
  const files = [Z1, Z1, Z1, Z1, Z1, Z1];
  const expected = [
    ...z1.flatMap((key) => [0, 1, 2, 3].map((file) => `${file}${key}`)),
    ...z1.flatMap((key) => [4, 5].map((file) => `${file}${key}`)),
  ];
  for (const workers of [0, 2]) {
    await using data = dataset(files, { interleaveFiles: 4, workers, batchSize: 16, dropLast: false });
    const batches = await collect(data);
    assertEquals(batches.flatMap((b) => b.sources), expected, `workers ${workers}`);
    // So a batch holds windows of four files, not sixteen consecutive windows of one.
    assertEquals(new Set(batches[0]!.sources.map((key) => key.split("/")[0])).size, 4);
  }
});

Deno.test("NanoporeSignalDataset.batches() resumes exactly with shuffled, interleaved files and shuffle blocks", async () => {
  const files = [Z1, fixture(DORADO_5KHZ), Z1, Z1, fixture("not_a_pod5.pod5")];
  for (const shuffleWindows of [0, 50]) {
    const options = { shuffleFiles: true, interleaveFiles: 3, shuffleWindows, seed: 4, batchSize: 16 };
    const runs = [];
    for (const workers of [0, 2]) {
      await using data = dataset(files, { ...options, workers, prefetchBatches: 2 });
      runs.push(await collect(data, { endEpoch: 2 }));
    }
    assertEquals(runs[1], runs[0], `2 workers give the same batches, shuffle ${shuffleWindows}`);
    const straight = runs[0]!;
    assertEquals(straight.length, 2 * Math.floor(690 / 16));
    await using data = dataset(files, options);
    for (const k of [1, 5, 21, 42, 43, 60]) {
      const resumed = await collect(data, { from: JSON.parse(straight[k - 1]!.position), endEpoch: 2 });
      assertEquals(resumed, straight.slice(k), `shuffle ${shuffleWindows}, resumed after batch ${k}`);
    }
  }
});

Deno.test("NanoporeSignalDataset.batches() resumes at the exact next window from a saved position", async () => {
  const files = [Z1, Z1];
  for (const shuffleWindows of [0, 50]) {
    await using data = dataset(files, { shuffleWindows, seed: 11 });
    const straight = await collect(data, { endEpoch: 2 });
    assertEquals(straight.length, 56);
    // Resume after batch k − 1: inside a read, inside a shuffle block, at the epoch's last batch, and across it.
    for (const k of [1, 3, 7, 27, 28, 29, 55]) {
      const from = JSON.parse(straight[k - 1]!.position);
      const resumed = await collect(data, { from, endEpoch: 2 });
      assertEquals(resumed, straight.slice(k), `shuffle ${shuffleWindows}, resumed after batch ${k}`);
    }
  }
});

Deno.test("NanoporeSignalDataset.batches() rejecting a position saved with other settings", async () => {
  await using shuffled = dataset([Z1], { shuffleWindows: 50 });
  await using plain = dataset([Z1]);
  const position = shuffled.startPosition(0);
  await assertRejects(() => collect(plain, { from: position }), RangeError, "shuffle block 50");
  await assertRejects(
    () => collect(plain, { from: { ...plain.startPosition(), windowSamples: 8000 } }),
    RangeError,
    "8000-sample windows",
  );
  await assertRejects(
    () => collect(plain, { from: { ...plain.startPosition(), lanes: [{ order: 0, readIndex: -1, windowIndex: 0 }] } }),
    RangeError,
    "position.lanes[0].readIndex -1",
  );
  await using interleaved = dataset([Z1], { interleaveFiles: 2 });
  await assertRejects(() => collect(interleaved, { from: plain.startPosition() }), RangeError, "interleaving 1 files");
  await assertRejects(
    () =>
      collect(interleaved, {
        from: {
          ...interleaved.startPosition(),
          lanes: [{ order: 0, readIndex: 0, windowIndex: 0 }, { order: 2, readIndex: 0, windowIndex: 0 }],
        },
      }),
    RangeError,
    "order 2 is not a file of lane 1",
  );
  await assertRejects(() => collect(shuffled, { from: { ...position, epochWindow: 7 } }), RangeError, "blocks of 50");
  assertThrows(() => dataset([Z1], { batchSize: 0 }), RangeError, "batchSize 0");
});

Deno.test("NanoporeSignalDataset.batches() skips files at another sample rate with a warning", async () => {
  const files = [fixture("b1.pod5"), Z1, fixture("can_reads.pod5")];
  const warnings: DatasetWarning[] = [];
  await using at5k = dataset(files, { dropLast: false, onWarning: (w) => warnings.push(w) });
  const rows = (await collect(at5k)).reduce((n, b) => n + b.batchSize, 0);
  assertEquals(rows, 230);
  assertEquals(warnings.map((w) => w.path), [fixture("b1.pod5"), fixture("can_reads.pod5")]);
  for (const w of warnings) {
    assertStringIncludes(formatDatasetWarning(w), `[warn] ${w.path}: skipped file: sample rate 4000 Hz differs`);
  }
  await using at4k = dataset(files, { sampleRateHz: 4_000, dropLast: false });
  const rows4k = (await collect(at4k)).reduce((n, b) => n + b.batchSize, 0);
  assertEquals(rows4k, (await expectedWindows(files[0]!, 4_000)) + (await expectedWindows(files[2]!, 4_000)));
  assertGreater(rows4k, 8);
});

Deno.test("NanoporeSignalDataset.batches() skips corrupt files and reads with a warning naming the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "simvqgan_corrupt_" });
  try {
    const z1 = await Deno.readFile(Z1);
    const truncated = join(dir, "truncated.pod5");
    const notPod5 = join(dir, "not_a_pod5.pod5");
    const badRead = join(dir, "bad_read.pod5");
    await Deno.writeFile(truncated, z1.subarray(0, z1.length >> 1));
    await Deno.copyFile(fixture("not_a_pod5.pod5"), notPod5);
    await Deno.writeFile(badRead, breakZstdFrame(z1, 1)); // read 1's first signal chunk
    for (const workers of [0, 2]) {
      const warnings: DatasetWarning[] = [];
      await using data = dataset([truncated, Z1, notPod5, badRead], {
        workers,
        dropLast: false,
        onWarning: (w) => warnings.push(w),
      });
      const batches = await collect(data, { endEpoch: 2 });
      const epoch0 = batches.filter((b) => b.epoch === 0).flatMap((b) => b.sources);
      assertEquals(epoch0.length, 230 + 2 + 221, `workers ${workers}`);
      assertEquals(epoch0.filter((key) => key.startsWith("3/1/")).length, 0);
      // Once per distinct warning, not once per epoch.
      assertEquals(warnings.map((w) => w.path), [truncated, notPod5, badRead], `workers ${workers}`);
      assertStringIncludes(warnings[0]!.message, "skipped file: ");
      assertStringIncludes(warnings[1]!.message, "bad signature");
      assertStringIncludes(warnings[2]!.message, "skipped read ac858d30-eccc-44e3-9896-a238e78a9939: signal chunk 0");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("NanoporeSignalDataset.batches() skips reads with MAD 0 with a warning and counts them per epoch", async () => {
  await withTempDir(async (dir) => {
    const flat = join(dir, "flat_read.pod5");
    const { readId: flatId, numSamples } = await writeFlatRead(Z1, flat, 1); // read 1: 7 windows
    for (const workers of [0, 2]) {
      const warnings: DatasetWarning[] = [];
      await using data = dataset([flat, Z1], { workers, dropLast: false, onWarning: (w) => warnings.push(w) });
      const batches: DatasetBatch[] = [];
      for await (const batch of data.batches({ endEpoch: 2 })) batches.push(batch);
      const epoch0 = batches.filter((b) => b.epoch === 0);
      const ids = epoch0.flatMap((b) => b.sources.map((s) => `${s.fileIndex}/${s.readId}`));
      assertEquals(ids.length, 230 - 7 + 230, `workers ${workers}`);
      assertEquals(ids.filter((id) => id === `0/${flatId}`).length, 0);
      assertEquals(ids.filter((id) => id === `1/${flatId}`).length, 7, "z1's own copy of the read is kept");
      let largest = 0;
      for (const batch of epoch0) for (const v of batch.values) largest = Math.max(largest, Math.abs(v));
      assert(largest < 100, `normalised values stay small, largest ${largest}`);
      assertEquals(warnings.map((w) => [w.path, w.message]), [[
        flat,
        `skipped read ${flatId}: its MAD is 0 (at least half of its ${numSamples} samples equal its ` +
        "median), so median/MAD normalisation cannot scale it",
      ]]);
      // Warned once, counted in every epoch's summary, which rides on the epoch's last batch only.
      const ends = batches.filter((b) => b.epochEnd !== undefined);
      assertEquals(ends.map((b) => [b === epoch0.at(-1) || b === batches.at(-1), b.epochEnd]), [
        [true, { epoch: 0, complete: true, windows: 453, madZeroReads: 1, failedReads: 0 }],
        [true, { epoch: 1, complete: true, windows: 453, madZeroReads: 1, failedReads: 0 }],
      ]);
    }
  });
});

Deno.test("NanoporeSignalDataset.batches() with complementary read filters gives disjoint held-out windows", async () => {
  const files = [fixture("can_reads.pod5"), fixture("b1.pod5")];
  const options = { sampleRateHz: 4_000, batchSize: 4, dropLast: false };
  const reads = async (part: "train" | "heldout" | "all") => {
    const filter = part === "all" ? {} : { readFilter: readSplitFilter(part, { fraction: 0.4 }) };
    await using data = dataset(files, { ...options, ...filter });
    const ids: string[] = [];
    for await (const batch of data.batches()) ids.push(...batch.sources.map((s) => s.readId));
    return ids;
  };
  const train = await reads("train");
  const heldOut = await reads("heldout");
  const all = await reads("all");
  assert(train.length > 0 && heldOut.length > 0);
  assertEquals(train.filter((id) => heldOut.includes(id)), []);
  assertEquals([...train, ...heldOut].sort(), [...all].sort());
});

Deno.test("NanoporeSignalDataset.batches() aborts with the signal's reason and allows one iteration at a time", async () => {
  await using data = dataset([Z1], { batchSize: 4 });
  const controller = new AbortController();
  const iterator = data.batches({ signal: controller.signal });
  const first = await iterator.next();
  assertEquals(first.done, false);
  await assertRejects(() => data.batches().next(), Error, "another iteration is running");
  controller.abort(new RangeError("stop here"));
  await assertRejects(() => iterator.next(), RangeError, "stop here");
  // The aborted iteration released the dataset.
  assertEquals((await data.batches().next()).done, false);
});

Deno.test("NanoporeSignalDataset.batches() leaves no worker running after it ends, breaks, aborts or closes", async () => {
  const probe = new URL("./_dataset_exit_probe.ts", import.meta.url).pathname;
  const run = async (mode: string) => {
    const command = new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--allow-read", probe, mode],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    });
    const { code, stdout, stderr } = await command.output();
    return { code, out: new TextDecoder().decode(stdout).trim(), err: new TextDecoder().decode(stderr) };
  };
  const results = await Promise.all(["complete", "break", "abort", "close"].map(run));
  assertEquals(results.map((r) => r.code), [0, 0, 0, 0], results.map((r) => r.err).join("\n"));
  assertEquals(results.map((r) => r.out), ["complete 115", "break 2", "abort AbortError", "close 1"]);
});

Deno.test("NanoporeSignalDataset.batches() batch values are row-major [batch, windowSamples] copies", async () => {
  await using data = dataset([Z1], { batchSize: 3 });
  // Keep every batch with a snapshot taken when it was yielded; compare only after the last one.
  const kept: { batch: DatasetBatch; snapshot: Float32Array }[] = [];
  for await (const batch of data.batches()) kept.push({ batch, snapshot: batch.values.slice() });
  const seen = new Set<string>();
  for (const [i, { batch, snapshot }] of kept.entries()) {
    assertEquals(batch.values.length, 3 * WINDOW);
    assertEquals(batch.windowSamples, WINDOW);
    assertEquals(batch.values, snapshot, `batch ${i} changed after later batches were yielded`);
    for (let row = 0; row < batch.batchSize; row++) {
      seen.add(sha256Floats(batch.values.subarray(row * WINDOW, (row + 1) * WINDOW)));
    }
  }
  assertEquals(kept.length, 76);
  assertEquals(seen.size, 228);
});
