import { join } from "@std/path";
import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import {
  convertFast5ToPod5,
  Fast5Error,
  Fast5FilterError,
  type Fast5Read,
  readFast5,
  VBZ_FILTER_ID,
} from "../../lib/fast5/mod.ts";
import { createVbzEncoder, inspectRecords, Pod5Reader, type RunInfo } from "../../lib/pod5/mod.ts";
import { pathExists } from "../../lib/runtime/path_exists.ts";
import { sha256Hex } from "../../lib/runtime/sha256_hex.ts";
import { runTask } from "../tasks/_run_task.ts";
import {
  type H5pyRead,
  type H5pyRun,
  h5pyTruth,
  MULTI_READ,
  R94_DIR,
  r94Files,
  runPython,
  sharedFast5Files,
} from "./_fast5_fixtures.ts";

/** The inspect --jsonl keys h5py's values are compared on (all of them). */
function inspectView(read: H5pyRead): Record<string, unknown> {
  const { scale_f64: _s, median_before_f64: _m, pore_type: _p, ...view } = read;
  return view;
}

/** h5py's run in the POD5 reader's terms. */
function runView(run: H5pyRun): Record<string, unknown> {
  return {
    acquisitionId: run.acquisition_id,
    acquisitionStartTimeMs: run.acquisition_start_time_ms,
    adcMax: run.adc_max,
    adcMin: run.adc_min,
    contextTags: run.context_tags,
    experimentName: run.experiment_name,
    flowCellId: run.flow_cell_id,
    flowCellProductCode: run.flow_cell_product_code,
    protocolName: run.protocol_name,
    protocolRunId: run.protocol_run_id,
    protocolStartTimeMs: run.protocol_start_time_ms,
    sampleId: run.sample_id,
    sampleRateHz: run.sample_rate,
    sequencingKit: run.sequencing_kit,
    sequencerPosition: run.sequencer_position,
    sequencerPositionType: run.sequencer_position_type,
    systemName: run.system_name,
    systemType: run.system_type,
    trackingId: run.tracking_id,
  };
}

function withoutSoftware(run: RunInfo): Record<string, unknown> {
  const { software: _software, ...rest } = run;
  return { ...rest };
}

/** A library read in h5py's terms (float64 calibration and median_before, before POD5's float32). */
async function libraryView(read: Fast5Read): Promise<Record<string, unknown>> {
  return {
    read_id: read.readId,
    num_samples: read.numSamples,
    sample_rate: read.runInfo.sampleRateHz,
    calibration_offset: read.calibration.offsetAdc,
    scale_f64: read.calibration.scalePaPerAdc,
    channel: read.channel,
    well: read.well,
    read_number: read.readNumber,
    start_sample: read.startSample,
    median_before_f64: Number.isNaN(read.medianBeforePa) ? null : read.medianBeforePa,
    end_reason: read.endReason.name,
    acquisition_id: read.acquisitionId,
    signal_sha256: await sha256Hex(read.signal()),
    pore_type: read.poreType,
  };
}

function h5pyLibraryView(read: H5pyRead): Record<string, unknown> {
  const { calibration_scale: _c, median_before: _m, ...rest } = read;
  return rest;
}

/** Compare a converted POD5 with h5py's values: every read (inspect's fields) and every run. */
async function assertPod5MatchesH5py(pod5: string, files: readonly string[]): Promise<void> {
  const truth = await h5pyTruth(files);
  await using reader = await Pod5Reader.open(pod5);
  const records: Record<string, unknown>[] = [];
  for await (const record of inspectRecords(reader, { signalSha256: true })) records.push({ ...record });
  assertEquals(records, truth.reads.map(inspectView));
  assertEquals(reader.runInfos.map(withoutSoftware), Object.values(truth.runs).map(runView));
}

