/**
 * One request/reply protocol for every Deno Worker of the project (the
 * codec's model Workers, the loader's, the training replicas): requests carry
 * an id that the reply repeats, a pending map settles them, a Worker that
 * dies rejects everything pending at once (and every later call), and errors
 * cross the boundary by class, so that an error thrown in a Worker arrives as
 * the same class, with the same fields, as it would in this thread.
 *
 * The main thread holds a {@linkcode WorkerRpc} per Worker; the Worker calls
 * {@linkcode serveRpc} with one handler per method.
 *
 * @module
 */

/** The methods of a Worker: per name, its parameters and its result. */
export type RpcMethods = { readonly [method: string]: { readonly params: unknown; readonly result: unknown } };

/** An error as it crosses a Worker boundary: its class name, message, own fields and cause. */
export interface SerialisedError {
  /** The class name (`error.name`), e.g. `CheckpointError`. */
  readonly name: string;
  /** The message. */
  readonly message: string;
  /** The stack where it was thrown, when there is one. */
  readonly stack: string | undefined;
  /** Own fields other than name, message, stack and cause (`path`, `reason`, ...), when structured-cloneable. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** The cause, when it is an error. */
  readonly cause: SerialisedError | undefined;
}

/** A class of error that {@linkcode deserialiseError} may rebuild. */
// deno-lint-ignore no-explicit-any
export type ErrorClass = abstract new (...args: any[]) => Error;

/** A request to a Worker. */
export interface RpcRequest {
  /** Repeated by the reply. */
  readonly id: number;
  /** The method's name. */
  readonly method: string;
  /** Its parameters. */
  readonly params: unknown;
}

/** A Worker's reply. */
export type RpcReply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: SerialisedError };

/**
 * Classes every RPC rebuilds as themselves: the built-in errors and
 * `Deno.errors.*`. A plain `Error` says nothing of its kind: it counts as
 * foreign (see {@linkcode WorkerRpcOptions.foreignError}).
 */
const BUILT_IN_ERRORS: readonly ErrorClass[] = [
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  ...Object.values(Deno.errors),
];

/**
 * An error as plain data for `postMessage`: name, message, stack, the own
 * fields that survive structured cloning, and the cause.
 *
 * @param error Anything thrown.
 * @returns The serialised error.
 */
export function serialiseError(error: unknown): SerialisedError {
  if (!(error instanceof Error)) {
    return { name: "Error", message: String(error), stack: undefined, fields: {}, cause: undefined };
  }
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    if (key === "name" || key === "message" || key === "stack" || key === "cause") continue;
    const value: unknown = Reflect.get(error, key);
    if (cloneable(value)) fields[key] = value;
  }
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    fields,
    cause: error.cause instanceof Error ? serialiseError(error.cause) : undefined,
  };
}

/**
 * Rebuild a serialised error as an instance of its class (`instanceof`
 * holds, its fields are back), without running the class's constructor.
 *
 * @example An error of a Worker's class arrives as that class
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { deserialiseError, serialiseError } from "./worker_rpc.ts";
 * class ShelfError extends Error {
 *   readonly shelf: number;
 *   constructor(shelf: number) {
 *     super(`Cannot find shelf ${shelf}`);
 *     this.name = "ShelfError";
 *     this.shelf = shelf;
 *   }
 * }
 * const back = deserialiseError(structuredClone(serialiseError(new ShelfError(7))), [ShelfError]);
 * if (!(back instanceof ShelfError)) throw new Error("not a ShelfError");
 * assertEquals([back.message, back.shelf], ["Cannot find shelf 7", 7]);
 * ```
 *
 * @param error The serialised error.
 * @param classes The classes it may be (matched by name), besides the built-in ones.
 * @returns The error; an unknown class becomes an `Error` of that name.
 */
