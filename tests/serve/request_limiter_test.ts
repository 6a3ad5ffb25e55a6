import { QueueFullError } from "../../lib/serve/errors.ts";
import { RequestLimiter } from "../../lib/serve/request_limiter.ts";
import { assertEquals, assertRejects, assertThrows } from "../_assert.ts";

Deno.test("RequestLimiter grants slots up to its concurrency, then in arrival order", async () => {
  const limiter = new RequestLimiter({ concurrency: 2, queue: 3 });
  const order: string[] = [];
  const a = await limiter.acquire(), b = await limiter.acquire();
  const waiters = ["c", "d", "e"].map((name) =>
    limiter.acquire().then((release) => {
      order.push(name);
      return release;
    })
  );
  assertEquals([limiter.active, limiter.queued], [2, 3]);
  a();
  a(); // a second call gives nothing back twice
  const c = await waiters[0]!;
  assertEquals([limiter.active, limiter.queued, order], [2, 2, ["c"]]);
  b();
  c();
  let idle = false;
  const becameIdle = limiter.idle().then(() => idle = true);
  const d = await waiters[1]!;
  d();
  const e = await waiters[2]!;
  await Promise.resolve();
  assertEquals(idle, false);
  e();
  await becameIdle;
  assertEquals([limiter.active, limiter.queued, order], [0, 0, ["c", "d", "e"]]);
  await limiter.idle(); // at once when idle
});

Deno.test("RequestLimiter refusing past its queue with QueueFullError and a retry delay", async () => {
  const limiter = new RequestLimiter({ concurrency: 1, queue: 1 });
  const first = await limiter.acquire();
  assertEquals(limiter.refusal(), undefined); // a slot is busy, the line has room
  const second = limiter.acquire();
  const error = await assertRejects(() => limiter.acquire(), QueueFullError, "1 requests are being processed and 1");
  assertEquals(error.retryAfterSeconds, 1);
  // refusal() says so beforehand, with the same error.
  assertEquals(limiter.refusal()?.message, error.message);
  first();
  (await second)();
  const none = new RequestLimiter({ concurrency: 1, queue: 0 });
  const only = await none.acquire();
  await assertRejects(() => none.acquire(), QueueFullError);
  only();
});

Deno.test("RequestLimiter lets an aborted waiter leave the line without taking a slot", async () => {
  const limiter = new RequestLimiter({ concurrency: 1, queue: 2 });
  const first = await limiter.acquire();
  const gone = new AbortController();
  const leaving = limiter.acquire(gone.signal);
  const staying = limiter.acquire();
  gone.abort(new Error("client went away"));
  await assertRejects(() => leaving, Error, "client went away");
  assertEquals(limiter.queued, 1);
  first();
  (await staying)();
  assertEquals([limiter.active, limiter.queued], [0, 0]);
  await assertRejects(() => limiter.acquire(AbortSignal.abort(new Error("already"))), Error, "already");
  assertEquals(limiter.active, 0);
});

Deno.test("RequestLimiter rejecting impossible limits", () => {
  assertThrows(() => new RequestLimiter({ concurrency: 0, queue: 1 }), RangeError, "concurrency 0");
  assertThrows(() => new RequestLimiter({ concurrency: 1, queue: -1 }), RangeError, "queue -1");
  assertThrows(() => new RequestLimiter({ concurrency: 1.5, queue: 1 }), RangeError, "concurrency 1.5");
});
