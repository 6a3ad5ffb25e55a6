import { assertEquals, assertThrows } from "../_assert.ts";
import { SharedAllReduce } from "../../lib/train/_shared_all_reduce.ts";
import { Rng } from "../../lib/runtime/rng.ts";

type ProbeReply = { kind: "entering" } | { kind: "sums"; sums: Float32Array[] } | { kind: "error"; message: string };

/** Start one probe Worker per vector list; resolve each one's final reply. */
function startReplicas(
  buffer: SharedArrayBuffer,
  vectorsPerReplica: Float32Array[][],
  options: { replicas?: number; onEntering?: (index: number) => void } = {},
): { workers: Worker[]; replies: Promise<ProbeReply>[] } {
  const replicas = options.replicas ?? vectorsPerReplica.length;
  const workers: Worker[] = [];
  const replies = vectorsPerReplica.map((vectors, index) => {
    const worker = new Worker(new URL("./_all_reduce_probe.ts", import.meta.url), { type: "module" });
    workers.push(worker);
    return new Promise<ProbeReply>((resolve, reject) => {
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(event.message));
      };
      worker.onmessage = (event: MessageEvent<ProbeReply>) => {
        if (event.data.kind === "entering") options.onEntering?.(index);
        else resolve(event.data);
      };
      worker.postMessage({ buffer, index, replicas, vectors });
    });
  });
  return { workers, replies };
}

Deno.test("SharedAllReduce.sum() gives every replica the float64-rounded sum, over repeated calls", async () => {
  const rng = Rng.fromSeed(11);
  const replicas = 3;
  // Two reductions of different lengths, the second shorter than the first (reuse of the buffer).
  const lengths = [1001, 37];
  const vectors = Array.from(
    { length: replicas },
    () => lengths.map((n) => Float32Array.from({ length: n }, () => rng.nextNormal() * 1e3)),
  );
  const buffer = SharedAllReduce.allocate(replicas, 1001);
  const { workers, replies } = startReplicas(buffer, vectors);
  try {
    const results = await Promise.all(replies);
    for (const [call, n] of lengths.entries()) {
      const expected = new Float32Array(n);
      for (let j = 0; j < n; j++) {
        expected[j] = vectors[0]![call]![j]! + vectors[1]![call]![j]! + vectors[2]![call]![j]!;
      }
      for (const reply of results) {
        if (reply.kind !== "sums") throw new Error(`replica failed: ${JSON.stringify(reply)}`);
        assertEquals(reply.sums[call], expected);
      }
    }
  } finally {
    for (const worker of workers) worker.terminate();
  }
});

Deno.test("SharedAllReduce.abort() releases a replica waiting for one that never arrives", async () => {
  const buffer = SharedAllReduce.allocate(2, 8);
  // Only replica 0 of 2 runs: without the abort it would wait forever.
  const { workers, replies } = startReplicas(buffer, [[new Float32Array(8).fill(1)]], {
    replicas: 2,
    onEntering: () => SharedAllReduce.abort(buffer),
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A broken abort leaves the replica waiting forever: fail instead of hanging.
  const timeout = new Promise<ProbeReply>((resolve) => {
    timer = setTimeout(() => resolve({ kind: "error", message: "still waiting after 30 s" }), 30_000);
  });
  try {
    const reply = await Promise.race([replies[0]!, timeout]);
    clearTimeout(timer);
    assertEquals(reply, { kind: "error", message: "Cannot all-reduce: another replica failed" });
  } finally {
    for (const worker of workers) worker.terminate();
  }
});

Deno.test("SharedAllReduce rejects lengths over its capacity and bad replica indices", () => {
  const buffer = SharedAllReduce.allocate(2, 4);
  const allReduce = new SharedAllReduce(buffer, { index: 1, replicas: 2 });
  assertEquals(allReduce.capacity, 4);
  assertThrows(() => allReduce.sum(5), RangeError, "Cannot all-reduce 5 values: the capacity is 4");
  assertThrows(
    () => new SharedAllReduce(buffer, { index: 2, replicas: 2 }),
    RangeError,
    "Cannot attach to all-reduce: replica 2 of 2",
  );
});
