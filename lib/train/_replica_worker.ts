/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * A training replica Worker: its own tfjs backend and a full
 * {@linkcode Trainer} (generator, discriminator, both optimizers). It trains
 * on its rows of each micro-batch and sums gradients with the other
 * replicas before every update, so all replicas apply the same updates and
 * keep the same weights. Requests run one at a time, in arrival order.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../runtime/backend.ts";
import { Rng } from "../runtime/rng.ts";
import { serveRpc, transferring } from "../runtime/worker_rpc.ts";
import { reconstructBatch } from "./evaluate.ts";
import type { ReplicaMethods } from "./_replica_protocol.ts";
import { SharedAllReduce } from "./_shared_all_reduce.ts";
import type { GradientReducer, NetworkName } from "./step.ts";
import { Trainer } from "./trainer.ts";

/** Gradients flattened in map order into `into`; returns the values written. */
async function flatten(grads: ReadonlyMap<string, tf.Tensor>, into: Float32Array): Promise<number> {
  let offset = 0;
  for (const [name, g] of grads) {
    if (offset + g.size > into.length) {
      throw new RangeError(`Cannot reduce gradients: "${name}" does not fit in ${into.length} values`);
    }
    into.set(await g.data<"float32">(), offset);
    offset += g.size;
  }
  return offset;
}

/** Tensors shaped like `like`, from consecutive values of `data` (copied). */
function unflatten(like: ReadonlyMap<string, tf.Tensor>, data: Float32Array): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  let offset = 0;
  for (const [name, g] of like) {
    out.set(name, tf.tensor(data.slice(offset, offset + g.size), g.shape, "float32"));
    offset += g.size;
  }
  return out;
}

/** Sums over a SharedArrayBuffer with the other Workers. */
function sharedReducer(allReduce: SharedAllReduce): GradientReducer {
  return {
    async reduce(_network: NetworkName, grads: ReadonlyMap<string, tf.Tensor>): Promise<Map<string, tf.Tensor>> {
      const length = await flatten(grads, allReduce.slot);
      return unflatten(grads, allReduce.sum(length));
    },
  };
}

let trainer: Trainer | undefined;
let reducer: GradientReducer | undefined;
let index = 0, replicas = 1;

function ready(): Trainer {
  if (trainer === undefined) throw new Error("Cannot run replica: not initialised");
  return trainer;
}

serveRpc<ReplicaMethods>(self, {
  init: async (request) => {
    const backend = await initBackend(request.backend);
    trainer = Trainer.create(request.setup, {
      rng: Rng.fromState(request.rngState),
      backend,
      ...(request.plan === undefined ? {} : { plan: request.plan }),
    });
    index = request.index;
    replicas = request.replicas;
    const gradientValues = Math.max(
      trainer.generator.params.counts().trainable,
      trainer.discriminator.params.counts().trainable,
    );
    return { gradientValues };
  },
  attach: ({ buffer }) => {
    reducer = sharedReducer(new SharedAllReduce(buffer, { index, replicas }));
    return Promise.resolve(null);
  },
  step: async (request) => {
    if (reducer === undefined) throw new Error("Cannot run replica: no gradient reducer attached");
    return await ready().replicaStep(request.microBatches, {
      step: request.step,
      quantizers: request.quantizers,
      share: { fraction: request.fraction, reducer },
    });
  },
  export: () => ready().exportState(),
  import: ({ state }) => {
    ready().importState(state);
    return Promise.resolve(null);
  },
  reconstruct: async (request) => {
    const result = await reconstructBatch(ready().generator, request);
    return transferring(result, [
      result.reconstruction.buffer,
      result.codes.buffer,
      ...result.byQuantizers.map((y) => y.buffer),
    ]);
  },
});
