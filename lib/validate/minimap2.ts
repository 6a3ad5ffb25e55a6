/**
 * Read-to-reference identity with minimap2 (`minimap2 -c --eqx REF FASTQ`):
 * the PAF's primary alignment per read, its `=`/`X`/`I`/`D` CIGAR counted
 * into Bonito's identity M / (M + X + I + D).
 *
 * @module
 */
import { InputError } from "../runtime/errors.ts";

/** One read's primary alignment to the reference. */
export interface ReferenceHit {
  /** Reference sequence name. */
  readonly target: string;
  /** M / (M + X + I + D) over the aligned part. */
  readonly identity: number;
  /** Fraction of the read's bases inside the alignment. */
  readonly readCoverage: number;
}

/**
 * Parse minimap2's PAF (with `cg:Z:` CIGARs from `--eqx`): read id → primary hit.
 *
 * @example
 * ```ts
 * import { parsePaf } from "./minimap2.ts";
 * const paf = "r1\t100\t0\t100\t+\tchr1\t1000\t10\t108\t96\t100\t60\ttp:A:P\tcg:Z:50=2X46=2I\n";
 * const hit = parsePaf(paf, "x.paf").get("r1");
 * if (hit?.identity !== 96 / 100 || hit.readCoverage !== 1) throw new Error(JSON.stringify(hit));
 * ```
 *
 * @param text The PAF file's contents.
 * @param path The file (for messages).
 * @returns Read id → its primary alignment.
 * @throws {InputError} On a malformed line.
 */
export function parsePaf(text: string, path: string): Map<string, ReferenceHit> {
  const hits = new Map<string, ReferenceHit>();
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    const fields = line.split("\t");
    if (fields.length < 12) {
      throw new InputError(
        `Cannot parse PAF: line ${index + 1} has ${fields.length} fields`,
        { path },
      );
    }
    const tags = new Map(fields.slice(12).map((tag) => [tag.slice(0, 5), tag.slice(5)]));
    if (tags.get("tp:A:") !== undefined && tags.get("tp:A:") !== "P") return;
    const cigar = tags.get("cg:Z:");
    if (cigar === undefined) {
      throw new InputError(
        `Cannot parse PAF: line ${index + 1} has no cg:Z: CIGAR (run with -c --eqx)`,
        {
          path,
        },
      );
    }
    const counts: Record<string, number> = { "=": 0, X: 0, I: 0, D: 0, M: 0 };
    for (const [, n, op] of cigar.matchAll(/(\d+)([MIDNSHP=X])/g)) {
      if (op! in counts) counts[op!]! += Number(n);
    }
    if (counts["M"]! > 0) {
      throw new InputError(
        `Cannot parse PAF: line ${index + 1} uses M in its CIGAR (run with --eqx)`,
        {
          path,
        },
      );
    }
    const total = counts["="]! + counts["X"]! + counts["I"]! + counts["D"]!;
    const readLength = Number(fields[1]);
    hits.set(fields[0]!, {
      target: fields[5]!,
      identity: total === 0 ? 0 : counts["="]! / total,
      readCoverage: readLength > 0 ? (Number(fields[3]) - Number(fields[2])) / readLength : 0,
    });
  });
  return hits;
}
