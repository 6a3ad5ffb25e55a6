/**
 * `deno task degrade [--bits K] IN.pod5 -o OUT.pod5 [--force]`: bit trimming
 * (slow5tools' qts rounding), the lossy anchor, as a VBZ POD5.
 *
 * @module
 */
import { degradePod5, MAX_QTS_BITS, MIN_QTS_BITS, NO_SUGGESTION } from "../lib/degrade/mod.ts";
import type { FlagHints } from "../lib/runtime/error_report.ts";
import { parseFlags, UsageError } from "../lib/runtime/args.ts";

const HELP = `Usage: deno task degrade [--bits K] IN.pod5 -o OUT.pod5 [--force]

Round every sample to the nearest multiple of 2^K (halves up, clipped to
int16), exactly as slow5lib's slow5_arr_qts_round does for
\`slow5tools degrade\`, and write an ordinary VBZ POD5 with every read's and
run's metadata unchanged. Lossy: the dropped bits are gone.

  --bits K           low bits to round away, ${MIN_QTS_BITS}-${MAX_QTS_BITS}, or auto (default): the K
                     slow5tools degrade suggests for the file's device, kit,
                     experiment type and sample rate (see the README's table)
  -o, --output FILE  the POD5 file to create
  --force            replace FILE if it exists
  -h, --help         show this help`;

/** What this task's flags change about the library's refusals, by reason. */
export const FLAG_HINTS: FlagHints = { [NO_SUGGESTION]: "; give --bits K" };

/** slow5tools warns above this many bits. */
const WARN_ABOVE_BITS = 4;

/**
 * Run the degrade task.
 *
 * @param args Flags and the input path.
 * @returns The exit code.
 */
export async function run(args: readonly string[]): Promise<number> {
  const flags = parseFlags(args, { string: ["bits", "output"], boolean: ["force"], alias: { o: "output", b: "bits" } });
  if (flags.booleans.get("help") === true) {
    console.log(HELP);
    return 0;
  }
  const [input, ...extra] = flags.positional;
  const output = flags.strings.get("output");
  if (input === undefined || extra.length > 0 || output === undefined) {
    throw new UsageError(`Cannot degrade: give one IN.pod5 and -o OUT.pod5\n${HELP}`);
  }
  const bitsText = flags.strings.get("bits") ?? "auto";
  const bits = bitsText === "auto" ? undefined : Number(bitsText);
  if (bits !== undefined && (!/^\d+$/.test(bitsText) || bits < MIN_QTS_BITS || bits > MAX_QTS_BITS)) {
    throw new UsageError(
      `Cannot degrade: --bits needs an integer in ${MIN_QTS_BITS}-${MAX_QTS_BITS} or auto, got "${bitsText}"`,
    );
  }
  const result = await degradePod5(input, output, {
    ...(bits === undefined ? {} : { bits }),
    overwrite: flags.booleans.get("force") === true,
  });
  if (result.dataset !== null) console.error(`--bits ${result.bits}: slow5tools' suggestion for ${result.dataset}`);
  if (result.bits > WARN_ABOVE_BITS) {
    console.error(
      `warning: --bits ${result.bits} > ${WARN_ABOVE_BITS}: basecalling accuracy may suffer (slow5tools warns too)`,
    );
  }
  const changed = result.numSamples === 0 ? 0 : (100 * result.changedSamples) / result.numSamples;
  console.error(
    `wrote ${output}: ${result.readCount} reads, ${result.numSamples.toLocaleString("en-US")} samples rounded to ` +
      `multiples of ${2 ** result.bits} (${changed.toFixed(1)}% changed)`,
  );
  return 0;
}
