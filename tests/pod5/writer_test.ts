import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { type Field, tableFromIPC } from "apache-arrow";
import { fromFileUrl } from "@std/path";
import { zstdFrameContentSize } from "../../lib/pod5/vbz.ts";
import { openContainer } from "../../lib/pod5/container.ts";
import {
  Pod5Error,
  type Pod5Read,
  Pod5Reader,
  Pod5Writer,
  type Pod5WriterOptions,
  uuidFromBytes,
} from "../../lib/pod5/mod.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { CRASH_AT_ENV, CRASH_EXIT_CODE } from "../../lib/runtime/crash_point.ts";
import { checkContainer } from "./_container_check.ts";
import { DORADO_5KHZ, fixture, READABLE_FIXTURES, sha256Int16 } from "./_fixtures.ts";

async function copy(source: string, target: string, options: Pod5WriterOptions = {}): Promise<void> {
  await using reader = await Pod5Reader.open(source);
  await using writer = await Pod5Writer.create(target, options);
  for (const run of reader.runInfos) await writer.addRunInfo(run);
  for await (const read of reader.reads()) await writer.addRead(read);
  await writer.close();
}

/** Everything a reader exposes about a read, signal as a hash. */
const comparable = (read: Pod5Read) => ({
  ...read,
  signal: sha256Int16(read.signal()),
  pA: sha256Int16(Int16Array.from(read.pA())),
});

async function snapshot(path: string) {
  await using reader = await Pod5Reader.open(path);
  return {
    runInfos: reader.runInfos,
    reads: await Array.fromAsync(reader.reads(), comparable),
    compression: reader.info.signalCompression,
  };
}

for (const name of READABLE_FIXTURES) {
  for (const signalCompression of ["vbz", "uncompressed"] as const) {
    Deno.test(`Pod5Writer round-trips ${name} exactly (${signalCompression})`, async () => {
      await withTempDir(async (dir) => {
        await copy(fixture(name), `${dir}/copy.pod5`, { signalCompression });
        const original = await snapshot(fixture(name));
        const written = await snapshot(`${dir}/copy.pod5`);
        assertEquals(written.compression, signalCompression);
        assertEquals(written.runInfos, original.runInfos);
        assertEquals(written.reads, original.reads);
      });
    });
  }
}

/** Every VBZ cell of a file's signal table, in row order. */
async function vbzCells(path: string): Promise<Uint8Array[]> {
  const container = await openContainer(path);
  try {
    const table = tableFromIPC(await container.file.readAt(container.signal.offset, container.signal.length));
    const signal = table.getChild("signal");
    assert(signal !== null);
    return Array.from({ length: table.numRows }, (_, i) => signal.get(i) as Uint8Array);
  } finally {
    await container.file.close();
  }
}

for (const name of READABLE_FIXTURES) {
  Deno.test(`Pod5Writer writes the same VBZ bytes as ONT's writer for ${name}`, async () => {
    await withTempDir(async (dir) => {
      await copy(fixture(name), `${dir}/copy.pod5`);
      const expected = await vbzCells(fixture(name));
      const actual = await vbzCells(`${dir}/copy.pod5`);
      assertEquals(actual.length, expected.length);
      actual.forEach((cell, i) => {
        assertEquals(cell, expected[i], `signal row ${i}`);
        assert(zstdFrameContentSize(cell) !== undefined, "frames state their content size");
      });
    });
  });
}

Deno.test("Pod5Writer writes the table schemas of ONT's current writer", async () => {
  await withTempDir(async (dir) => {
    await copy(fixture(DORADO_5KHZ), `${dir}/copy.pod5`);
    const describe = async (path: string) => {
      const container = await openContainer(path);
      try {
        const tables = [container.signal, container.runInfo, container.reads];
        return await Promise.all(tables.map(async (entry) => {
          const table = tableFromIPC(await container.file.readAt(entry.offset, entry.length));
          const fields = table.schema.fields.map((f) => ({
            name: f.name,
            type: String(f.type),
            nullable: f.nullable,
            children: (f.type.children ?? []).map((c: Field) => [c.name, String(c.type), c.nullable]),
            metadata: [...f.metadata],
          }));
          return { fields, metadataKeys: [...table.schema.metadata.keys()] };
        }));
      } finally {
        await container.file.close();
      }
    };
    assertEquals(await describe(`${dir}/copy.pod5`), await describe(fixture(DORADO_5KHZ)));
  });
});

