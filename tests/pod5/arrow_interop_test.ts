/**
 * A second Arrow implementation judges the tables Pod5Writer writes: arrow-rs
 * (Rust, through parquet-wasm) parses each table's IPC stream (schema message,
 * dictionaries, batches), converts it to Parquet (decoding every value) and
 * back, and the values must equal what apache-arrow reads from our file.
 */
import { assert, assertEquals } from "../_assert.ts";
import { type Table, tableFromIPC } from "apache-arrow";
import initParquetWasm, * as parquet from "parquet-wasm";
import { openContainer } from "../../lib/pod5/container.ts";
import { subsetPod5 } from "../../lib/pod5/mod.ts";
import { fixture } from "./_fixtures.ts";

await initParquetWasm();

/** The IPC stream inside an IPC file: after the 8-byte magic, up to the footer. */
function streamOf(file: Uint8Array): Uint8Array {
  const footerLength = new DataView(file.buffer, file.byteOffset).getInt32(file.length - 10, true);
  return file.subarray(8, file.length - 10 - footerLength);
}

/** Every value of every row, as comparable JSON. */
function rows(table: Table): string[] {
  const replacer = (_key: string, value: unknown) => {
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "number" && Number.isNaN(value)) return "NaN";
    if (value instanceof Uint8Array) return Array.from(value, (b) => b.toString(16).padStart(2, "0")).join("");
    if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, String);
    return value;
  };
  return Array.from({ length: table.numRows }, (_, i) => JSON.stringify(table.get(i)?.toJSON(), replacer));
}

for (
  const [label, options] of [
    ["vbz", {}],
    ["uncompressed, several batches", {
      writer: { signalCompression: "uncompressed", signalBatchRows: 5, readsBatchRows: 2 },
    }],
  ] as const
) {
  Deno.test(`arrow-rs reads the tables Pod5Writer writes (${label}) with the same values`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/written.pod5`;
      await subsetPod5(fixture("can_reads.pod5"), path, options);
      const container = await openContainer(path);
      await container.file.close();
      const bytes = await Deno.readFile(path);
      for (const entry of [container.signal, container.runInfo, container.reads]) {
        const file = bytes.subarray(entry.offset, entry.offset + entry.length);
        const ours = tableFromIPC(file);
        const rust = parquet.Table.fromIPCStream(streamOf(file));
        const viaRust = tableFromIPC(parquet.readParquet(parquet.writeParquet(rust)).intoIPCStream());
        assert(ours.numRows > 0);
        assertEquals(viaRust.schema.fields.map((f) => f.name), ours.schema.fields.map((f) => f.name));
        assertEquals(rows(viaRust), rows(ours));
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
