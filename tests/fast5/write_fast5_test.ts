import { join } from "@std/path";
import { assertEquals, assertRejects } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { Fast5Error, SINGLE_READ_FILE_VERSION, writeSingleReadFast5 } from "../../lib/fast5/mod.ts";
import { Pod5Reader } from "../../lib/pod5/mod.ts";
import { signalSha256 } from "../../lib/pod5/inspect_records.ts";
import { DORADO_5KHZ, fixture } from "../pod5/_fixtures.ts";
import { runPython } from "./_fast5_fixtures.ts";

/** What scrappie reads of a single-read FAST5 (fast5_interface.c), read back with h5py. */
const SCRIPT = `
import hashlib, json, sys, h5py
out = []
for path in sys.argv[1:]:
    with h5py.File(path, "r") as f:
        reads = f["Raw/Reads"]
        (name,) = list(reads.keys())
        raw = reads[name]
        ch = f["UniqueGlobalKey/channel_id"].attrs
        sig = raw["Signal"][()]
        text = lambda g: {k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in f[g].attrs.items()}
        out.append({
            "file_version": str(f.attrs["file_version"]),
            "group": name,
            "read_id": raw.attrs["read_id"].decode() if isinstance(raw.attrs["read_id"], bytes) else str(raw.attrs["read_id"]),
            "read_number": int(raw.attrs["read_number"]), "start_time": int(raw.attrs["start_time"]),
            "duration": int(raw.attrs["duration"]), "start_mux": int(raw.attrs["start_mux"]),
            "median_before": float(raw.attrs["median_before"]),
            "dtype": str(sig.dtype), "sha256": hashlib.sha256(sig.astype("<i2").tobytes()).hexdigest(),
            "channel_number": str(ch["channel_number"].decode() if isinstance(ch["channel_number"], bytes) else ch["channel_number"]),
            "pa_per_adc": float(ch["range"]) / float(ch["digitisation"]), "digitisation": float(ch["digitisation"]),
            "offset": float(ch["offset"]), "sampling_rate": float(ch["sampling_rate"]),
            "tracking_id": text("UniqueGlobalKey/tracking_id"), "context_tags": text("UniqueGlobalKey/context_tags"),
        })
print(json.dumps(out).replace("NaN", "null"))
`;

Deno.test("writeSingleReadFast5() writes scrappie's layout, read back by h5py with every value intact", async () => {
  await withTempDir(async (dir) => {
    const expected: unknown[] = [];
    const paths: string[] = [];
    for (const name of ["b1.pod5", DORADO_5KHZ]) {
      await using reader = await Pod5Reader.open(fixture(name));
      for await (const read of reader.reads()) {
        const path = join(dir, `${read.readId}.fast5`);
        await writeSingleReadFast5(path, read, read.runInfo);
        paths.push(path);
        const digitisation = read.runInfo.adcMax - read.runInfo.adcMin + 1;
        expected.push({
          file_version: SINGLE_READ_FILE_VERSION,
          group: `Read_${read.readNumber}`,
          read_id: read.readId,
          read_number: read.readNumber,
          start_time: read.startSample,
          duration: read.numSamples,
          start_mux: read.well,
          median_before: Number.isNaN(read.medianBeforePa) ? null : read.medianBeforePa,
          dtype: "int16",
          sha256: signalSha256(read.signal()),
          channel_number: String(read.channel),
          pa_per_adc: read.calibration.scalePaPerAdc,
          // The Dorado fixture's synthetic ADC range (1024..0) is not positive: written as 1.
          digitisation: digitisation > 0 ? digitisation : 1,
          offset: read.calibration.offsetAdc,
          sampling_rate: read.sampleRateHz,
          tracking_id: { run_id: read.acquisitionId, ...read.runInfo.trackingId },
          context_tags: { ...read.runInfo.contextTags },
        });
      }
    }
    assertEquals(paths.length, 5);
    assertEquals(JSON.parse(await runPython(["-c", SCRIPT, ...paths])), expected);
  });
});

Deno.test("writeSingleReadFast5() leaves an existing file alone unless told to replace it", async () => {
  await withTempDir(async (dir) => {
    await using reader = await Pod5Reader.open(fixture("b1.pod5"));
    const [run] = reader.runInfos;
    const read = (await Array.fromAsync(reader.reads()))[0];
    if (run === undefined || read === undefined) throw new Error("b1.pod5 has reads");
    const path = join(dir, "read.fast5");
    await Deno.writeTextFile(path, "keep");
    await assertRejects(() => writeSingleReadFast5(path, read, run), Fast5Error, "the file exists");
    assertEquals(await Deno.readTextFile(path), "keep");
    await writeSingleReadFast5(path, read, run, { overwrite: true });
    assertEquals((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name), ["read.fast5"]);
  });
});
