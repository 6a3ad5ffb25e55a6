/**
 * Malformed requests for `deno task serve`, drawn from a seed: random bytes,
 * truncations and bit flips of real POD5 and token files, lengths inside
 * them made huge, valid Arrow files with wrong schemas, lying
 * `Content-Length`s, wrong content types, odd methods and paths, oversized
 * headers and bad queries. Shared by the fuzz test
 * (`tests/serve/serve_fuzz_test.ts`) and the soak benchmark's bad clients;
 * {@linkcode checkFuzzAnswer} says what a right answer is.
 *
 * @module
 */
import {
  DataType,
  Field,
  Float64,
  List,
  Schema,
  Table,
  tableFromIPC,
  tableToIPC,
  Uint16,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import { Rng } from "../lib/runtime/rng.ts";
import type { RawRequestOptions, RawResponse } from "./_raw_http.ts";

/** The real files the cases are made from (all within the server's body limit). */
export interface FuzzInputs {
  /** POD5 files by name. */
  readonly pod5: Readonly<Record<string, Uint8Array>>;
  /** Token files of the server's checkpoint by name. */
  readonly tokens: Readonly<Record<string, Uint8Array>>;
  /**
   * POD5 names whose encode or hashing inspect is slow (many samples): their
   * bit flips, which may still be valid, go to the endpoints that stay quick.
   */
  readonly slow: readonly string[];
}

/** One malformed request. */
export interface FuzzCase {
  /** What it is, e.g. `bitflip z1.pod5 /v1/inspect`. */
  readonly name: string;
  /** Its kind (the counts are reported per kind). */
  readonly kind: string;
  /** The method (HEAD answers have no body). */
  readonly method: string;
  /** Request line and headers, ending in an empty line. */
  readonly head: string;
  /** The body bytes sent. */
  readonly body: Uint8Array;
  /** How to send it (trickle, stop, half-close). */
  readonly send?: Partial<RawRequestOptions>;
  /** The damage may leave a valid request, so a 200 is right too. */
  readonly mayPass: boolean;
  /** Deno's HTTP layer may refuse it before the handler (its own bare 400 or 431). */
  readonly httpLayer: boolean;
}

const ENDPOINTS = ["/v1/encode", "/v1/decode", "/v1/inspect", "/v1/inspect?signal_sha256=1"] as const;
const POD5_ENDPOINTS = ["/v1/encode", "/v1/inspect", "/v1/inspect?signal_sha256=1"] as const;

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.nextInt(items.length)]!;
}

function head(method: string, target: string, lines: readonly string[], length: number | undefined): string {
  const all = ["Host: 127.0.0.1", "Connection: close", ...lines];
  if (length !== undefined) all.push(`Content-Length: ${length}`);
  return `${method} ${target} HTTP/1.1\r\n${all.join("\r\n")}\r\n\r\n`;
}

function post(
  kind: string,
  name: string,
  target: string,
  body: Uint8Array,
  extra: Partial<Pick<FuzzCase, "mayPass" | "httpLayer" | "send">> & { readonly lines?: readonly string[] } = {},
): FuzzCase {
  return {
    name: `${kind} ${name} ${target}`,
    kind,
    method: "POST",
    head: head("POST", target, extra.lines ?? [], body.length),
    body,
    mayPass: extra.mayPass ?? false,
    httpLayer: extra.httpLayer ?? false,
    ...(extra.send === undefined ? {} : { send: extra.send }),
  };
}

function randomBytes(rng: Rng, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = rng.nextInt(256);
  return bytes;
}

/** Positions of the length fields of Arrow IPC framing (after continuation markers, before `ARROW1` trailers). */
function lengthFields(bytes: Uint8Array): number[] {
  const at: number[] = [];
  for (let i = 0; i + 8 <= bytes.length; i++) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xff && bytes[i + 2] === 0xff && bytes[i + 3] === 0xff) at.push(i + 4);
    // "ARROW1" preceded by the int32 footer length.
    if (
      i >= 4 && bytes[i] === 0x41 && bytes[i + 1] === 0x52 && bytes[i + 2] === 0x52 && bytes[i + 3] === 0x4f &&
      bytes[i + 4] === 0x57 && bytes[i + 5] === 0x31
    ) at.push(i - 4);
  }
  return at;
}

