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
import { ParamStateError } from "../model/errors.ts";
import { initBackend } from "../runtime/backend.ts";
import { BackendError } from "../runtime/errors.ts";
import { Rng } from "../runtime/rng.ts";
import { reconstructBatch } from "./evaluate.ts";
import type { ReplicaReply, ReplicaRequest, SerialisedError } from "./_replica_protocol.ts";
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

function serialise(error: unknown): SerialisedError {
  if (error instanceof ParamStateError) return { name: error.name, message: error.message, paramName: error.paramName };
  if (error instanceof BackendError) return { name: error.name, message: error.message, backend: error.backend };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "Error", message: String(error) };
}

/**
 * The Worker's message handler; its trainer and queue live in this closure.
 *
 * @returns The handler.
 */
function serve(): (event: MessageEvent<ReplicaRequest>) => void {
  let trainer: Trainer | undefined;
  let reducer: GradientReducer | undefined;
  let index = 0, replicas = 1;
  let queue: Promise<void> = Promise.resolve();
  const post = (message: ReplicaReply, transfer: Transferable[] = []) => self.postMessage(message, transfer);
  const ready = (): Trainer => {
    if (trainer === undefined) throw new Error("Cannot run replica: not initialised");
    return trainer;
  };

  const handle = async (request: ReplicaRequest): Promise<void> => {
    try {
      const reply = await answer(request);
      post(reply.message, reply.transfer);
    } catch (error) {
      post({ kind: "failed", id: request.id, error: serialise(error) });
    }
  };

  const answer = async (request: ReplicaRequest): Promise<{ message: ReplicaReply; transfer: Transferable[] }> => {
    const id = request.id;
    switch (request.kind) {
      case "init": {
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
        return { message: { kind: "ready", id, gradientValues }, transfer: [] };
      }
      case "attach":
        reducer = sharedReducer(new SharedAllReduce(request.buffer, { index, replicas }));
        return { message: { kind: "done", id }, transfer: [] };
      case "step": {
        if (reducer === undefined) throw new Error("Cannot run replica: no gradient reducer attached");
        const part = await ready().replicaStep(request.microBatches, {
          step: request.step,
          quantizers: request.quantizers,
          share: { fraction: request.fraction, reducer },
        });
        return { message: { kind: "stepped", id, part }, transfer: [] };
      }
      case "export": {
        const state = await ready().exportState();
        return { message: { kind: "state", id, state }, transfer: [] };
      }
      case "import":
        ready().importState(request.state);
        return { message: { kind: "done", id }, transfer: [] };
      case "reconstruct": {
        const result = await reconstructBatch(ready().generator, request);
        return {
          message: { kind: "reconstruction", id, result },
          transfer: [result.reconstruction.buffer, result.codes.buffer, ...result.byQuantizers.map((y) => y.buffer)],
        };
      }
    }
  };

  return (event) => {
    const request = event.data;
    queue = queue.then(() => handle(request));
  };
}

self.onmessage = serve();