Deno.test("Pod5Writer output passes a structural check of the container", async () => {
  await withTempDir(async (dir) => {
    await copy(fixture("z1.pod5"), `${dir}/copy.pod5`);
    const bytes = await Deno.readFile(`${dir}/copy.pod5`);
    const tables = checkContainer(bytes);
    const container = await openContainer(`${dir}/copy.pod5`);
    await container.file.close();
    const listed = [container.signal, container.runInfo, container.reads].map((e) => ({
      offset: e.offset,
      length: e.length,
    }));
    assertEquals(tables, listed, "footer offsets and lengths point at the tables, in official order");
    assertEquals(container.footer.pod5Version, "0.3.39");
  });
});

/** A synthetic read of `numSamples` seeded samples, based on a real read's metadata. */
function syntheticRead(template: Pod5Read, rng: Rng, numSamples: number) {
  const adc = new Int16Array(numSamples);
  let x = 500;
  for (let i = 0; i < numSamples; i++) adc[i] = x += Math.round(rng.nextNormal() * 20);
  const id = Array.from({ length: 16 }, () => rng.nextInt(256).toString(16).padStart(2, "0")).join("");
  return {
    ...template,
    readId: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`,
    numSamples,
    readNumber: rng.nextInt(100000),
    poreType: ["not_set", "pore_a", "pore_b"][rng.nextInt(3)]!,
    signal: () => adc,
  };
}

Deno.test("Pod5Writer writes many record batches that read back exactly", async () => {
  await withTempDir(async (dir) => {
    await using source = await Pod5Reader.open(fixture("b1.pod5"));
    const template = await source.read(source.readIds()[0]!);
    const rng = Rng.fromSeed(9);
    const reads = Array.from({ length: 23 }, () => syntheticRead(template, rng, rng.nextInt(3000)));
    const path = `${dir}/batches.pod5`;
    const writer = await Pod5Writer.create(path, { signalChunkSamples: 700, signalBatchRows: 4, readsBatchRows: 5 });
    for (const run of source.runInfos) await writer.addRunInfo(run);
    for (const read of reads) await writer.addRead(read);
    await writer.close();
    const container = await openContainer(path);
    await container.file.close();
    const tableBatches = async (entry: { offset: number; length: number }) => {
      const bytes = await Deno.readFile(path);
      return tableFromIPC(bytes.subarray(entry.offset, entry.offset + entry.length)).batches.map((b) => b.numRows);
    };
    const signalRows = await tableBatches(container.signal);
    assert(signalRows.length > 5, `${signalRows.length} signal batches`);
    assert(signalRows.slice(0, -1).every((n) => n === 4), "all signal batches but the last have 4 rows");
    assertEquals(await tableBatches(container.reads), [5, 5, 5, 5, 3]);
    await using back = await Pod5Reader.open(path);
    const got = await Array.fromAsync(
      back.reads(),
      (r) => ({ id: r.readId, pore: r.poreType, signal: sha256Int16(r.signal()) }),
    );
    assertEquals(got, reads.map((r) => ({ id: r.readId, pore: r.poreType, signal: sha256Int16(r.signal()) })));
    // Random access across batches.
    const last = reads[reads.length - 1]!;
    assertEquals(sha256Int16((await back.read(last.readId)).signal()), sha256Int16(last.signal()));
  });
});

Deno.test("Pod5Writer writes a readable file without reads", async () => {
  await withTempDir(async (dir) => {
    await using source = await Pod5Reader.open(fixture("z1.pod5"));
    const writer = await Pod5Writer.create(`${dir}/empty.pod5`);
    await writer.addRunInfo(source.runInfos[0]!);
    await writer.close();
    checkContainer(await Deno.readFile(`${dir}/empty.pod5`));
    await using empty = await Pod5Reader.open(`${dir}/empty.pod5`);
    assertEquals(empty.readCount, 0);
    assertEquals(empty.runInfos, source.runInfos);
    assertEquals(await Array.fromAsync(empty.reads()), []);
  });
});

Deno.test("Pod5Writer leaves no file when an exception comes before close()", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/out.pod5`;
    await assertRejects(
      async () => {
        await using reader = await Pod5Reader.open(fixture("z1.pod5"));
        await using writer = await Pod5Writer.create(path);
        for (const run of reader.runInfos) await writer.addRunInfo(run);
        for await (const read of reader.reads()) await writer.addRead(read);
        throw new Error("interrupted");
      },
      Error,
      "interrupted",
    );
    assertEquals(await Array.fromAsync(Deno.readDir(dir)), [], "no output and no temporary files");
  });
});