const HUGE_INT32 = [0x7fffffff, 0x7ffffff8, 0x80000000, 0xfffffff0, 0x10000000];

/** A copy of `bytes` with a length inside it made huge (or negative). */
function hugeLength(rng: Rng, bytes: Uint8Array, isPod5: boolean): { bytes: Uint8Array; where: string } {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  if (isPod5 && rng.nextInt(4) === 0 && out.length >= 32) {
    // The POD5 footer length, int64 at end − 32 (notes/pod5_format.md).
    const value = pick(rng, [2n ** 62n, 2n ** 53n, -1n, BigInt(out.length), BigInt(out.length - 31)]);
    view.setBigInt64(out.length - 32, value, true);
    return { bytes: out, where: `footer length ${value}` };
  }
  const fields = lengthFields(out).filter((at) => at + 4 <= out.length);
  const at = fields.length > 0 && rng.nextInt(4) !== 0 ? pick(rng, fields) : rng.nextInt(Math.max(1, out.length - 4));
  const value = pick(rng, HUGE_INT32);
  view.setUint32(at, value, true);
  return { bytes: out, where: `${value.toString(16)} @${at}` };
}

function flipBits(rng: Rng, bytes: Uint8Array): { bytes: Uint8Array; where: string } {
  const out = bytes.slice();
  const flips = 1 + rng.nextInt(8);
  const at: number[] = [];
  for (let k = 0; k < flips; k++) {
    const i = rng.nextInt(out.length);
    out[i] = out[i]! ^ (1 << rng.nextInt(8));
    at.push(i);
  }
  return { bytes: out, where: at.join(",") };
}

/** Valid Arrow IPC files whose schema is not a token file's (or a token file's with a column changed). */
function wrongSchemaFile(rng: Rng, tokens: Uint8Array): { bytes: Uint8Array; what: string } {
  const rows = 1 + rng.nextInt(5);
  const variant = rng.nextInt(4);
  if (variant === 0) {
    const table = new Table({
      a: vectorFromArray(Int32Array.from({ length: rows }, () => rng.nextInt(1000))),
      b: vectorFromArray(Array.from({ length: rows }, () => `x${rng.nextInt(99)}`), new Utf8()),
    });
    return { bytes: tableToIPC(table, "file"), what: "two random columns" };
  }
  const source = tableFromIPC(tokens);
  const fields = source.schema.fields;
  const metadata = source.schema.metadata;
  if (variant === 1) {
    // The token file's metadata on a table of other columns: the header reads, the columns do not.
    const schema = new Schema([
      new Field("read_id", new Utf8()),
      new Field("codes", new List(new Field("item", new Uint16()))),
    ], metadata);
    const table = new Table(schema, {
      read_id: vectorFromArray(["not-a-uuid"], new Utf8()),
      codes: vectorFromArray([[1, 2, 3]], new List(new Field("item", new Uint16()))),
    });
    return { bytes: tableToIPC(table, "file"), what: "token metadata, two columns" };
  }
  // The token file itself with one column dropped (2) or retyped (3).
  const victim = pick(rng, fields.map((f) => f.name));
  const columns: Record<string, Vector> = {};
  const kept: Field[] = [];
  for (const field of fields) {
    const vector = source.getChild(field.name)!;
    if (field.name === victim && variant === 2) continue;
    if (field.name === victim) {
      // Another type than its own: text for a number column, numbers for any other.
      const numeric = DataType.isFloat(field.type) || DataType.isInt(field.type);
      kept.push(new Field(field.name, numeric ? new Utf8() : new Float64(), true));
      columns[field.name] = numeric
        ? vectorFromArray(Array.from({ length: source.numRows }, () => `${rng.nextFloat()}`), new Utf8())
        : vectorFromArray(Float64Array.from({ length: source.numRows }, () => rng.nextFloat()));
      continue;
    }
    kept.push(field);
    columns[field.name] = vector;
  }
  const table = new Table(new Schema(kept, metadata), columns);
  return { bytes: tableToIPC(table, "file"), what: `column ${victim} ${variant === 2 ? "dropped" : "retyped"}` };
}

