/**
 * The work one request may ask for: at most `--max-reads` reads and
 * `--max-samples` samples, counted from the body's own tables before any
 * model work (a POD5's reads table; a token file's `num_samples` column).
 * A packed token file of a long constant read is a few hundred bytes and
 * decodes into gigabytes: the decompression bomb these limits refuse, with
 * 413 and the numbers.
 *
 * @module
 */
import type { TokenFileReader } from "../codec/token_file_reader.ts";
import type { Pod5Reader } from "../pod5/reader.ts";
import { HttpError } from "./errors.ts";

/** The limits of one request. */
export interface WorkBudget {
  /** `--max-samples`: samples a request may encode, decode or hash. */
  readonly maxSamples: number;
  /** `--max-reads`: reads a request may hold. */
  readonly maxReads: number;
}

/** Default `--max-reads`. */
export const DEFAULT_MAX_READS = 100_000;

/** Bits per sample that `--max-samples`'s default assumes of a POD5 body (VBZ's rate is about 6–7). */
export const DEFAULT_BITS_PER_SAMPLE = 6;

/**
 * The default `--max-samples` for a body limit: the samples of the largest
 * POD5 file the body limit admits at {@linkcode DEFAULT_BITS_PER_SAMPLE}.
 *
 * @example
 * ```ts
 * import { defaultMaxSamples } from "./work_budget.ts";
 * if (defaultMaxSamples(256 * 1024 * 1024) !== 357_913_941) throw new Error("unexpected");
 * ```
 *
 * @param maxBodyBytes The body limit, bytes.
 * @returns Samples.
 */
export function defaultMaxSamples(maxBodyBytes: number): number {
  return Math.floor((maxBodyBytes * 8) / DEFAULT_BITS_PER_SAMPLE);
}

function plural(count: number, one: string): string {
  return `${count} ${one}${count === 1 ? "" : "s"}`;
}

/**
 * Refuse (413) a body whose reads or samples exceed the budget.
 *
 * @param verb The operation, for the message.
 * @param work The body's reads, and its samples when the operation reads them.
 * @param budget The limits.
 * @throws {HttpError} 413 naming the counts and the flag.
 */
export function checkWork(
  verb: string,
  work: { readonly reads: number; readonly samples?: number },
  budget: WorkBudget,
): void {
  if (work.reads > budget.maxReads) {
    throw new HttpError(
      413,
      `Cannot ${verb}: the body holds ${plural(work.reads, "read")}, more than this server's --max-reads ` +
        `(${budget.maxReads})`,
    );
  }
  if (work.samples !== undefined && work.samples > budget.maxSamples) {
    throw new HttpError(
      413,
      `Cannot ${verb}: the body's ${plural(work.reads, "read")} ${work.reads === 1 ? "holds" : "hold"} ` +
        `${work.samples} samples, more than this ` +
        `server's --max-samples (${budget.maxSamples})`,
    );
  }
}

/**
 * Check a POD5 body: its read count first (before its metadata is parsed),
 * then, with `samples`, the `num_samples` of its reads table.
 *
 * @param reader The opened body.
 * @param options The operation, whether it reads the signal, and the budget.
 * @throws {HttpError} 413 when over the budget.
 * @throws {Pod5FormatError} When the reads table cannot be read.
 */
export function checkPod5Work(
  reader: Pod5Reader,
  options: { readonly verb: string; readonly samples: boolean; readonly budget: WorkBudget },
): void {
  checkWork(options.verb, { reads: reader.readCount }, options.budget);
  if (!options.samples) return;
  const samples = reader.readMetadata().reduce((n, read) => n + read.numSamples, 0);
  checkWork(options.verb, { reads: reader.readCount, samples }, options.budget);
}

/**
 * Check a token file body: its read count, then the sum of its reads'
 * `num_samples` (codes are not unpacked).
 *
 * @param reader The opened body.
 * @param options The operation and the budget.
 * @throws {HttpError} 413 when over the budget.
 * @throws {TokenFileError} When the reads cannot be read.
 */
export async function checkTokenWork(
  reader: TokenFileReader,
  options: { readonly verb: string; readonly budget: WorkBudget },
): Promise<void> {
  checkWork(options.verb, { reads: reader.readCount }, options.budget);
  const samples = (await reader.sampleCounts()).reduce((n, count) => n + count, 0);
  checkWork(options.verb, { reads: reader.readCount, samples }, options.budget);
}