export function deserialiseError(error: SerialisedError, classes: readonly ErrorClass[] = []): Error {
  const known = [...classes, ...BUILT_IN_ERRORS].find((c) => c.name === error.name);
  const out: Error = Object.create((known ?? Error).prototype);
  const own = (key: string, value: unknown) =>
    Object.defineProperty(out, key, { value, writable: true, configurable: true, enumerable: false });
  own("message", error.message);
  if (error.stack !== undefined) own("stack", error.stack);
  if (error.cause !== undefined) own("cause", deserialiseError(error.cause, classes));
  Object.defineProperty(out, "name", { value: error.name, writable: true, configurable: true, enumerable: true });
  for (const [key, value] of Object.entries(error.fields)) {
    Object.defineProperty(out, key, { value, writable: false, configurable: true, enumerable: true });
  }
  return out;
}

/** Whether a class of `classes` (or a built-in one) is named `name`. */
export function isKnownError(name: string, classes: readonly ErrorClass[]): boolean {
  return [...classes, ...BUILT_IN_ERRORS].some((c) => c.name === name);
}

/** Options of {@linkcode WorkerRpc.start}. */
export interface WorkerRpcOptions {
  /** The Worker's name (shown in debuggers and traces). */
  readonly name?: string;
  /** Error classes the Worker's errors are rebuilt as (the built-in ones always are). */
  readonly errorClasses?: readonly ErrorClass[];
  /**
   * What an error of another class becomes (e.g. a `TrainWorkerError` naming
   * the Worker). Default: an `Error` of the original name and message.
   */
  readonly foreignError?: (error: SerialisedError) => Error;
  /** The error every pending and later call gets when the Worker dies or sends an unreadable message. */
  readonly crashError: (reason: string) => Error;
  /** Called once when the Worker dies (after its calls are rejected), e.g. to fail a whole pool. */
  readonly onCrash?: (error: Error) => void;
}

/** Options of {@linkcode WorkerRpc.call}. */
export interface RpcCallOptions {
  /** Buffers to move rather than copy. */
  readonly transfer?: readonly Transferable[];
  /** What an error of a class the RPC does not know becomes, for this call (overrides the RPC's `foreignError`). */
  readonly foreignError?: (error: SerialisedError) => Error;
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly foreignError: ((error: SerialisedError) => Error) | undefined;
}

/**
 * The main thread's end of one Worker: {@linkcode WorkerRpc.call} sends a
 * request and settles with its reply.
 */
export class WorkerRpc<M extends RpcMethods> {
  readonly #worker: Worker;
  readonly #options: WorkerRpcOptions;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #failure: Error | undefined;

  private constructor(worker: Worker, options: WorkerRpcOptions) {
    this.#worker = worker;
    this.#options = options;
    worker.onmessage = (event: MessageEvent<RpcReply>) => this.#settle(event.data);
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#crash(event.message);
    };
    worker.onmessageerror = () => this.#crash("it sent a message that cannot be read");
  }

  /**
   * Start a module Worker (it inherits this process's permissions).
   *
   * @param url The Worker's module; it calls {@linkcode serveRpc}.
   * @param options Name, error classes and the crash error.
   * @returns The Worker's RPC end.
   */
  static start<M extends RpcMethods>(url: URL, options: WorkerRpcOptions): WorkerRpc<M> {
    const worker = new Worker(url.href, {
      type: "module",
      ...(options.name === undefined ? {} : { name: options.name }),
    });
    return new WorkerRpc<M>(worker, options);
  }

  /** Calls sent and not yet answered. */
  get pending(): number {
    return this.#pending.size;
  }

  /** The error that stopped this Worker, if one did. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /**
   * Call `method` in the Worker.
   *
   * @param method The method.
   * @param params Its parameters (structured-cloned, or moved when listed in `transfer`).
   * @param options Buffers to move, and how an error of an unknown class is turned into one.
   * @returns Its result; it rejects with the Worker's error, rebuilt as its class.
   */
  call<K extends keyof M & string>(
    method: K,
    params: M[K]["params"],
    options: RpcCallOptions = {},
  ): Promise<M[K]["result"]> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise<M[K]["result"]>((resolve, reject) => {
      this.#pending.set(id, {
        resolve: (value) => resolve(value as M[K]["result"]),
        reject,
        foreignError: options.foreignError ?? this.#options.foreignError,
      });
      const request: RpcRequest = { id, method, params };
      this.#worker.postMessage(request, [...(options.transfer ?? [])]);
    });
  }

  /**
   * Stop the Worker: it is terminated, pending and later calls reject with `error`.
   * Calling it again does nothing.
   *
   * @param error What the calls reject with.
   */
  fail(error: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.#worker.terminate();
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }

  #crash(reason: string): void {
    if (this.#failure !== undefined) return;
    const error = this.#options.crashError(reason);
    this.fail(error);
    this.#options.onCrash?.(error);
  }

  #settle(reply: RpcReply): void {
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    this.#pending.delete(reply.id);
    if (reply.ok) {
      pending.resolve(reply.result);
      return;
    }
    const classes = this.#options.errorClasses ?? [];
    const foreign = pending.foreignError;
    pending.reject(
      foreign !== undefined && !isKnownError(reply.error.name, classes)
        ? foreign(reply.error)
        : deserialiseError(reply.error, classes),
    );
  }
}

