/**
 * What each POST endpoint does with a spooled body: the same library calls
 * as `deno task inspect --jsonl`, `encode` and `decode`, writing the output
 * to a file of the request's workspace, and the response headers that
 * describe it.
 *
 * @module
 */
import type { CodecPool } from "../codec/codec_pool.ts";
import { decodeTokens } from "../codec/decode_tokens.ts";
import { encodePod5 } from "../codec/encode_pod5.ts";
import type { CodesEncoding } from "../codec/types.ts";
import { inspectRecords } from "../pod5/inspect_records.ts";
import { Pod5Reader } from "../pod5/reader.ts";
import { checkPod5Work, checkTokenWork, type WorkBudget } from "./work_budget.ts";

/** Header names of the response facts (lower case, as `Headers` gives them back). */
export const FACT_HEADERS = {
  reads: "x-simvqgan-reads",
  skippedReads: "x-simvqgan-skipped-reads",
  samples: "x-simvqgan-samples",
  bitsPerSample: "x-simvqgan-bits-per-sample",
  codesBitsPerSample: "x-simvqgan-codes-bits-per-sample",
  checkpointSha256: "x-simvqgan-checkpoint-sha256",
} as const;

/** What an operation wrote and says about it. */
export interface OperationResult {
  /** Response headers describing the output. */
  readonly headers: Readonly<Record<string, string>>;
}

/** One operation's input, output and shared model. */
export interface OperationContext {
  /** The spooled body. */
  readonly input: string;
  /** Where to write the output (it must not exist). */
  readonly output: string;
  /** The server's model pool (its `codec` is the server's checkpoint). */
  readonly pool: CodecPool;
  /** Aborted when the client goes away, or the work takes longer than the work timeout. */
  readonly signal: AbortSignal;
  /** The reads and samples a request may ask for (413 past them, before any work). */
  readonly budget: WorkBudget;
}

/** NDJSON lines buffered before a write. */
const NDJSON_CHUNK_CHARS = 65536;

/**
 * `inspect --jsonl [--signal-sha256]` of the body, to `output`.
 *
 * @param context Input, output and abort signal.
 * @param options Whether to add `signal_sha256`.
 * @returns The read count header.
 * @throws {Pod5FormatError} When the body is not a readable POD5 file.
 * @throws {HttpError} 413 when the body has more reads (or, hashing, samples) than the budget.
 */
export async function inspectOperation(
  context: OperationContext,
  options: { readonly signalSha256: boolean },
): Promise<OperationResult> {
  await using reader = await Pod5Reader.open(context.input);
  // Hashing the signal decodes it: its samples count against the budget then.
  checkPod5Work(reader, { verb: "inspect", samples: options.signalSha256, budget: context.budget });
  using file = await Deno.open(context.output, { write: true, createNew: true, mode: 0o600 });
  const encoder = new TextEncoder();
  const write = async (text: string) => {
    const bytes = encoder.encode(text);
    for (let offset = 0; offset < bytes.byteLength;) offset += await file.write(bytes.subarray(offset));
  };
  let chunk = "", reads = 0;
  for await (const record of inspectRecords(reader, { signalSha256: options.signalSha256 })) {
    context.signal.throwIfAborted();
    chunk += JSON.stringify(record) + "\n";
    reads++;
    if (chunk.length > NDJSON_CHUNK_CHARS) {
      await write(chunk);
      chunk = "";
    }
  }
  await write(chunk);
  return { headers: { [FACT_HEADERS.reads]: String(reads) } };
}

/**
 * `encode` of the body (a POD5 file) into a token file.
 *
 * @param context Input, output, pool and abort signal.
 * @param options Codes encoding and whether to skip reads at another sample rate.
 * @returns Reads, samples and bits/sample headers.
 * @throws {Pod5FormatError} When the body is not a readable POD5 file.
 * @throws {HttpError} 413 when the body has more reads or samples than the budget.
 * @throws {CodecMismatchError} When a read's sample rate is not the model's.
 */
export async function encodeOperation(
  context: OperationContext,
  options: { readonly codes: CodesEncoding; readonly skipMismatched: boolean },
): Promise<OperationResult> {
  const codec = context.pool.codec;
  {
    await using reader = await Pod5Reader.open(context.input);
    checkPod5Work(reader, { verb: "encode", samples: true, budget: context.budget });
  }
  const summary = await encodePod5(context.input, context.output, {
    codec,
    pool: context.pool,
    codes: options.codes,
    skipMismatched: options.skipMismatched,
    signal: context.signal,
  });
  return {
    headers: {
      [FACT_HEADERS.reads]: String(summary.reads),
      [FACT_HEADERS.skippedReads]: String(summary.skippedReads),
      [FACT_HEADERS.samples]: String(summary.numSamples),
      [FACT_HEADERS.bitsPerSample]: summary.bitsPerSampleFile.toFixed(6),
      [FACT_HEADERS.codesBitsPerSample]: summary.bitsPerSampleCodes.toFixed(6),
      [FACT_HEADERS.checkpointSha256]: codec.checkpoint.sha256,
    },
  };
}

/**
 * `decode` of the body (a token file) into a POD5 file; tokens made by
 * another checkpoint are refused with 409.
 *
 * @param context Input, output, pool and abort signal.
 * @returns Reads and samples headers.
 * @throws {HttpError} 413 when the tokens hold more reads or samples than the budget (checked with the
 *   header, before any model work).
 * @throws {TokenFileError} When the body is not a token file, or is damaged.
 * @throws {CodecMismatchError} When the tokens come from another checkpoint (reason `other_checkpoint`, the
 *   server's 409), or their window, hop or codebook differ from the checkpoint's.
 */
export async function decodeOperation(context: OperationContext): Promise<OperationResult> {
  const codec = context.pool.codec;
  const summary = await decodeTokens(context.input, context.output, {
    codec,
    pool: context.pool,
    signal: context.signal,
    checkFile: (reader) => checkTokenWork(reader, { verb: "decode", budget: context.budget }),
  });
  return {
    headers: {
      [FACT_HEADERS.reads]: String(summary.reads),
      [FACT_HEADERS.samples]: String(summary.numSamples),
      [FACT_HEADERS.checkpointSha256]: codec.checkpoint.sha256,
    },
  };
}