Deno.test("readFast5() gives h5py's values for the bundled single- and multi-read FAST5 files", async () => {
  const files = [...await r94Files(), MULTI_READ];
  const truth = await h5pyTruth(files);
  const reads: Record<string, unknown>[] = [];
  const runs = new Map<string, Record<string, unknown>>();
  for (const file of files) {
    for await (const read of readFast5(file)) {
      reads.push(await libraryView(read));
      if (!runs.has(read.acquisitionId)) runs.set(read.acquisitionId, withoutSoftware(read.runInfo));
    }
  }
  assertEquals(reads.length, 14);
  assertEquals(reads, truth.reads.map(h5pyLibraryView));
  assertEquals([...runs.values()], Object.values(truth.runs).map(runView));
});

Deno.test("convertFast5ToPod5() writes h5py's values into the POD5 (4 single-read files and the multi-read one)", async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, "reads.pod5");
    const result = await convertFast5ToPod5([R94_DIR, MULTI_READ], out);
    assertEquals([result.readCount, result.runCount, result.files.length], [14, 2, 5]);
    await assertPod5MatchesH5py(out, result.files);
  });
});

Deno.test({
  name:
    "deno task convert gives h5py's values for every shared FAST5 (80 single-read R9.4 files, the multi-read gzip file)",
  fn: async () => {
    const files = await sharedFast5Files();
    await withTempDir(async (dir) => {
      const out = join(dir, "shared.pod5");
      const singleDir = join(files[0]!, "..");
      const task = await runTask("convert", [singleDir, files.at(-1)!, "-o", out]);
      assertEquals(task.code, 0, task.stderr);
      assertEquals(task.stderr, `wrote ${out}: 90 reads, 5,482,522 samples, 2 run(s) from 81 FAST5 file(s)`);
      const inspect = await runTask("inspect", [out, "--jsonl", "--signal-sha256"]);
      assertEquals(inspect.code, 0, inspect.stderr);
      const truth = await h5pyTruth(files);
      const lines = inspect.stdout.trim().split("\n").map((line) => JSON.parse(line));
      assertEquals(lines, truth.reads.map(inspectView));
      await assertPod5MatchesH5py(out, files);
    });
  },
});

Deno.test("deno task convert refuses bad input with one line and exit 2, and never leaves an output", async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, "out.pod5");
    const notHdf5 = join(dir, "notes.fast5");
    await Deno.writeTextFile(notHdf5, "hahaha\n");
    const truncated = join(dir, "truncated.fast5");
    const whole = await Deno.readFile(MULTI_READ);
    await Deno.writeFile(truncated, whole.subarray(0, whole.length >> 1));
    const empty = join(dir, "empty");
    await Deno.mkdir(empty);
    const cases: [string[], string][] = [
      [[notHdf5, "-o", out], `error: ${notHdf5}: Cannot open FAST5: not an HDF5 file (or a damaged one)`],
      [[join(dir, "missing.fast5"), "-o", out], `error: ${join(dir, "missing.fast5")}: Cannot convert: no such file`],
      [[empty, "-o", out], `error: ${empty}: Cannot convert: no .fast5 files in this folder`],
      [[truncated, "-o", out], `error: ${truncated}: Cannot`],
    ];
    for (const [args, expected] of cases) {
      const task = await runTask("convert", args);
      assertEquals(task.code, 2, task.stderr);
      assert(task.stderr.startsWith(expected), `${task.stderr}\nexpected: ${expected}`);
      assertEquals(task.stderr.split("\n").length, 1, task.stderr);
      assert(!(await pathExists(out)), "an output was left");
    }
    assertEquals((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort(), [
      "empty",
      "notes.fast5",
      "truncated.fast5",
    ]);
  });
});

Deno.test("deno task convert replaces an existing output only with --force", async () => {
  await withTempDir(async (dir) => {
    const out = join(dir, "out.pod5");
    await Deno.writeTextFile(out, "keep me");
    const refused = await runTask("convert", [MULTI_READ, "-o", out]);
    assertEquals(refused.code, 2, refused.stderr);
    assert(refused.stderr.includes("the file exists"), refused.stderr);
    assertEquals(await Deno.readTextFile(out), "keep me");
    const forced = await runTask("convert", [MULTI_READ, "-o", out, "--force"]);
    assertEquals(forced.code, 0, forced.stderr);
    await using reader = await Pod5Reader.open(out);
    assertEquals(reader.readCount, 10);
  });
});

