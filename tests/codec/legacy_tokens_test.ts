// Token files and checkpoints of version 0.1.0 keep working: the fixture
// tests/fixtures/model_0_1_0/ (written by 0.1.0, commit 7a611eb, with
// scripts/make_model_fixture.ts on the cpu backend) holds a checkpoint, two
// token files of the dorado 5 kHz POD5 and the sha256 of their decodes.
import { join } from "@std/path";
import { decodeTokens, encodePod5, loadCodec, TokenFileReader } from "../../lib/codec/mod.ts";
import { Pod5Reader } from "../../lib/pod5/reader.ts";
import { sha256Hex } from "../../lib/runtime/sha256_hex.ts";
import { assertEquals } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";

const FIXTURE = new URL("../fixtures/model_0_1_0/", import.meta.url).pathname;
const INPUT = new URL(
  "../fixtures/pod5/dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5",
  import.meta.url,
).pathname;
const ENCODINGS = ["packed", "plain"] as const;

async function codesOf(path: string): Promise<Map<string, number[]>> {
  await using reader = await TokenFileReader.open(path);
  const out = new Map<string, number[]>();
  for await (const read of reader.reads()) out.set(read.readId, Array.from(read.codes));
  return out;
}

Deno.test("encodePod5() with a 0.1.0 checkpoint writes 0.1.0's codes, and decodeTokens() restores 0.1.0's samples [cpu]", async () => {
  const expected = JSON.parse(await Deno.readTextFile(join(FIXTURE, "tokens.json"))) as {
    decoded_signal_sha256: Record<string, Record<string, string>>;
  };
  const codec = await loadCodec(join(FIXTURE, "checkpoint_3"), { backend: "cpu" });
  try {
    await withTempDir(async (dir) => {
      for (const codes of ENCODINGS) {
        const legacy = join(FIXTURE, `dorado_5khz.${codes}.tokens`);
        const tokens = join(dir, `${codes}.tokens`), restored = join(dir, `${codes}.pod5`);
        await encodePod5(INPUT, tokens, { codec, codes });
        assertEquals(await codesOf(tokens), await codesOf(legacy), codes);
        await decodeTokens(legacy, restored, { codec });
        const hashes: Record<string, string> = {};
        {
          await using reader = await Pod5Reader.open(restored);
          for await (const read of reader.reads()) hashes[read.readId] = sha256Hex(read.signal());
        }
        assertEquals(hashes, expected.decoded_signal_sha256[codes], codes);
      }
    });
  } finally {
    codec.dispose();
  }
});
