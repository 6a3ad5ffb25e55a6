import { join } from "@std/path";
import { assertEquals, assertRejects } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { encodePod5 } from "../../lib/codec/encode_pod5.ts";
import { loadCodec } from "../../lib/codec/load_codec.ts";
import { resolveDecoder } from "../../lib/codec/resolve_decoder.ts";
import { exportCodec } from "../../lib/checkpoint/export_codec.ts";
import { CheckpointError } from "../../lib/checkpoint/errors.ts";
import { DORADO_5KHZ, fixture } from "../pod5/_fixtures.ts";
import { makeTinyCheckpoint } from "./_tiny_checkpoint.ts";

/** Tokens of the 2,048-sample fixture made with `checkpoint`. */
async function tokensOf(checkpoint: string, output: string): Promise<string> {
  const codec = await loadCodec(checkpoint, { backend: "wasm" });
  try {
    await encodePod5(fixture(DORADO_5KHZ), output, { codec });
  } finally {
    codec.dispose();
  }
  return output;
}

Deno.test("resolveDecoder() takes the recorded checkpoint while it is there, then finds its generator by sha256", async () => {
  await withTempDir(async (dir) => {
    const run = join(dir, "run");
    const used = await makeTinyCheckpoint(run, { step: 2, seed: 2 });
    const tokens = await tokensOf(used, join(dir, "a.tokens"));
    assertEquals(await resolveDecoder(tokens), {
      path: used,
      recorded: (await resolveDecoder(tokens)).recorded,
      note: `checkpoint ${used} (recorded in the token file; --ckpt overrides)`,
    });
    // Training goes on and prunes it; encode had kept an export of its codec.
    await makeTinyCheckpoint(run, { step: 3, seed: 3 });
    const { export: kept } = await exportCodec(used, join(run, "exports"));
    await Deno.remove(used, { recursive: true });
    const found = await resolveDecoder(tokens);
    assertEquals(found.path, kept.path);
    assertEquals(
      found.note,
      `checkpoint ${used} (recorded in the token file) is gone; codec export ${kept.path} has its sha256 ` +
        `${kept.sha256.slice(0, 12)}…`,
    );
    // --overwrite moved the run's checkpoints into previous-<time>/ (and the export is gone too).
    await Deno.remove(join(run, "exports"), { recursive: true });
    const moved = await makeTinyCheckpoint(join(run, "previous-2025-01-01T00-00-00Z"), { step: 2, seed: 2 });
    assertEquals((await resolveDecoder(tokens)).path, moved);
  });
});

Deno.test("resolveDecoder() with --ckpt: searches the run folder given; another generator only with allowOther", async () => {
  await withTempDir(async (dir) => {
    const run = join(dir, "run");
    const older = await makeTinyCheckpoint(run, { step: 1, seed: 1 });
    await makeTinyCheckpoint(run, { step: 2, seed: 2 });
    const tokens = await tokensOf(older, join(dir, "a.tokens"));
    const found = await resolveDecoder(tokens, { ckpt: run });
    assertEquals(found.path, older, "not the newest: the one with the tokens' sha256");
    assertEquals(
      found.note.startsWith(`checkpoint ${older} (found in ${run} by the tokens' sha256 `),
      true,
      found.note,
    );
    assertEquals((await resolveDecoder(tokens, { ckpt: older })).note, `checkpoint ${older}`);
    const other = await makeTinyCheckpoint(join(dir, "other"), { step: 5, seed: 5 });
    const error = await assertRejects(
      () => resolveDecoder(tokens, { ckpt: join(dir, "other") }),
      CheckpointError,
      `Cannot decode: the tokens were made by checkpoint sha256 ${found.recorded.sha256} (${older}); ` +
        "none of checkpoint_5 (sha256 ",
    );
    assertEquals(error.reason, "other_checkpoint");
    assertEquals((await resolveDecoder(tokens, { ckpt: join(dir, "other"), allowOther: true })).path, other);
  });
});

Deno.test("resolveDecoder() refusing tokens whose generator is nowhere around the recorded path", async () => {
  await withTempDir(async (dir) => {
    const used = await makeTinyCheckpoint(join(dir, "run"), { step: 1, seed: 1 });
    const tokens = await tokensOf(used, join(dir, "a.tokens"));
    await Deno.remove(used, { recursive: true });
    await makeTinyCheckpoint(join(dir, "run"), { step: 4, seed: 4 });
    const error = await assertRejects(
      () => resolveDecoder(tokens),
      CheckpointError,
      `Cannot decode: no checkpoint or codec export with the tokens' sha256 `,
    );
    assertEquals(error.reason, "no_decoder");
    assertEquals(error.message.includes(`(${used}): none of checkpoint_4 (sha256 `), true, error.message);
    assertEquals(
      error.message.endsWith("give --ckpt the checkpoint, run folder or exports folder that holds it"),
      true,
    );
  });
});
