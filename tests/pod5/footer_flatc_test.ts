/**
 * An independent judge of the footer: Debian's `flatc` decodes the footer
 * FlatBuffer of a file written by Pod5Writer against lib/pod5/footer.fbs
 * (written from notes/pod5_format.md §1), and of an official file for
 * comparison. Without flatc the test fails; SIMVQGAN_SKIP_FLATC=1 skips it
 * (CI never sets it: it installs flatbuffers-compiler or fails).
 */
import { assert, assertEquals } from "../_assert.ts";
import { fromFileUrl } from "@std/path";
import { CONTENT_TYPE } from "../../lib/pod5/footer.ts";
import { openContainer } from "../../lib/pod5/container.ts";
import { subsetPod5 } from "../../lib/pod5/mod.ts";
import { fixture } from "./_fixtures.ts";

const SCHEMA = fromFileUrl(new URL("../../lib/pod5/footer.fbs", import.meta.url));

async function hasFlatc(): Promise<boolean> {
  try {
    return (await new Deno.Command("flatc", { args: ["--version"], stdout: "null", stderr: "null" }).output()).success;
  } catch {
    return false;
  }
}

const SKIP_FLATC = Deno.env.get("SIMVQGAN_SKIP_FLATC") === "1";
const flatcAvailable = SKIP_FLATC || await hasFlatc();

interface FlatcFooter {
  file_identifier: string;
  software: string;
  pod5_version: string;
  contents: { offset: number; length: number; format: string; content_type: string }[];
}

/** Decode the footer of `path` with flatc. */
async function flatcFooter(path: string, dir: string): Promise<FlatcFooter> {
  const bytes = await Deno.readFile(path);
  const length = Number(new DataView(bytes.buffer).getBigInt64(bytes.length - 32, true));
  const footer = `${dir}/footer.bin`;
  await Deno.writeFile(footer, bytes.subarray(bytes.length - 32 - length, bytes.length - 32));
  const out = await new Deno.Command("flatc", {
    args: ["--json", "--raw-binary", "--strict-json", "--defaults-json", "-o", dir, SCHEMA, "--", footer],
    stderr: "piped",
  }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
  return JSON.parse(await Deno.readTextFile(`${dir}/footer.json`));
}

const NAMES: Record<number, string> = {
  [CONTENT_TYPE.reads]: "ReadsTable",
  [CONTENT_TYPE.signal]: "SignalTable",
  [CONTENT_TYPE.runInfo]: "RunInfoTable",
};

Deno.test({
  name: "flatc decodes the footer Pod5Writer wrote as the library does",
  ignore: SKIP_FLATC,
  async fn() {
    if (!flatcAvailable) {
      throw new Error("flatc is not on PATH: apt-get install flatbuffers-compiler (SIMVQGAN_SKIP_FLATC=1 skips)");
    }
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/written.pod5`;
      await subsetPod5(fixture("z1.pod5"), path, {});
      const decoded = await flatcFooter(path, dir);
      const container = await openContainer(path);
      await container.file.close();
      assertEquals(decoded.file_identifier, container.footer.fileIdentifier);
      assertEquals(decoded.pod5_version, "0.3.39");
      assertEquals(
        decoded.contents,
        container.footer.contents.map((e) => ({
          offset: e.offset,
          length: e.length,
          format: "FeatherV2",
          content_type: NAMES[e.contentType]!,
        })),
      );
      assertEquals(decoded.contents.map((e) => e.content_type), ["SignalTable", "RunInfoTable", "ReadsTable"]);
      for (const entry of decoded.contents) assertEquals(entry.offset % 8, 0);
      // An official footer decodes the same way.
      const official = await flatcFooter(fixture("z1.pod5"), dir);
      assertEquals(official.contents.map((e) => e.content_type), ["SignalTable", "RunInfoTable", "ReadsTable"]);
      assertEquals(official.pod5_version, "0.2.4");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
