import { JobScheduler, YIELD_EVERY_MS } from "../../lib/codec/_job_scheduler.ts";
import type { DecodeJob, EncodeJob, ModelRunner } from "../../lib/codec/_model_runner.ts";
import { assertEquals, assertRejects } from "../_assert.ts";

/** A runner whose jobs finish when the test says; each job's codes are `[samples]` (its tag). */
function heldRunner(capacity: number) {
  const held: { tag: number; finish: () => void }[] = [];
  const runner: ModelRunner = {
    capacity,
    encode: (job: EncodeJob) =>
      new Promise<Uint16Array>((resolve) => {
        held.push({ tag: job.samples, finish: () => resolve(Uint16Array.of(job.samples)) });
      }),
    decode: (_job: DecodeJob) => Promise.reject(new Error("not used")),
    close: () => Promise.resolve(),
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { runner, held, settle };
}

const job = (tag: number): EncodeJob => ({ windows: new Float32Array(0), samples: tag });

Deno.test("JobScheduler hands the runner at most its capacity, serving the calls' lines in turn", async () => {
  const { runner, held, settle } = heldRunner(2);
  const scheduler = new JobScheduler(runner);
  const a = scheduler.open(), b = scheduler.open();
  const results = [
    ...[11, 12, 13, 14].map((tag) => a.encode(job(tag))),
    ...[21, 22].map((tag) => b.encode(job(tag))),
  ];
  await settle();
  assertEquals(held.map((h) => h.tag), [11, 12]);
  assertEquals([scheduler.running, scheduler.waiting, scheduler.started], [2, 4, 2]);
  for (let i = 0; i < 4; i++) {
    held[i]!.finish();
    await settle();
  }
  // Each freed place goes to the next line in turn: b, a, b, a.
  assertEquals(held.map((h) => h.tag), [11, 12, 21, 13, 22, 14]);
  for (const h of held.slice(4)) h.finish();
  assertEquals((await Promise.all(results)).map((codes) => codes[0]), [11, 12, 13, 14, 21, 22]);
  assertEquals([scheduler.running, scheduler.waiting, scheduler.started], [0, 0, 6]);
  await a.close();
  await b.close();
});

Deno.test("JobScheduler drops an aborted call's jobs at once; its running jobs keep their place until they end", async () => {
  const { runner, held, settle } = heldRunner(2);
  const scheduler = new JobScheduler(runner);
  const stop = new AbortController();
  const a = scheduler.open(stop.signal), b = scheduler.open();
  const first = a.encode(job(1)), second = a.encode(job(2)), third = a.encode(job(3));
  const other = b.encode(job(9));
  await settle();
  assertEquals(held.map((h) => h.tag), [1, 2]);
  const reason = new Error("too slow");
  stop.abort(reason);
  for (const promise of [first, second, third]) await assertRejects(() => promise, Error, "too slow");
  await assertRejects(() => a.encode(job(4)), Error, "too slow");
  // Job 3 never runs; b's job waits until one of a's running jobs really ends.
  await settle();
  assertEquals([held.length, scheduler.running, scheduler.waiting], [2, 2, 1]);
  held[0]!.finish();
  await settle();
  assertEquals(held.map((h) => h.tag), [1, 2, 9]);
  held[1]!.finish();
  held[2]!.finish();
  assertEquals((await other)[0], 9);
  await settle();
  assertEquals([scheduler.running, scheduler.waiting, scheduler.started], [0, 0, 3]);
  scheduler.close(new Error("Cannot run the model: the codec pool is closed"));
  await assertRejects(() => b.encode(job(5)), Error, "the codec pool is closed");
});

Deno.test("JobScheduler gives the event loop a turn between jobs when the model runs in this thread", async () => {
  const order: string[] = [];
  const runner: ModelRunner = {
    capacity: 1,
    encode: (j: EncodeJob) => {
      // A job that holds the thread longer than YIELD_EVERY_MS, as the model does.
      const until = performance.now() + YIELD_EVERY_MS + 10;
      while (performance.now() < until) order.length;
      order.push(`job ${j.samples}`);
      return Promise.resolve(new Uint16Array(0));
    },
    decode: () => Promise.reject(new Error("not used")),
    close: () => Promise.resolve(),
  };
  const line = new JobScheduler(runner, { inThisThread: true }).open();
  const timer = new Promise<void>((resolve) => setTimeout(() => resolve(void order.push("timer")), 0));
  await Promise.all([line.encode(job(1)), line.encode(job(2)), line.encode(job(3)), timer]);
  // A timer due at once runs before the second job, not after the third.
  assertEquals(order.indexOf("timer") < order.indexOf("job 3"), true, order.join(", "));
});