const ODD_METHODS = ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "FOO", "get", "M-SEARCH"];
const ODD_PATHS = [
  "/",
  "/v1",
  "/v1/",
  "/v1/encode/",
  "//v1/encode",
  "/v1/encode/../decode",
  "/V1/ENCODE",
  "/v1/encode%00",
  "/%2e%2e/%2e%2e/etc/passwd",
  "/v1/decode;jsessionid=1",
  "/healthz/",
  "/v1/%E9nc",
  `/${"a".repeat(8000)}`,
  "/v1/encode#frag",
];
const BAD_QUERIES = [
  "?codes=",
  "?codes=zip",
  "?codes=plain&codes=plain",
  "?codes=PLAIN",
  "?skip_mismatched=yes",
  "?signal_sha256=2",
  "?x=1",
  "?codes=plain%00",
  `?codes=${"p".repeat(5000)}`,
  "?%ff=1",
  "?=",
  "?skip_mismatched",
];
const BAD_TYPES = [
  "application/json",
  "text/plain",
  "multipart/form-data; boundary=x",
  "image/png",
  "application/x-pod5x",
  ";",
  "application/octet-stream/extra",
];

/**
 * `count` cases drawn from `seed`, the kinds in fixed shares.
 *
 * @param inputs The real files.
 * @param options Seed and count.
 * @returns The cases, shuffled.
 */