/** A result and the buffers to move with it (see {@linkcode transferring}). */
export class Transferring<T> {
  /** The result. */
  readonly value: T;
  /** Buffers moved to the caller rather than copied. */
  readonly transfer: readonly Transferable[];

  /**
   * Wrap a result.
   *
   * @param value The result.
   * @param transfer Its buffers.
   */
  constructor(value: T, transfer: readonly Transferable[]) {
    this.value = value;
    this.transfer = transfer;
  }
}

/**
 * A handler's result whose buffers move to the caller instead of being copied.
 *
 * @param value The result.
 * @param transfer Its buffers (unusable in the Worker afterwards).
 * @returns The wrapped result.
 */
export function transferring<T>(value: T, transfer: readonly Transferable[]): Transferring<T> {
  return new Transferring(value, transfer);
}

/** One handler per method: its result, or its result with buffers to move. */
export type RpcHandlers<M extends RpcMethods> = {
  readonly [K in keyof M]: (params: M[K]["params"]) => Promise<M[K]["result"] | Transferring<M[K]["result"]>>;
};

/** What a Worker's `self` offers {@linkcode serveRpc}. */
export interface RpcScope {
  /** Post a reply to the main thread. */
  postMessage(message: RpcReply, transfer: Transferable[]): void;
  /** Where requests arrive. */
  onmessage: ((event: MessageEvent<RpcRequest>) => void) | null;
}

/** Options of {@linkcode serveRpc}. */
export interface ServeRpcOptions<M extends RpcMethods> {
  /**
   * Methods answered as soon as they arrive, not after the requests queued
   * before them (by default every request waits for the previous one).
   */
  readonly immediate?: readonly (keyof M)[];
}

/**
 * Answer the requests a {@linkcode WorkerRpc} sends to this Worker, one
 * after another in arrival order (except `immediate` methods); a handler's
 * error goes back serialised by class.
 *
 * @param scope The Worker's `self`.
 * @param handlers One handler per method.
 * @param options Which methods skip the queue.
 */
export function serveRpc<M extends RpcMethods>(
  scope: RpcScope,
  handlers: RpcHandlers<M>,
  options: ServeRpcOptions<M> = {},
): void {
  const immediate = new Set<keyof M>(options.immediate ?? []);
  let queue: Promise<void> = Promise.resolve();
  const answer = async (request: RpcRequest): Promise<void> => {
    try {
      const handler = handlers[request.method as keyof M];
      if (handler === undefined) throw new TypeError(`Cannot answer: unknown method "${request.method}"`);
      const result = await handler(request.params as M[keyof M]["params"]);
      if (result instanceof Transferring) {
        scope.postMessage({ id: request.id, ok: true, result: result.value }, [...result.transfer]);
      } else scope.postMessage({ id: request.id, ok: true, result }, []);
    } catch (error) {
      scope.postMessage({ id: request.id, ok: false, error: serialiseError(error) }, []);
    }
  };
  scope.onmessage = (event) => {
    const request = event.data;
    if (immediate.has(request.method)) void answer(request);
    else queue = queue.then(() => answer(request));
  };
}

function cloneable(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  const type = typeof value;
  if (type === "string" || type === "number" || type === "boolean" || type === "bigint") return true;
  if (type !== "object") return false;
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}
