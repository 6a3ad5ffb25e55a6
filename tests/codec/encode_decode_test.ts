import { tableFromIPC } from "apache-arrow";
import { join } from "@std/path";
import {
  CodecMismatchError,
  decodeTokens,
  encodePod5,
  loadCodec,
  type LoadedCodec,
  TokenFileError,
  TokenFileReader,
} from "../../lib/codec/mod.ts";
import { adcToPa } from "../../lib/pod5/calibration.ts";
import { Pod5Reader } from "../../lib/pod5/reader.ts";
import { InputError } from "../../lib/runtime/errors.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { makeTinyCheckpoint } from "./_tiny_checkpoint.ts";

const FIXTURES = new URL("../fixtures/pod5/", import.meta.url).pathname;
const Z1 = join(FIXTURES, "z1.pod5");
const DORADO_5KHZ = join(FIXTURES, "dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5");
const B1_4KHZ = join(FIXTURES, "b1.pod5");

/** Run `fn` with a tiny codec (in its own checkpoint folder) and a scratch folder. */
async function withCodec(fn: (codec: LoadedCodec, dir: string) => Promise<void>): Promise<void> {
  await withTempDir(async (dir) => {
    const codec = await loadCodec(await makeTinyCheckpoint(join(dir, "ckpt")), { backend: "wasm" });
    try {
      await fn(codec, dir);
    } finally {
      codec.dispose();
    }
  });
}

async function metadataOf(path: string) {
  await using reader = await Pod5Reader.open(path);
  return { runs: reader.runInfos, reads: reader.readMetadata() };
}

async function signalsOf(path: string): Promise<Map<string, Int16Array>> {
  await using reader = await Pod5Reader.open(path);
  const out = new Map<string, Int16Array>();
  for await (const read of reader.reads()) out.set(read.readId, read.signal());
  return out;
}

async function listFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("encodePod5() and decodeTokens() keep every read's metadata, run and length for every 5 kHz fixture", async () => {
  await withCodec(async (codec, dir) => {
    for (const input of [Z1, DORADO_5KHZ]) {
      const tokens = join(dir, "x.tokens"), restored = join(dir, "x.pod5");
      const encoded = await encodePod5(input, tokens, { codec, overwrite: true });
      const decoded = await decodeTokens(tokens, restored, { codec, overwrite: true });
      const before = await metadataOf(input), after = await metadataOf(restored);
      assertEquals(after, before, input);
      assertEquals([encoded.reads, decoded.reads, decoded.numSamples], [
        before.reads.length,
        before.reads.length,
        before.reads.reduce((n, r) => n + r.numSamples, 0),
      ]);
      // Every sample is coded: ceil(n / hop) codes per read (hop 20), tails and short reads included.
      await using reader = await TokenFileReader.open(tokens);
      for await (const read of reader.reads()) assertEquals(read.codes.length, Math.ceil(read.numSamples / 20));
    }
  });
});

Deno.test("encodePod5() writes identical bytes for 0, 1 and 2 workers, and decodeTokens() identical POD5", async () => {
  await withCodec(async (codec, dir) => {
    const tokens: Uint8Array[] = [], pod5: Uint8Array[] = [];
    for (const workers of [0, 1, 2]) {
      await encodePod5(Z1, join(dir, `w${workers}.tokens`), { codec, workers });
      tokens.push(await Deno.readFile(join(dir, `w${workers}.tokens`)));
      await decodeTokens(join(dir, "w0.tokens"), join(dir, `w${workers}.pod5`), { codec, workers });
      pod5.push(await Deno.readFile(join(dir, `w${workers}.pod5`)));
    }
    assertEquals(tokens[1], tokens[0]);
    assertEquals(tokens[2], tokens[0]);
    assertEquals(pod5[1], pod5[0]);
    assertEquals(pod5[2], pod5[0]);
  });
});

Deno.test("encodePod5({ verify }) reports the SNR that the decoded file has (float64 reference)", async () => {
  await withCodec(async (codec, dir) => {
    const summary = await encodePod5(Z1, join(dir, "z1.tokens"), { codec, verify: true });
    await decodeTokens(join(dir, "z1.tokens"), join(dir, "z1.pod5"), { codec });
    const real = await signalsOf(Z1), generated = await signalsOf(join(dir, "z1.pod5"));
    await using reader = await Pod5Reader.open(Z1);
    // The pooled SNR of validate: each read centred on its own mean.
    let n = 0, signal = 0, error = 0;
    for (const meta of reader.readMetadata()) {
      const x = Float64Array.from(adcToPa(real.get(meta.readId)!, meta.calibration));
      const y = Float64Array.from(adcToPa(generated.get(meta.readId)!, meta.calibration));
      const mean = x.reduce((a, v) => a + v, 0) / x.length;
      for (let i = 0; i < x.length; i++) {
        signal += (x[i]! - mean) ** 2;
        error += (x[i]! - y[i]!) ** 2;
      }
      n += x.length;
    }
    const v = summary.verification;
    assert(v !== null);
    assertEquals(v.numSamples, n);
    assert(
      Math.abs(v.snrDb - 10 * Math.log10(signal / error)) < 1e-9,
      `${v.snrDb} vs ${10 * Math.log10(signal / error)}`,
    );
  });
});