export function fuzzCases(inputs: FuzzInputs, options: { readonly seed: number; readonly count: number }): FuzzCase[] {
  const rng = Rng.fromSeed(options.seed);
  const pod5Names = Object.keys(inputs.pod5), tokenNames = Object.keys(inputs.tokens);
  const tokenFile = inputs.tokens[tokenNames[0]!]!;
  const quickPod5 = pod5Names.filter((name) => !inputs.slow.includes(name));
  const anyFile = (): { name: string; bytes: Uint8Array; isPod5: boolean } => {
    const isPod5 = rng.nextInt(2) === 0;
    const name = pick(rng, isPod5 ? pod5Names : tokenNames);
    return { name, bytes: (isPod5 ? inputs.pod5 : inputs.tokens)[name]!, isPod5 };
  };
  const makers: [share: number, make: () => FuzzCase][] = [
    [24, () => {
      const length = pick(rng, [0, 1, 7, 8, 16, 64, 100, 1000, 4096, 10_000, 100_000, 600_000]);
      return post("random", `${length}B`, pick(rng, ENDPOINTS), randomBytes(rng, length));
    }],
    [16, () => {
      const file = anyFile();
      const length = rng.nextInt(2) === 0 ? rng.nextInt(file.bytes.length) : file.bytes.length - 1 - rng.nextInt(64);
      const target = pick(rng, file.isPod5 ? POD5_ENDPOINTS : ["/v1/decode"]);
      return post(
        "truncated",
        `${file.name}[:${Math.max(0, length)}]`,
        target,
        file.bytes.slice(0, Math.max(0, length)),
      );
    }],
    [24, () => {
      const isPod5 = rng.nextInt(2) === 0;
      const name = pick(rng, isPod5 ? pod5Names : tokenNames);
      const flipped = flipBits(rng, (isPod5 ? inputs.pod5 : inputs.tokens)[name]!);
      // A flip may leave a valid file: slow ones only go where the work stays small.
      const targets = isPod5 ? (inputs.slow.includes(name) ? ["/v1/inspect"] : POD5_ENDPOINTS) : ["/v1/decode"];
      return post("bitflip", `${name}@${flipped.where}`, pick(rng, targets), flipped.bytes, { mayPass: true });
    }],
    [10, () => {
      const isPod5 = rng.nextInt(2) === 0;
      const name = pick(rng, isPod5 ? quickPod5 : tokenNames);
      const huge = hugeLength(rng, (isPod5 ? inputs.pod5 : inputs.tokens)[name]!, isPod5);
      const target = pick(rng, isPod5 ? POD5_ENDPOINTS : ["/v1/decode"]);
      return post("huge_length", `${name} ${huge.where}`, target, huge.bytes, { mayPass: true });
    }],
    [6, () => {
      const wrong = wrongSchemaFile(rng, tokenFile);
      return post("arrow_schema", wrong.what, pick(rng, ENDPOINTS), wrong.bytes);
    }],
    [4, () => {
      const name = pick(rng, quickPod5), bytes = inputs.pod5[name]!;
      const target = pick(rng, POD5_ENDPOINTS);
      const lie = rng.nextInt(5);
      if (lie === 0) {
        // Announces more than it sends, then ends its side: the body breaks off.
        return {
          ...post("content_length", `${name} announced +1000`, target, bytes),
          head: head("POST", target, [], bytes.length + 1000),
          send: { closeWrite: true },
        };
      }
      if (lie === 1) {
        return {
          ...post("content_length", `${name} announced 10 GB`, target, bytes),
          head: head("POST", target, [], 1e10),
        };
      }
      if (lie === 2) {
        const text = pick(rng, ["-1", "abc", "1e3", " 12", "0x10", "99999999999999999999999"]);
        return {
          ...post("content_length", `${name} length "${text}"`, target, bytes, { httpLayer: true }),
          head: head("POST", target, [`Content-Length: ${text}`], undefined),
        };
      }
      if (lie === 3) {
        // Two different lengths, or a chunked body (no length).
        const chunked = rng.nextInt(2) === 0;
        const chunk = new TextEncoder().encode(`${bytes.length.toString(16)}\r\n`);
        const body = chunked
          ? new Uint8Array([...chunk, ...bytes, ...new TextEncoder().encode("\r\n0\r\n\r\n")])
          : bytes;
        return {
          ...post("content_length", `${name} ${chunked ? "chunked" : "two lengths"}`, target, body, {
            httpLayer: true,
          }),
          head: chunked
            ? head("POST", target, ["Transfer-Encoding: chunked"], undefined)
            : head("POST", target, [`Content-Length: ${bytes.length}`], bytes.length + 1),
        };
      }
      // Announces less than it sends: the body is cut short, the rest is junk after the request.
      return {
        ...post("content_length", `${name} announced half`, target, bytes),
        head: head("POST", target, [], bytes.length >> 1),
      };
    }],
    [4, () => {
      const type = pick(rng, BAD_TYPES);
      const name = pick(rng, quickPod5);
      return post("content_type", `${name} as ${type}`, pick(rng, POD5_ENDPOINTS), inputs.pod5[name]!, {
        lines: [`Content-Type: ${type}`],
      });
    }],
    [8, () => {
      const method = pick(rng, ODD_METHODS), path = pick(rng, [...ODD_PATHS, ...ENDPOINTS, "/healthz"]);
      const withBody = method !== "GET" && method !== "HEAD" && rng.nextInt(2) === 0;
      const body = withBody ? randomBytes(rng, rng.nextInt(2000)) : new Uint8Array(0);
      // GET /healthz is the one request here that is right; the others are refused.
      const healthy = path === "/healthz" && method === "GET";
      return {
        name: `method ${method} ${path.slice(0, 60)}`,
        kind: "method_path",
        method,
        head: head(method, path, [], withBody || method !== "GET" ? body.length : undefined),
        body,
        mayPass: healthy,
        httpLayer: method === "get" || method === "M-SEARCH" || path.length > 4000,
      };
    }],
    [2, () => {
      const size = pick(rng, [20_000, 100_000, 300_000, 1_000_000]);
      const many = rng.nextInt(2) === 0;
      const lines = many
        ? Array.from({ length: size / 1000 }, (_, i) => `X-Filler-${i}: ${"v".repeat(20)}`)
        : [`X-Big: ${"b".repeat(size)}`];
      const name = pick(rng, quickPod5);
      return post(
        "big_headers",
        `${many ? `${size / 1000} headers` : `${size} B header`}`,
        pick(rng, POD5_ENDPOINTS),
        inputs.pod5[name]!,
        {
          lines,
          mayPass: true,
          httpLayer: true,
        },
      );
    }],
    [2, () => {
      const query = pick(rng, BAD_QUERIES);
      const target = pick(rng, ["/v1/encode", "/v1/decode", "/v1/inspect"]) + query;
      return post("query", query.slice(0, 40), target, inputs.pod5[pick(rng, quickPod5)]!);
    }],
  ];
  const total = makers.reduce((n, [share]) => n + share, 0);
  const cases: FuzzCase[] = [];
  for (const [share, make] of makers) {
    const n = Math.round((options.count * share) / total);
    for (let i = 0; i < n; i++) cases.push(make());
  }
  for (let i = cases.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [cases[i], cases[j]] = [cases[j]!, cases[i]!];
  }
  return cases;
}

