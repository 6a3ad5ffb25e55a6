import { gzipSync } from "node:zlib";
import { join } from "@std/path";
import { readFastq } from "../../lib/validate/read_fastq.ts";
import { InputError } from "../../lib/runtime/errors.ts";
import { assertEquals, assertRejects } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";

const TEXT = "@a1 runid=x ch=3\nACGT\n+\n!!!!\n\n@b2\nAC\nGTT\n+b2\n!!!\n!!\n";

Deno.test("readFastq() reads plain and gzip FASTQ, ids up to the first space, multi-line records", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "plain.fastq"), TEXT);
    await Deno.writeFile(join(dir, "packed.fastq.gz"), gzipSync(new TextEncoder().encode(TEXT)));
    for (const name of ["plain.fastq", "packed.fastq.gz"]) {
      assertEquals([...await readFastq(join(dir, name))], [["a1", "ACGT"], ["b2", "ACGTT"]]);
    }
  });
});

Deno.test("readFastq() rejecting malformed records, naming the file and line", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "bad.fastq");
    for (
      const [text, message] of [
        ["ACGT\n", "line 1: expected a record starting with @"],
        ["@r\nACGT\n+\n!!\n", "2 qualities for 4 bases"],
        ["@r\nACGT\n", "has no + line"],
      ] as const
    ) {
      await Deno.writeTextFile(path, text);
      const error = await assertRejects(() => readFastq(path), InputError, message);
      assertEquals(error.message.startsWith(`${path}: Cannot parse FASTQ`), true);
    }
    await Deno.writeFile(path, Uint8Array.of(0x1f, 0x8b, 1, 2, 3));
    await assertRejects(() => readFastq(path), InputError, "the gzip data is damaged");
  });
});
