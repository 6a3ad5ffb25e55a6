import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { Pod5Error, Pod5FormatError, Pod5Reader } from "../../lib/pod5/mod.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { openContainer } from "../../lib/pod5/container.ts";
import { fixture } from "./_fixtures.ts";

/** Open `bytes` as a POD5 file and decode every read; returns the error, if any. */
async function readAll(dir: string, name: string, bytes: Uint8Array): Promise<unknown> {
  const path = `${dir}/${name}`;
  await Deno.writeFile(path, bytes);
  try {
    await using pod5 = await Pod5Reader.open(path);
    for await (const read of pod5.reads()) read.signal();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Replace every occurrence of ASCII `from` by `to` (same length) in a copy of `bytes`. */
function patchAscii(bytes: Uint8Array, from: string, to: string, options: { lastOnly?: boolean } = {}): Uint8Array {
  const needle = new TextEncoder().encode(from);
  const replacement = new TextEncoder().encode(to);
  assertEquals(needle.length, replacement.length);
  const out = bytes.slice();
  const hits: number[] = [];
  for (let i = 0; i + needle.length <= out.length; i++) {
    if (needle.every((b, j) => out[i + j] === b)) hits.push(i);
  }
  assert(hits.length > 0, `"${from}" not found`);
  for (const at of options.lastOnly === true ? hits.slice(-1) : hits) out.set(replacement, at);
  return out;
}

Deno.test("Pod5Reader.open() rejecting truncated copies of every size class", async () => {
  const original = await Deno.readFile(fixture("b1.pod5"));
  const rng = Rng.fromSeed(11);
  const cuts = [0, 1, 7, 8, 23, 24, 55, 63, 64, 1000, original.length - 33, original.length - 8, original.length - 1];
  for (let i = 0; i < 20; i++) cuts.push(rng.nextInt(original.length));
  await withTempDir(async (dir) => {
    for (const cut of cuts) {
      const error = await readAll(dir, `cut_${cut}.pod5`, original.subarray(0, cut));
      assert(error instanceof Pod5FormatError, `cut at ${cut}: ${String(error)}`);
      assertEquals(error.path, `${dir}/cut_${cut}.pod5`);
      assert(error.message.startsWith(`${dir}/cut_${cut}.pod5: `), error.message);
    }
  });
});

Deno.test("Pod5Reader never throws anything but a Pod5Error on bit-flipped copies", async () => {
  const original = await Deno.readFile(fixture("b1.pod5"));
  const rng = Rng.fromSeed(7);
  // Seeded positions over the whole file, plus every byte of the tail and footer.
  const positions = Array.from({ length: 150 }, () => rng.nextInt(original.length));
  for (let p = original.length - 300; p < original.length; p += 3) positions.push(p);
  let rejected = 0;
  await withTempDir(async (dir) => {
    for (const position of positions) {
      const copy = original.slice();
      copy[position] = copy[position]! ^ (1 << rng.nextInt(8));
      const error = await readAll(dir, "flipped.pod5", copy);
      if (error === undefined) continue;
      rejected++;
      assert(error instanceof Pod5Error, `flip at ${position}: ${error instanceof Error ? error.stack : error}`);
      assert(error.message.startsWith(`${dir}/flipped.pod5: `), error.message);
    }
  });
  assert(rejected > 50, `only ${rejected} of ${positions.length} flips were detected`);
});

Deno.test("Pod5Reader rejects damaged Arrow metadata in every embedded table, never hanging", async () => {
  const original = await Deno.readFile(fixture("b1.pod5"));
  const container = await openContainer(fixture("b1.pod5"));
  await container.file.close();
  const rng = Rng.fromSeed(3);
  let rejected = 0, tried = 0;
  await withTempDir(async (dir) => {
    for (const table of [container.signal, container.runInfo, container.reads]) {
      // The schema and first message sit at the start of each Arrow file, its footer at the end.
      const regions = [[table.offset, table.offset + 700], [
        table.offset + table.length - 600,
        table.offset + table.length,
      ]];
      for (const [start, end] of regions) {
        for (let position = start!; position < end!; position += 5) {
          const copy = original.slice();
          copy[position] = copy[position]! ^ (1 << rng.nextInt(8));
          const error = await readAll(dir, "meta.pod5", copy);
          tried++;
          if (error === undefined) continue;
          rejected++;
          assert(error instanceof Pod5Error, `flip at ${position}: ${error instanceof Error ? error.stack : error}`);
        }
      }
    }
  });
  assert(rejected > tried / 4, `only ${rejected} of ${tried} metadata flips were detected`);
});

Deno.test("Pod5Reader.open() rejecting a map whose offsets run past its entries, naming the column", async () => {
  // Found by the serve fuzz test: one flipped bit (0x20 in byte 7359 of Dorado's 5 kHz file) makes the end
  // offset of run_info's context_tags map 536,870,912 over no entries; apache-arrow then spent 20 s building
  // that many entries before failing with "Invalid array length".
  const copy = await Deno.readFile(fixture("dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5"));
  copy[7359] = copy[7359]! ^ 0x20;
  await withTempDir(async (dir) => {
    const error = await readAll(dir, "offsets.pod5", copy);
    assert(error instanceof Pod5FormatError, String(error));
    assertEquals(
      error.message,
      `${dir}/offsets.pod5: Cannot read run_info table: column context_tags: row 0 ends at offset 536870912, ` +
        "past its 0 entries (at byte 4040)",
    );
  });
});

Deno.test("Pod5Reader.open() rejecting a renamed required column, naming it", async () => {
  // blue-crab's missing_primary_field fixture: "calibration_offset" renamed in place.
  const bytes = patchAscii(await Deno.readFile(fixture("z1.pod5")), "calibration_offset", "calibrationfoffset");
  await withTempDir(async (dir) => {
    const error = await readAll(dir, "missing_field.pod5", bytes);
    assert(error instanceof Pod5FormatError, String(error));
    assert(error.message.includes('no column "calibration_offset"'), error.message);
  });
});

Deno.test("Pod5Reader.open() rejecting a footer length that points outside the file", async () => {
  const copy = (await Deno.readFile(fixture("z1.pod5"))).slice();
  new DataView(copy.buffer).setBigInt64(copy.length - 32, 1n << 40n, true);
  await withTempDir(async (dir) => {
    const error = await readAll(dir, "footer.pod5", copy);
    assert(error instanceof Pod5FormatError, String(error));
    assert(error.message.includes("footer length"), error.message);
  });
});

Deno.test("Pod5Reader.open() rejecting an unsupported old version", async () => {
  // The footer's version string (the last "0.2.4" in the file) becomes "0.0.9".
  const patched = patchAscii(await Deno.readFile(fixture("b1.pod5")), "0.2.4", "0.0.9", { lastOnly: true });
  await withTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/old.pod5`, patched);
    await assertRejects(() => Pod5Reader.open(`${dir}/old.pod5`), Pod5FormatError, "versions before 0.0.38");
  });
});
