/**
 * `degradePod5()`: the lossy anchor as a file operation, like
 * `slow5tools degrade`: every read's samples rounded to multiples of 2^K,
 * everything else unchanged, written as an ordinary VBZ POD5.
 *
 * @module
 */
import { resolve } from "@std/path";
import { Pod5Reader } from "../pod5/reader.ts";
import { Pod5Writer } from "../pod5/writer.ts";
import { InputError } from "../runtime/errors.ts";
import { checkQtsBits, qtsRound } from "./qts_round.ts";
import type { RunInfo } from "../pod5/types.ts";
import { type QtsDataset, suggestQtsBits } from "./suggest_qts_bits.ts";

/** Options of {@linkcode degradePod5}. */
export interface DegradePod5Options {
  /** K, the low bits to round away (1–16); default: slow5tools' suggestion for the file's runs. */
  readonly bits?: number;
  /** Replace an existing output file. Default false. */
  readonly overwrite?: boolean;
}

/** What {@linkcode degradePod5} did. */
export interface DegradePod5Result {
  /** K used. */
  readonly bits: number;
  /** The slow5tools dataset K was suggested for, or null when K was given. */
  readonly dataset: string | null;
  /** Reads written. */
  readonly readCount: number;
  /** Samples written. */
  readonly numSamples: number;
  /** Samples whose value changed. */
  readonly changedSamples: number;
}

/**
 * Write `output`: `input` with every sample rounded to the nearest multiple
 * of 2^K ({@linkcode qtsRound}), all read and run metadata as they were, VBZ
 * signal. `output` appears only when complete.
 *
 * @example Trim 3 bits from b1.pod5
 * ```ts
 * import { degradePod5 } from "./degrade_pod5.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const result = await degradePod5("tests/fixtures/pod5/b1.pod5", `${dir}/b1_k3.pod5`, { bits: 3 });
 * if (result.readCount !== 4 || result.numSamples !== 89_425) throw new Error("not every read");
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param input The POD5 file to read.
 * @param output The POD5 file to create.
 * @param options K and overwrite.
 * @returns K, the counts.
 * @throws {InputError} When `output` is `input`, or K is not given and slow5tools has no suggestion for the runs.
 * @throws {RangeError} When K is outside [1, 16].
 * @throws {Pod5Error} When the input is not POD5, or the output exists (without `overwrite`).
 */
export async function degradePod5(
  input: string,
  output: string,
  options: DegradePod5Options = {},
): Promise<DegradePod5Result> {
  if (resolve(input) === resolve(output)) {
    throw new InputError("Cannot degrade: the output is the input", { path: output });
  }
  await using reader = await Pod5Reader.open(input);
  const dataset = options.bits === undefined ? suggestFor(input, reader.runInfos) : null;
  const bits = options.bits ?? dataset?.bits ?? 0;
  checkQtsBits(bits);
  await using writer = await Pod5Writer.create(output, { overwrite: options.overwrite ?? false });
  for (const run of reader.runInfos) await writer.addRunInfo(run);
  let numSamples = 0, changedSamples = 0;
  for await (const read of reader.reads()) {
    const original = read.signal();
    const rounded = qtsRound(original, bits);
    for (let i = 0; i < original.length; i++) if (original[i] !== rounded[i]) changedSamples++;
    await writer.addRead({ ...read, signal: () => rounded });
    numSamples += rounded.length;
  }
  await writer.close();
  return { bits, dataset: dataset?.name ?? null, readCount: writer.readCount, numSamples, changedSamples };
}

/** slow5tools' suggestion for the file's runs; a refusal names the file. */
function suggestFor(input: string, runs: readonly RunInfo[]): QtsDataset {
  try {
    return suggestQtsBits(runs);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new InputError(error.detail, { path: input, reason: error.reason, cause: error });
  }
}
