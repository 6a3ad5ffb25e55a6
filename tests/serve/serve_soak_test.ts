import { join } from "@std/path";
import { runSoak, SOAK_CLIENTS } from "../../bench/_serve_soak.ts";
import { makeTinyCheckpoint } from "../codec/_tiny_checkpoint.ts";
import { assert, assertEquals } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";

Deno.test("runSoak() (bench serve --soak): mixed good, bad and slow clients, then nothing left behind", async () => {
  await withTempDir(async (dir) => {
    const ckpt = await makeTinyCheckpoint(join(dir, "run"));
    const foreign = await makeTinyCheckpoint(join(dir, "foreign"), { seed: 9 });
    const scratch = join(dir, "scratch");
    await Deno.mkdir(scratch);
    // A short body timeout, so that each slow client is cut off several times in the run.
    const result = await runSoak({
      checkpointDir: ckpt,
      foreignCheckpointDir: foreign,
      scratch,
      seconds: 8,
      bodyTimeoutS: 2,
    });
    console.log(JSON.stringify({ ...result, good_by_name: undefined }));
    assertEquals(result.problems, []);
    assertEquals([result.good_failures, result.bad_wrong_answers, result.slow_wrong_answers], [0, 0, 0]);
    assert(result.good_requests >= SOAK_CLIENTS.good, `${result.good_requests} good requests`);
    assert(result.bad_requests > 10, `${result.bad_requests} bad requests`);
    assert(result.slow_cut_off_408 >= 2, `${result.slow_cut_off_408} slow clients cut off`);
    assertEquals(result.requests, Object.values(result.by_status).reduce((a, b) => a + b, 0));
    assertEquals([result.temp_files_end, result.server_errors], [0, 0]);
    // Every connection and file of the requests is closed again (Linux: /proc/PID/fd).
    if (result.open_fds_start !== null) assertEquals(result.open_fds_end, result.open_fds_start);
  });
});