Deno.test("convertFast5ToPod5() refuses a read id met twice and an output that is an input", async () => {
  await withTempDir(async (dir) => {
    const copy = join(dir, "copy.fast5");
    await Deno.copyFile(MULTI_READ, copy);
    const error = await assertRejects(() => convertFast5ToPod5([MULTI_READ, copy], join(dir, "out.pod5")), Fast5Error);
    assert(error.message.startsWith(`${copy}: Cannot convert /read_0000173c-`), error.message);
    assert(error.message.includes("it was added already"), error.message);
    assert(!(await pathExists(join(dir, "out.pod5"))));
    await assertRejects(
      () => convertFast5ToPod5([copy], copy, { overwrite: true }),
      Error,
      "the output is one of the inputs",
    );
  });
});

/** Write a multi-read FAST5 whose Signal uses ONT's VBZ filter, with h5py's write_direct_chunk. */
async function writeVbzFast5(path: string, samples: Int16Array): Promise<void> {
  // ONT's plugin frames a chunk as vbz_compress_sized does: the uncompressed byte count (uint32, little-endian),
  // then VBZ (zstd of svb16 of zig-zag deltas, as POD5 stores signal); cd_values (1, 2, 1, 1) as ont_fast5_api writes.
  const body = (await createVbzEncoder()).encode(samples);
  const chunk = new Uint8Array(4 + body.length);
  new DataView(chunk.buffer).setUint32(0, samples.byteLength, true);
  chunk.set(body, 4);
  await Deno.writeFile(`${path}.chunk`, chunk);
  const script = `
import sys, h5py
path, chunk, n = sys.argv[1], open(sys.argv[2], "rb").read(), int(sys.argv[3])
with h5py.File(path, "w") as f:
    g = f.create_group("read_0a79767d-1b7e-4b0b-9f8c-0f6e6a9c1d21")
    g.attrs["run_id"] = b"vbz_run"
    raw = g.create_group("Raw")
    for k, v in {"read_id": b"0a79767d-1b7e-4b0b-9f8c-0f6e6a9c1d21", "read_number": 1, "start_time": 0, "start_mux": 1}.items():
        raw.attrs[k] = v
    d = raw.create_dataset("Signal", shape=(n,), dtype="i2", chunks=(n,), compression=32020,
                           compression_opts=(1, 2, 1, 1), allow_unknown_filter=True)
    d.id.write_direct_chunk((0,), chunk)
    c = g.create_group("channel_id")
    for k, v in {"channel_number": b"1", "digitisation": 8192.0, "offset": 0.0, "range": 1400.0, "sampling_rate": 4000.0}.items():
        c.attrs[k] = v
    g.create_group("tracking_id").attrs["run_id"] = b"vbz_run"
    g.create_group("context_tags")
`;
  await runPython(["-c", script, path, `${path}.chunk`, String(samples.length)]);
}

Deno.test("deno task convert refuses VBZ-compressed signal (filter 32020) with one line naming the filter and the repack", async () => {
  await withTempDir(async (dir) => {
    const vbz = join(dir, "vbz.fast5");
    await writeVbzFast5(vbz, Int16Array.from({ length: 5000 }, (_, i) => 450 + ((i * 37) % 200)));
    const error = await assertRejects(async () => {
      for await (const _ of readFast5(vbz)) { /* the first read throws */ }
    }, Fast5FilterError);
    assertEquals(error.filterId, VBZ_FILTER_ID);
    const out = join(dir, "out.pod5");
    const task = await runTask("convert", [vbz, "-o", out]);
    assertEquals(task.code, 2, task.stderr);
    assertEquals(task.stderr.split("\n").length, 1, task.stderr);
    assert(
      task.stderr.startsWith(
        `error: ${vbz}: Cannot read FAST5: /read_0a79767d-1b7e-4b0b-9f8c-0f6e6a9c1d21/Raw/Signal is compressed with HDF5 filter 32020 (VBZ)`,
      ),
      task.stderr,
    );
    assert(task.stderr.includes("`h5repack -f NONE IN.fast5 OUT.fast5`"), task.stderr);
    assert(!(await pathExists(out)), "an output was left");
  });
});
