import { assertEquals, assertThrows } from "../_assert.ts";
import { createVbzEncoder, decodeVbz, decodeVbzInto, VbzError } from "../../lib/pod5/mod.ts";
import { decodeSvb16Into, encodeSvb16, svb16StreamBytes } from "../../lib/pod5/svb16.ts";
import { zstdFrameContentSize } from "../../lib/pod5/vbz.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { constants, zstdCompressSync } from "node:zlib";

const encoder = await createVbzEncoder();
const encodeVbz = (samples: Int16Array) => encoder.encode(samples);
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");

function roundTrip(samples: Int16Array): void {
  const compressed = encodeVbz(samples);
  assertEquals(zstdFrameContentSize(compressed), encodeSvb16(samples).length, "frame must state its content size");
  assertEquals(Array.from(decodeVbz(compressed, samples.length)), Array.from(samples));
}

Deno.test("encodeSvb16() reproduces the worked examples of notes/pod5_format.md §3", () => {
  assertEquals(hex(encodeSvb16(Int16Array.of(100, 102, 99, 300))), "08 c8 04 05 92 01");
  assertEquals(
    hex(encodeSvb16(Int16Array.of(-32768, 32767, 0, -1, 255, 128, -129))),
    "55 ff ff 01 fd ff 01 00 02 fd 01 02",
  );
  assertEquals(
    hex(encodeSvb16(Int16Array.of(0, 1000, 0, 0, 0, 0, 0, 0, 1000))),
    "06 01 00 d0 07 cf 07 00 00 00 00 00 d0 07",
  );
});

Deno.test("VbzEncoder.encode() writes the official 15-byte frame for the worked example", () => {
  assertEquals(
    hex(encodeVbz(Int16Array.of(100, 102, 99, 300))),
    "28 b5 2f fd 20 06 31 00 00 08 c8 04 05 92 01",
  );
});

Deno.test("decodeVbz() round-trips the empty signal and a single sample", () => {
  roundTrip(new Int16Array(0));
  roundTrip(Int16Array.of(0));
  roundTrip(Int16Array.of(-32768));
  roundTrip(Int16Array.of(32767));
});

Deno.test("decodeVbz() round-trips extremes and wrap-around deltas", () => {
  const extremes = new Int16Array(1001);
  for (let i = 0; i < extremes.length; i++) extremes[i] = i % 2 === 0 ? -32768 : 32767;
  roundTrip(extremes);
  roundTrip(Int16Array.of(32767, -32768, 32767, -32768, 0, 32767, 1, -32767, -1, 0));
});

Deno.test("decodeVbz() round-trips long runs of constant and slowly varying signal", () => {
  roundTrip(new Int16Array(200_003).fill(517));
  const ramp = new Int16Array(102_400);
  for (let i = 0; i < ramp.length; i++) ramp[i] = (i * 3) % 65536;
  roundTrip(ramp);
});

Deno.test("decodeVbz() round-trips seeded random signals of every length mod 8", () => {
  const rng = Rng.fromSeed(2024);
  for (let length = 0; length < 80; length++) {
    const samples = new Int16Array(length);
    for (let i = 0; i < length; i++) samples[i] = rng.nextInt(65536) - 32768;
    roundTrip(samples);
  }
  for (const scale of [4, 100, 1000]) {
    const samples = new Int16Array(30_011);
    let x = 500;
    for (let i = 0; i < samples.length; i++) {
      x = Math.max(-32768, Math.min(32767, x + Math.round(rng.nextNormal() * scale)));
      samples[i] = x;
    }
    roundTrip(samples);
  }
});

Deno.test("decodeSvb16Into() writes at an offset and leaves the rest untouched", () => {
  const samples = Int16Array.of(5, -7, 300, 301, 1, 2, 3, 4, 5, 6, 7);
  const out = new Int16Array(samples.length + 4).fill(99);
  decodeSvb16Into(encodeSvb16(samples), samples.length, out, 2);
  assertEquals(Array.from(out), [99, 99, ...samples, 99, 99]);
});

Deno.test("svb16StreamBytes() counts one byte per small value and two per large", () => {
  const stream = encodeSvb16(Int16Array.of(0, 1000, 0, 0, 0, 0, 0, 0, 1000));
  assertEquals(svb16StreamBytes(stream, 9), stream.length);
});

Deno.test("decodeVbzInto() rejecting corrupt input", () => {
  const samples = Int16Array.of(100, 102, 99, 300, 5000, -5000, 7, 8, 9);
  const good = encodeVbz(samples);
  const out = new Int16Array(samples.length);
  assertThrows(() => decodeVbzInto(good.subarray(0, good.length - 3), samples.length, out), VbzError, "truncated");
  assertThrows(() => decodeVbzInto(good.subarray(0, 3), samples.length, out), VbzError);
  assertThrows(() => decodeVbzInto(Uint8Array.of(1, 2, 3, 4), samples.length, out), VbzError);
  // A well-formed frame whose svb16 stream is one byte short of what its keys need.
  const stream = encodeSvb16(samples);
  const short = zstdCompressSync(stream.subarray(0, stream.length - 1), {
    params: { [constants.ZSTD_c_compressionLevel]: 1 },
  });
  assertThrows(() => decodeVbzInto(short, samples.length, out), VbzError, "keys for 9 samples need");
  // Asking for more samples than the stream holds.
  assertThrows(() => decodeVbzInto(good, samples.length + 8, new Int16Array(samples.length + 8)), VbzError);
  assertThrows(() => decodeVbzInto(good, samples.length, new Int16Array(3)), RangeError, "do not fit");
});