for (const point of ["pod5:tables", "pod5:footer"]) {
  Deno.test(`Pod5Writer leaves no file at its path when the process dies at ${point}`, async () => {
    await withTempDir(async (dir) => {
      const path = `${dir}/killed.pod5`;
      const script = `${dir}/write.ts`;
      await Deno.writeTextFile(
        script,
        `
      import { Pod5Reader, Pod5Writer } from "${new URL("../../lib/pod5/mod.ts", import.meta.url)}";
      const reader = await Pod5Reader.open(${JSON.stringify(fixture("z1.pod5"))});
      const writer = await Pod5Writer.create(${JSON.stringify(path)}, { signalBatchRows: 1 });
      for (const run of reader.runInfos) await writer.addRunInfo(run);
      for await (const read of reader.reads()) await writer.addRead(read);
      await writer.close();
      console.log("closed");
    `,
      );
      // The crash point (lib/runtime/crash_point.ts) ends the process there, as a SIGKILL would.
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-read",
          "--allow-write",
          `--allow-env=${CRASH_AT_ENV}`,
          "--config",
          fromFileUrl(new URL("../../deno.json", import.meta.url)),
          script,
        ],
        env: { [CRASH_AT_ENV]: point },
        stdout: "piped",
        stderr: "inherit",
      }).output();
      assertEquals(out.code, CRASH_EXIT_CODE);
      assertEquals(new TextDecoder().decode(out.stdout), "");
      const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
      assert(!names.includes("killed.pod5"), `${names}`);
      assert(names.some((n) => n.startsWith("killed.pod5.tmp-")), "the partial output has a temporary name");
    });
  });
}

Deno.test("Pod5Writer.create() refusing to overwrite unless asked", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/exists.pod5`;
    await Deno.writeTextFile(path, "keep me");
    await assertRejects(() => Pod5Writer.create(path), Pod5Error, "the file exists");
    assertEquals(await Deno.readTextFile(path), "keep me");
    await copy(fixture("b1.pod5"), path, { overwrite: true });
    await using reader = await Pod5Reader.open(path);
    assertEquals(reader.readCount, 4);
  });
});

Deno.test("Pod5Writer.addRead() rejecting bad reads", async () => {
  await withTempDir(async (dir) => {
    await using source = await Pod5Reader.open(fixture("b1.pod5"));
    const read = await source.read(source.readIds()[0]!);
    await using writer = await Pod5Writer.create(`${dir}/bad.pod5`);
    await assertRejects(() => writer.addRead(read), TypeError, "was not added with addRunInfo");
    await writer.addRunInfo(source.runInfos[0]!);
    await assertRejects(() => writer.addRead({ ...read, numSamples: 5 }), RangeError, "numSamples is 5");
    await assertRejects(() => writer.addRead({ ...read, channel: 70000 }), RangeError, "channel 70000");
    await assertRejects(() => writer.addRead({ ...read, readId: "nope" }), TypeError, "not a UUID");
    await writer.addRead(read);
    await assertRejects(() => writer.addRead(read), TypeError, "added already");
    await assertRejects(
      () => writer.addRunInfo({ ...source.runInfos[0]!, sampleRateHz: 5000 }),
      TypeError,
      "a different run",
    );
  });
});

Deno.test("Pod5Writer.create() with a file identifier and section marker writes the same bytes every time", async () => {
  await withTempDir(async (dir) => {
    const options = {
      fileIdentifier: "11111111-2222-4333-8444-555555555555",
      sectionMarker: "66666666-7777-4888-8999-aaaaaaaaaaaa",
    };
    const copies: Uint8Array[] = [];
    for (const name of ["a.pod5", "b.pod5"]) {
      await copy(fixture("b1.pod5"), `${dir}/${name}`, options);
      copies.push(await Deno.readFile(`${dir}/${name}`));
    }
    assertEquals(copies[1], copies[0]);
    // The marker is the one given: it follows the 8-byte signature.
    assertEquals(uuidFromBytes(copies[0]!.subarray(8, 24)), options.sectionMarker);
    await assertRejects(() => Pod5Writer.create(`${dir}/c.pod5`, { sectionMarker: "nope" }), TypeError, "not a UUID");
  });
});