/** A stack frame as V8 prints it (`at fn (file:line:col)`). */
const STACK_FRAME = /\bat .*:\d+:\d+/;

/**
 * What is wrong with the answer to a fuzz case, or undefined when it is
 * right: a 4xx JSON `{ "error", "status" }` with a one-line message that
 * names no server path and holds no stack (a 200 only where the damage may
 * leave a valid request; Deno's own bare 400/431 where the HTTP layer
 * refuses), never a 5xx, never silence.
 *
 * @param item The case.
 * @param answer What came back.
 * @param serverPaths Paths the answer must not name (the server's temp folder).
 * @returns The problem, or undefined.
 */
export function checkFuzzAnswer(
  item: FuzzCase,
  answer: RawResponse,
  serverPaths: readonly string[],
): string | undefined {
  if (answer.timedOut) return `no answer within the timeout (${answer.ms.toFixed(0)} ms)`;
  if (answer.status === 0) {
    return item.httpLayer && answer.closed
      ? undefined
      : `no status line (connection ${answer.closed ? "closed" : "open"})`;
  }
  if (answer.status >= 500) return `status ${answer.status}: ${new TextDecoder().decode(answer.body.slice(0, 300))}`;
  const text = new TextDecoder().decode(answer.body);
  if (answer.status < 300) {
    if (!item.mayPass) return `status ${answer.status} for a request that should be refused`;
    return answer.complete ? undefined : "a 2xx whose body did not come whole";
  }
  if (answer.status < 400) return `status ${answer.status}`;
  if (item.method === "HEAD") return undefined; // no body to look at
  if (item.httpLayer && (answer.status === 400 || answer.status === 431) && answer.body.length === 0) return undefined;
  if (answer.headers.get("content-type") !== "application/json") {
    return `status ${answer.status} with content-type ${answer.headers.get("content-type")}: ${text.slice(0, 200)}`;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `status ${answer.status} with a body that is not JSON: ${text.slice(0, 200)}`;
  }
  const { error, status } = (body ?? {}) as { error?: unknown; status?: unknown };
  if (typeof error !== "string" || status !== answer.status || Object.keys(body as object).length !== 2) {
    return `not {"error", "status": ${answer.status}}: ${text.slice(0, 200)}`;
  }
  if (error.includes("\n")) return `a message of several lines: ${JSON.stringify(error.slice(0, 300))}`;
  if (STACK_FRAME.test(error)) return `a stack in the message: ${error.slice(0, 300)}`;
  for (const path of serverPaths) if (error.includes(path)) return `the message names ${path}: ${error.slice(0, 300)}`;
  return undefined;
}
