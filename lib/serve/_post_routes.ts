/**
 * The POST endpoints: what each takes (body type, query parameters), what
 * it returns, and the checks a request passes before any work starts.
 *
 * @module
 */
import type { CodesEncoding } from "../codec/types.ts";
import { HttpError } from "./errors.ts";
import { BYTES_PER_MIB } from "./serve_flags.ts";
import {
  decodeOperation,
  encodeOperation,
  inspectOperation,
  type OperationContext,
  type OperationResult,
} from "./serve_operations.ts";

/** What `curl --data-binary` sends unless told otherwise; taken as "no type given". */
const CURL_DEFAULT_TYPE = "application/x-www-form-urlencoded";

/** A request's query parameters, checked. */
export type Params = ReadonlyMap<string, string>;

/** One POST endpoint. */
export interface PostRoute {
  /** The operation's verb, for messages. */
  readonly verb: "inspect" | "encode" | "decode";
  /** What the body must be, for messages and the spool file name. */
  readonly inputExtension: ".pod5" | ".tokens";
  /** Content types the body may be sent as. */
  readonly inputTypes: readonly string[];
  /** Extension of the output file. */
  readonly outputExtension: string;
  /** Content type of the response. */
  readonly outputType: string;
  /** Query parameters and their allowed values. */
  readonly params: Readonly<Record<string, readonly string[]>>;
  /** The work: body file in, output file out. */
  readonly run: (context: OperationContext, params: Params) => Promise<OperationResult>;
}

const FLAG_VALUES = ["0", "1", "false", "true"] as const;
const isOn = (value: string | undefined) => value === "1" || value === "true";

/** The POST endpoints by path. */
export const POST_ROUTES: Readonly<Record<string, PostRoute>> = {
  "/v1/inspect": {
    verb: "inspect",
    inputExtension: ".pod5",
    inputTypes: ["application/octet-stream", "application/x-pod5", CURL_DEFAULT_TYPE],
    outputExtension: ".ndjson",
    outputType: "application/x-ndjson",
    params: { signal_sha256: FLAG_VALUES },
    run: (context, params) => inspectOperation(context, { signalSha256: isOn(params.get("signal_sha256")) }),
  },
  "/v1/encode": {
    verb: "encode",
    inputExtension: ".pod5",
    inputTypes: ["application/octet-stream", "application/x-pod5", CURL_DEFAULT_TYPE],
    outputExtension: ".tokens",
    outputType: "application/vnd.apache.arrow.file",
    params: { codes: ["packed", "plain"], skip_mismatched: FLAG_VALUES },
    run: (context, params) =>
      encodeOperation(context, {
        codes: (params.get("codes") ?? "packed") as CodesEncoding,
        skipMismatched: isOn(params.get("skip_mismatched")),
      }),
  },
  "/v1/decode": {
    verb: "decode",
    inputExtension: ".tokens",
    inputTypes: ["application/octet-stream", "application/vnd.apache.arrow.file", CURL_DEFAULT_TYPE],
    outputExtension: ".pod5",
    outputType: "application/octet-stream",
    params: {},
    run: (context) => decodeOperation(context),
  },
};

/** The query parameters, each known and with an allowed value (400 otherwise). */
export function checkParams(url: URL, route: PostRoute): Params {
  const params = new Map<string, string>();
  for (const [name, value] of url.searchParams) {
    const allowed = route.params[name];
    if (allowed === undefined) {
      const known = Object.keys(route.params);
      throw new HttpError(
        400,
        `Cannot ${route.verb}: unknown query parameter "${name}" (${
          known.length === 0 ? "it takes none" : `known: ${known.join(", ")}`
        })`,
      );
    }
    if (!allowed.includes(value)) {
      throw new HttpError(400, `Cannot ${route.verb}: ${name} is ${allowed.join(" or ")}, not "${value}"`);
    }
    if (params.has(name)) throw new HttpError(400, `Cannot ${route.verb}: ${name} is given twice`);
    params.set(name, value);
  }
  return params;
}

/** A given Content-Type must be one the route takes (415 otherwise); none is fine. */
export function checkContentType(request: Request, route: PostRoute): void {
  const given = request.headers.get("content-type");
  if (given === null) return;
  const type = given.split(";")[0]!.trim().toLowerCase();
  if (!route.inputTypes.includes(type)) {
    throw new HttpError(
      415,
      `Cannot ${route.verb}: the body must be a ${route.inputExtension} file sent as ${
        route.inputTypes.slice(0, -1).join(" or ")
      } (or with no type), not ${type}`,
    );
  }
}

/** The Content-Length: present (411 otherwise) and at most `maxBodyBytes` (413 otherwise). */
export function checkLength(request: Request, route: PostRoute, maxBodyBytes: number): number {
  const text = request.headers.get("content-length");
  if (text === null || !/^\d+$/.test(text.trim())) {
    throw new HttpError(
      411,
      `Cannot ${route.verb}: the request needs a Content-Length (send the ${route.inputExtension} file as the body, ` +
        "not chunked)",
    );
  }
  const sizeBytes = Number(text.trim());
  if (sizeBytes > maxBodyBytes) {
    const mib = (bytes: number) => `${(bytes / BYTES_PER_MIB).toFixed(1)} MiB`;
    throw new HttpError(
      413,
      `Cannot ${route.verb}: the body of ${mib(sizeBytes)} is larger than this server's --max-body-mb ` +
        `(${mib(maxBodyBytes)})`,
    );
  }
  return sizeBytes;
}