Deno.test("the token file is an Arrow IPC file that apache-arrow's tableFromIPC reads on its own", async () => {
  await withCodec(async (codec, dir) => {
    await encodePod5(Z1, join(dir, "plain.tokens"), { codec, codes: "plain" });
    await encodePod5(Z1, join(dir, "packed.tokens"), { codec });
    const plain = tableFromIPC(await Deno.readFile(join(dir, "plain.tokens")));
    const packed = tableFromIPC(await Deno.readFile(join(dir, "packed.tokens")));
    assertEquals(plain.schema.fields.map((f) => `${f.name}:${f.type}`), [
      "read_id:Utf8",
      "read_number:Uint32",
      "start_sample:Uint64",
      "median_before:Float32",
      "num_minknow_events:Uint64",
      "tracked_scaling_scale:Float32",
      "tracked_scaling_shift:Float32",
      "predicted_scaling_scale:Float32",
      "predicted_scaling_shift:Float32",
      "num_reads_since_mux_change:Uint32",
      "time_since_mux_change:Float32",
      "num_samples:Uint64",
      "channel:Uint16",
      "well:Uint8",
      "pore_type:Utf8",
      "calibration_offset:Float32",
      "calibration_scale:Float32",
      "end_reason:Utf8",
      "end_reason_forced:Bool",
      "acquisition_id:Utf8",
      "open_pore_level:Float32",
      "norm_shift_pa:Float64",
      "norm_scale_pa:Float64",
      "num_codes:Uint32",
      "codes_crc32:Uint32",
      "codes:List<Uint16>",
    ]);
    assertEquals(String(packed.schema.fields.at(-1)!.type), "Binary");
    const meta = plain.schema.metadata;
    assertEquals(meta.get("simvqgan.format"), "simvqgan-tokens/1");
    assertEquals(meta.get("simvqgan.codes_encoding"), "plain");
    assertEquals(packed.schema.metadata.get("simvqgan.codes_encoding"), "packed");
    assertEquals(JSON.parse(meta.get("simvqgan.checkpoint")!).sha256, codec.checkpoint.sha256);
    assertEquals([meta.get("simvqgan.window_samples"), meta.get("simvqgan.hop_samples")], ["800", "20"]);
    assertEquals(meta.get("simvqgan.sample_rate_hz"), "5000");
    assertEquals(JSON.parse(meta.get("simvqgan.model_config")!).latent_dim, 8);
    const { reads, runs } = await metadataOf(Z1);
    assertEquals(JSON.parse(meta.get("simvqgan.run_infos")!), runs);
    assertEquals(plain.numRows, reads.length);
    await using tokens = await TokenFileReader.open(join(dir, "packed.tokens"));
    let row = 0;
    for await (const read of tokens.reads()) {
      const m = reads[row]!;
      assertEquals(plain.getChild("read_id")!.get(row), m.readId);
      assertEquals(Number(plain.getChild("num_samples")!.get(row)), m.numSamples);
      assertEquals(plain.getChild("calibration_scale")!.get(row), m.calibration.scalePaPerAdc);
      assertEquals(plain.getChild("channel")!.get(row), m.channel);
      assertEquals(plain.getChild("end_reason")!.get(row), m.endReason.name);
      // The packed codes, unpacked, are the plain codes.
      const list = plain.getChild("codes")!.get(row);
      assertEquals(Uint16Array.from(list.toArray()), read.codes);
      row++;
    }
  });
});

Deno.test("encodePod5() rejecting reads at another sample rate, and skipping them when asked", async () => {
  await withCodec(async (codec, dir) => {
    const out = join(dir, "b1.tokens");
    const error = await assertRejects(() => encodePod5(B1_4KHZ, out, { codec }), CodecMismatchError);
    assertStringIncludes(error.message, `${B1_4KHZ}: Cannot encode: read `);
    assertStringIncludes(error.message, "sample rate of 4000 Hz, the model's is 5000 Hz");
    assertEquals(await listFiles(dir), ["ckpt"], "no output and no temporary file");
    const warnings: string[] = [];
    const summary = await encodePod5(B1_4KHZ, out, { codec, skipMismatched: true, onWarning: (w) => warnings.push(w) });
    assertEquals([summary.reads, summary.skippedReads, warnings.length], [0, 4, 4]);
    assertStringIncludes(warnings[0]!, "skipped");
  });
});

