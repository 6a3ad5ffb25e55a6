/**
 * A stand-in for ONT Dorado, for tests only (a test double, not a
 * basecaller): it accepts Dorado's argument shape,
 * `basecaller MODEL POD5 --emit-fastq [--device D]`, and writes FASTQ on
 * stdout, deterministically: each read's current in chunks of 20 samples,
 * each chunk's mean mapped to A/C/G/T by the read's quartiles of chunk
 * means. Similar signals give similar "basecalls", so identity means
 * something. The model name `fail` makes it exit with code 1, as Dorado does
 * on errors; progress goes to stderr.
 */
import { Pod5Reader } from "../../lib/pod5/reader.ts";

const CHUNK_SAMPLES = 20;
const BASES = "ACGT";

function usage(message: string): never {
  console.error(`fake dorado: ${message}\nusage: dorado basecaller MODEL POD5 --emit-fastq [--device D]`);
  Deno.exit(2);
}

const [command, model, pod5, ...rest] = Deno.args;
if (command === "--version") {
  console.log("0.0.0+fake");
  Deno.exit(0);
}
if (command !== "basecaller" || model === undefined || pod5 === undefined) usage("expected basecaller MODEL POD5");
if (!rest.includes("--emit-fastq")) usage("only --emit-fastq output is supported");
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === "--emit-fastq") continue;
  if (rest[i] === "--device" && rest[i + 1] !== undefined) {
    i++;
    continue;
  }
  usage(`unknown argument ${rest[i]}`);
}
if (model === "fail") {
  console.error(`[error] model ${model} could not be loaded`);
  Deno.exit(1);
}
const out: string[] = [];
await using reader = await Pod5Reader.open(pod5);
for await (const read of reader.reads()) {
  const pA = read.pA();
  const means = new Float64Array(Math.floor(pA.length / CHUNK_SAMPLES));
  for (let c = 0; c < means.length; c++) {
    let sum = 0;
    for (let k = 0; k < CHUNK_SAMPLES; k++) sum += pA[c * CHUNK_SAMPLES + k]!;
    means[c] = sum / CHUNK_SAMPLES;
  }
  const sorted = Float64Array.from(means).sort();
  const q = [0.25, 0.5, 0.75].map((f) => sorted[Math.floor(f * (sorted.length - 1))] ?? 0);
  let sequence = "";
  for (const m of means) sequence += BASES[m < q[0]! ? 0 : m < q[1]! ? 1 : m < q[2]! ? 2 : 3];
  if (sequence.length === 0) continue;
  out.push(`@${read.readId} runid=fake model=${model}`, sequence, "+", "5".repeat(sequence.length));
}
console.error(`[info] called ${out.length / 4} reads`);
await Deno.stdout.write(new TextEncoder().encode(out.join("\n") + "\n"));
