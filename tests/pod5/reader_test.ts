import { assert, assertAlmostEquals, assertEquals, assertRejects } from "../_assert.ts";
import { Pod5Error, Pod5FormatError, type Pod5Read, Pod5Reader, Pod5ReadNotFoundError } from "../../lib/pod5/mod.ts";
import { DORADO_5KHZ, fixture, loadTruth, READABLE_FIXTURES, sha256Int16, type TruthRead } from "./_fixtures.ts";

const FLOAT_TOLERANCE = 5e-6;

function assertFloatOrNaN(actual: number, expected: number | null | undefined, what: string): void {
  if (expected === null || expected === undefined) {
    assert(Number.isNaN(actual), `${what}: expected NaN, got ${actual}`);
  } else {
    assertAlmostEquals(actual, expected, FLOAT_TOLERANCE, what);
  }
}

for (const name of ["z1", "b1"]) {
  Deno.test(`Pod5Reader.reads() matches truth/${name}.json field by field`, async () => {
    const truth = await loadTruth(name);
    await using pod5 = await Pod5Reader.open(fixture(`${name}.pod5`));
    assertEquals(pod5.readCount, truth.n_reads);
    const expected = new Map<string, TruthRead>(truth.reads.map((r) => [r.read_id, r]));
    let total = 0;
    for await (const read of pod5.reads()) {
      const t = expected.get(read.readId);
      assert(t !== undefined, `unexpected read ${read.readId}`);
      expected.delete(read.readId);
      assertEquals(read.acquisitionId, t.acquisition_id);
      assertEquals(read.numSamples, t.len_raw_signal);
      assertEquals(read.channel, t.channel);
      assertEquals(read.well, t.start_mux);
      assertEquals(read.readNumber, t.read_number);
      assertEquals(read.startSample, t.start_time);
      assertFloatOrNaN(read.medianBeforePa, t.median_before, "median_before");
      assertAlmostEquals(read.calibration.offsetAdc, t.offset, FLOAT_TOLERANCE);
      assertEquals(read.calibration.scalePaPerAdc, t.calibration_scale_f32);
      assertEquals(read.runInfo.adcMax - read.runInfo.adcMin + 1, t.digitisation);
      assertAlmostEquals(read.calibration.scalePaPerAdc * t.digitisation, t.range, FLOAT_TOLERANCE);
      assertEquals(read.sampleRateHz, t.sampling_rate);
      assertEquals(read.sampleRate, t.sampling_rate);
      assertEquals(read.endReason.name, t.end_reason.label);
      const aux = t.other_aux;
      assertFloatOrNaN(read.trackedScaling.scale, aux["tracked_scaling_scale"], "tracked_scaling_scale");
      assertFloatOrNaN(read.trackedScaling.shift, aux["tracked_scaling_shift"], "tracked_scaling_shift");
      assertFloatOrNaN(read.predictedScaling.scale, aux["predicted_scaling_scale"], "predicted_scaling_scale");
      assertFloatOrNaN(read.predictedScaling.shift, aux["predicted_scaling_shift"], "predicted_scaling_shift");
      assertFloatOrNaN(read.timeSinceMuxChangeSec, aux["time_since_mux_change"], "time_since_mux_change");
      assertFloatOrNaN(read.openPoreLevelPa, aux["open_pore_level"], "open_pore_level");
      assertEquals(read.numReadsSinceMuxChange, aux["num_reads_since_mux_change"]);
      assertEquals(read.numMinknowEvents, aux["num_minknow_events"]);
      const signal = read.signal();
      assertEquals(sha256Int16(signal), t.signal.sha256_int16le);
      let sum = 0, min = Infinity, max = -Infinity;
      for (const x of signal) {
        sum += x;
        if (x < min) min = x;
        if (x > max) max = x;
      }
      assertEquals([sum, min, max], [t.signal.sum, t.signal.min, t.signal.max]);
      assertEquals(Array.from(signal.subarray(0, 8)), t.signal.first8);
      assertEquals(Array.from(signal.subarray(signal.length - 8)), t.signal.last8);
      total += signal.length;
    }
    assertEquals(expected.size, 0, "reads missing from the file");
    assertEquals(total, truth.total_samples);
  });
}

Deno.test("Pod5Reader.runInfos matches the truth run attributes", async () => {
  const truth = await loadTruth("z1");
  await using pod5 = await Pod5Reader.open(fixture("z1.pod5"));
  assertEquals(pod5.runInfos.length, 1);
  const run = pod5.runInfos[0]!;
  const t = truth.run_infos[run.acquisitionId]!;
  assertEquals(run.sampleRateHz, Number(t["sample_rate"]));
  assertEquals(String(run.adcMin), t["adc_min"]);
  assertEquals(run.flowCellId, t["flow_cell_id"]);
  assertEquals(run.experimentName, t["experiment_name"]);
  assertEquals(run.sequencingKit, t["sequencing_kit"]);
  assertEquals(run.protocolRunId, t["protocol_run_id"]);
  assertEquals(run.systemType, t["system_type"]);
  assertEquals(new Date(run.acquisitionStartTimeMs).toISOString(), "2023-06-02T14:12:59.057Z");
  assertEquals(run.contextTags["experiment_type"], t["experiment_type"]);
  assertEquals(run.trackingId["asic_id"], t["asic_id"]);
});

