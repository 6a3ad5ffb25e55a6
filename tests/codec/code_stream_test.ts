import { CodeStreamDecoder, CodeStreamEncoder } from "../../lib/codec/code_stream.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { assertEquals, assertLess, assertThrows } from "../_assert.ts";

const REAL_CODES = new URL("../fixtures/codes/z1_quickstart_codes.u16le", import.meta.url);

async function realCodes(): Promise<Uint16Array> {
  const bytes = await Deno.readFile(REAL_CODES);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Uint16Array.from({ length: bytes.length / 2 }, (_, i) => view.getUint16(2 * i, true));
}

/**
 * The packed model written the slow, obvious way (plain arrays, O(K) per
 * code): the ideal code length in bits of each read under it. The range
 * coder must come within a few bytes per read of this.
 */
function idealBits(reads: readonly Uint16Array[], size: number): number[] {
  const increment = 4, escapePerSeen = 2, maxTotal = 2 ** 16;
  const freq = new Float64Array(size);
  let distinct = 0, seenTotal = 0;
  const escape = () => distinct === size ? 0 : Math.max(increment, distinct * escapePerSeen);
  return reads.map((codes) => {
    let bits = 0;
    for (const code of codes) {
      const total = seenTotal + escape();
      if (freq[code]! > 0) bits -= Math.log2(freq[code]! / total);
      else bits -= Math.log2(escape() / total) + Math.log2(1 / (size - distinct));
      if (freq[code] === 0) distinct++;
      freq[code]! += increment;
      seenTotal += increment;
      if (seenTotal + escape() + increment > maxTotal) {
        seenTotal = 0;
        distinct = 0;
        for (let i = 0; i < size; i++) {
          freq[i] = Math.floor(freq[i]! / 2);
          seenTotal += freq[i]!;
          if (freq[i]! > 0) distinct++;
        }
      }
    }
    return bits;
  });
}

function roundTrip(reads: readonly Uint16Array[], size: number): Uint8Array[] {
  const encoder = new CodeStreamEncoder(size);
  const packed = reads.map((codes) => encoder.encode(codes));
  const decoder = new CodeStreamDecoder(size);
  reads.forEach((codes, i) => assertEquals(decoder.decode(packed[i]!, codes.length), codes, `read ${i}`));
  return packed;
}

Deno.test("CodeStreamEncoder() round-trips seeded random code streams for any codebook size", () => {
  const rng = Rng.fromSeed(11);
  for (const size of [2, 3, 32, 4096, 65536]) {
    const reads = Array.from({ length: 12 }, (_, r) => {
      const length = r === 0 ? 0 : r === 1 ? 1 : Math.floor(rng.nextFloat() * 3000);
      const skewed = r % 2 === 0;
      return Uint16Array.from({ length }, () => {
        const u = rng.nextFloat();
        return skewed ? Math.min(size - 1, Math.floor(-Math.log(1 - u) * 7)) : Math.floor(u * size);
      });
    });
    roundTrip(reads, size);
  }
});

Deno.test("CodeStreamEncoder() round-trips the quickstart checkpoint's real codes of z1", async () => {
  const codes = await realCodes();
  roundTrip([codes.subarray(0, 272), codes.subarray(272, 1249), codes.subarray(1249)], 4096);
});

Deno.test("CodeStreamEncoder() codes within 40 bits per read of the model's ideal code length", async () => {
  const codes = await realCodes();
  const rng = Rng.fromSeed(5);
  const random = Uint16Array.from({ length: 20_000 }, () => Math.floor(rng.nextFloat() * 4096));
  const reads = [codes.subarray(0, 272), codes.subarray(272, 1249), codes.subarray(1249), random];
  const packed = roundTrip(reads, 4096);
  const ideal = idealBits(reads, 4096);
  packed.forEach((bytes, i) => {
    const actual = bytes.length * 8;
    assertLess(actual, ideal[i]! + 40, `read ${i}: ${actual} bits, ideal ${ideal[i]!.toFixed(0)}`);
    assertLess(ideal[i]! - 1, actual, `read ${i}: fewer bits than the model allows`);
  });
  // On the real codes the packed form beats the nominal 12 bits per code by a quarter.
  const realBits = packed.slice(0, 3).reduce((n, b) => n + b.length * 8, 0);
  assertLess(realBits / codes.length, 9.2);
});

Deno.test("CodeStreamEncoder() rejecting a code outside the codebook", () => {
  assertThrows(() => new CodeStreamEncoder(16).encode(Uint16Array.of(3, 16)), RangeError, "code 16 at 1");
  assertThrows(() => new CodeStreamEncoder(1), RangeError, "codebook size 1");
});

Deno.test("CodeStreamDecoder() decodes a damaged stream to other codes, never hangs", () => {
  const rng = Rng.fromSeed(3);
  const codes = Uint16Array.from({ length: 500 }, () => Math.floor(rng.nextFloat() * 64));
  const packed = new CodeStreamEncoder(64).encode(codes);
  const damaged = packed.slice();
  damaged[10]! ^= 0xff;
  const back = new CodeStreamDecoder(64).decode(damaged, codes.length);
  assertEquals(back.length, codes.length);
  assertEquals(back.join() === codes.join(), false);
  assertThrows(() => new CodeStreamDecoder(64).decode(packed.subarray(0, 4), codes.length), RangeError, "need more");
});