Deno.test("decodeTokens() rejecting tokens of another checkpoint, naming both sha256s", async () => {
  await withCodec(async (codec, dir) => {
    await encodePod5(DORADO_5KHZ, join(dir, "x.tokens"), { codec });
    const other = await loadCodec(await makeTinyCheckpoint(join(dir, "other"), { seed: 2 }), { backend: "wasm" });
    try {
      const error = await assertRejects(
        () => decodeTokens(join(dir, "x.tokens"), join(dir, "x.pod5"), { codec: other }),
        CodecMismatchError,
      );
      assertStringIncludes(error.message, codec.checkpoint.sha256);
      assertStringIncludes(error.message, other.checkpoint.sha256);
      assertEquals(await listFiles(dir), ["ckpt", "other", "x.tokens"]);
      const summary = await decodeTokens(join(dir, "x.tokens"), join(dir, "x.pod5"), {
        codec: other,
        allowOtherCheckpoint: true,
      });
      assertEquals(summary.numSamples, 2_048);
    } finally {
      other.dispose();
    }
  });
});

Deno.test("encodePod5() and decodeTokens() never replace an existing output without overwrite", async () => {
  await withCodec(async (codec, dir) => {
    const out = join(dir, "x.tokens");
    await Deno.writeTextFile(out, "precious");
    await assertRejects(() => encodePod5(DORADO_5KHZ, out, { codec }), InputError, "the file exists");
    assertEquals(await Deno.readTextFile(out), "precious");
    await encodePod5(DORADO_5KHZ, out, { codec, overwrite: true });
    const pod5 = join(dir, "x.pod5");
    await Deno.writeTextFile(pod5, "precious");
    await assertRejects(() => decodeTokens(out, pod5, { codec }), InputError, "the file exists");
    assertEquals(await Deno.readTextFile(pod5), "precious");
  });
});

Deno.test("encodePod5() mirrors a folder tree and decodeTokens() restores it", async () => {
  await withCodec(async (codec, dir) => {
    const input = join(dir, "run");
    await Deno.mkdir(join(input, "a", "b"), { recursive: true });
    await Deno.copyFile(DORADO_5KHZ, join(input, "a", "b", "x.pod5"));
    await Deno.copyFile(DORADO_5KHZ, join(input, "y.pod5"));
    await Deno.writeTextFile(join(input, "notes.txt"), "not POD5");
    const summary = await encodePod5(input, join(dir, "tokens"), { codec });
    assertEquals(summary.files.map((f) => f.output), [
      join(dir, "tokens", "a", "b", "x.tokens"),
      join(dir, "tokens", "y.tokens"),
    ]);
    const back = await decodeTokens(join(dir, "tokens"), join(dir, "restored"), { codec });
    assertEquals(back.files.map((f) => f.output), [
      join(dir, "restored", "a", "b", "x.pod5"),
      join(dir, "restored", "y.pod5"),
    ]);
    assertEquals((await metadataOf(join(dir, "restored", "y.pod5"))).reads, (await metadataOf(DORADO_5KHZ)).reads);
  });
});

Deno.test("TokenFileReader rejecting truncated, flipped and foreign files; decode leaves no output", async () => {
  await withCodec(async (codec, dir) => {
    const good = join(dir, "good.tokens");
    await encodePod5(Z1, good, { codec });
    const bytes = await Deno.readFile(good);
    const damaged = join(dir, "damaged.tokens");
    const expectBad = async (content: Uint8Array, message: string) => {
      await Deno.writeFile(damaged, content);
      const error = await assertRejects(
        () => decodeTokens(damaged, join(dir, "out.pod5"), { codec }),
        TokenFileError,
        message,
      );
      assertStringIncludes(error.message, damaged);
      assertEquals((await listFiles(dir)).filter((name) => name.startsWith("out")), []);
    };
    await expectBad(bytes.subarray(0, bytes.length - 1), "truncated or damaged");
    await expectBad(bytes.subarray(0, bytes.length >> 1), "truncated or damaged");
    await expectBad(new Uint8Array(0), "truncated or damaged");
    // A flipped byte in the middle of the file, inside the long read's packed codes: caught by their checksum.
    const flipped = bytes.slice();
    flipped[bytes.length >> 1]! ^= 0x55;
    await expectBad(flipped, "damaged");
    // A flipped byte in the header JSON of the footer's schema (the copy readers use).
    const header = bytes.slice();
    const sha = lastIndexOfBytes(header, new TextEncoder().encode('"sha256":"')) + 12;
    header[sha] = "g".charCodeAt(0);
    await expectBad(header, "bad header field checkpoint.sha256");
    header[sha] = 0x01;
    await expectBad(header, "simvqgan.checkpoint is not valid JSON");
    // A POD5 file, and an Arrow file that is not a token file.
    await expectBad(await Deno.readFile(Z1), "Not a token file");
    await expectBad(await Deno.readFile(join(FIXTURES, "not_a_pod5.pod5")), "Not a token file");
  });
});

function lastIndexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = haystack.length - needle.length; i >= 0; i--) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