Deno.test("Pod5Reader joins a read split over 22 signal rows and one split over 2", async () => {
  await using z1 = await Pod5Reader.open(fixture("z1.pod5"));
  const long = await z1.read("49113cc9-b239-4099-bca3-6c6ff92173a8");
  assertEquals(long.signal().length, 2219753);
  await using remora = await Pod5Reader.open(fixture("can_reads.pod5"));
  let total = 0, longest = 0, low = Infinity, high = -Infinity;
  const channels: number[] = [], wells: number[] = [];
  for await (const read of remora.reads()) {
    const signal = read.signal();
    total += signal.length;
    longest = Math.max(longest, signal.length);
    for (const x of signal) {
      low = Math.min(low, x);
      high = Math.max(high, x);
    }
    channels.push(read.channel);
    wells.push(read.well);
    assertEquals(read.sampleRateHz, 4000);
  }
  assertEquals(remora.readCount, 14);
  assertEquals(total, 1016064);
  assertEquals(longest, 132863);
  assert(low >= 450 && high <= 1435, `raw range ${low}..${high}`);
  assertEquals([Math.min(...channels), Math.max(...channels)], [295, 2925]);
  assertEquals([Math.min(...wells), Math.max(...wells)], [1, 4]);
});

Deno.test("Pod5Reader reads the 5 kHz v0.3.35 file with open_pore_level and nonsense digitisation", async () => {
  await using pod5 = await Pod5Reader.open(fixture(DORADO_5KHZ));
  assertEquals(pod5.info.pod5Version, "0.3.35");
  const [read] = await Array.fromAsync(pod5.reads());
  assert(read !== undefined);
  assertEquals(read.sampleRateHz, 5000);
  assertEquals(read.numSamples, 2048);
  assert(Number.isNaN(read.openPoreLevelPa));
  assertEquals([read.runInfo.adcMin, read.runInfo.adcMax], [1024, 0]);
  const adc = read.signal();
  const pA = read.pA();
  assertEquals(Array.from(pA), Array.from(adc));
  assertEquals([Math.min(...adc), Math.max(...adc)], [604, 1245]);
});

Deno.test("Pod5Read.pA() is (adc + offset) × scale in float32", async () => {
  await using pod5 = await Pod5Reader.open(fixture("can_reads.pod5"));
  const read = await pod5.read("0a79767d-6812-41a0-b57c-70494818c81d");
  const adc = read.signal();
  assertEquals(Array.from(adc.subarray(0, 3)), [1057, 940, 928]);
  const pA = read.pA();
  for (let i = 0; i < 100; i++) {
    assertEquals(pA[i], Math.fround(Math.fround(adc[i]! - 253) * Math.fround(0.14620706)));
  }
  assertAlmostEquals(pA[0]!, 117.55, 0.01);
});

for (const name of READABLE_FIXTURES) {
  Deno.test(`Pod5Reader.read() equals iteration on ${name}`, async () => {
    await using pod5 = await Pod5Reader.open(fixture(name));
    const comparable = (read: Pod5Read) => ({ ...read, signal: sha256Int16(read.signal()), pA: read.pA().length });
    const iterated = [];
    for await (const read of pod5.reads()) iterated.push(comparable(read));
    assertEquals(iterated.map((r) => r.readId), pod5.readIds());
    for (const expected of [...iterated].reverse()) {
      assertEquals(comparable(await pod5.read(expected.readId.toUpperCase())), expected);
    }
  });
}

Deno.test("Pod5Reader.reads() with a selection yields those reads in file order", async () => {
  await using pod5 = await Pod5Reader.open(fixture("can_reads.pod5"));
  const ids = pod5.readIds();
  const selected = [ids[9]!, ids[2]!, ids[5]!];
  const got = await Array.fromAsync(pod5.reads({ selection: selected }), (r) => r.readId);
  assertEquals(got, [ids[2], ids[5], ids[9]]);
  const missing = "00000000-0000-0000-0000-000000000000";
  await assertRejects(() => Array.fromAsync(pod5.reads({ selection: [missing] })), Pod5ReadNotFoundError, missing);
  assertEquals(await Array.fromAsync(pod5.reads({ selection: [missing, ids[0]!], missingOk: true }), (r) => r.readId), [
    ids[0],
  ]);
});

Deno.test("Pod5Reader.read() rejecting an unknown id names the file and the id", async () => {
  await using pod5 = await Pod5Reader.open(fixture("b1.pod5"));
  const error = await assertRejects(() => pod5.read("12345678-1234-1234-1234-123456789abc"), Pod5ReadNotFoundError);
  assert(error.message.startsWith(fixture("b1.pod5")));
});

for (const [name, reason] of [["not_a_pod5.pod5", "bad signature"], ["empty_pod5.pod5", "bad signature"]]) {
  Deno.test(`Pod5Reader.open() rejecting ${name}`, async () => {
    const error = await assertRejects(() => Pod5Reader.open(fixture(name!)), Pod5FormatError);
    assertEquals(error.path, fixture(name!));
    assert(error.message.includes(reason!), error.message);
  });
}

Deno.test("Pod5Reader.open() rejecting a missing file, an empty file and a directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assertRejects(() => Pod5Reader.open(`${dir}/absent.pod5`), Pod5Error, "file not found");
    await Deno.writeFile(`${dir}/empty.pod5`, new Uint8Array(0));
    await assertRejects(() => Pod5Reader.open(`${dir}/empty.pod5`), Pod5FormatError, "the file is empty");
    await assertRejects(() => Pod5Reader.open(dir), Pod5Error, "is a directory");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
