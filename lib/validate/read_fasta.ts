/**
 * FASTA parsing (scrappie's output): read id → sequence, the record type the
 * FASTQ reader gives. The id is the first whitespace-separated token after
 * `>`; sequences may span several lines.
 *
 * @module
 */
import { InputError } from "../runtime/errors.ts";

/**
 * Parse FASTA text.
 *
 * @example scrappie's header carries JSON after the id
 * ```ts
 * import { parseFasta } from "./read_fasta.ts";
 * const text = '>0a79767d-1b7e-4b0b-9f8c-0f6e6a9c1d21  { "normalised_score" : 0.42 }\nACGT\nTT\n>r2\nGG\n';
 * const reads = parseFasta(text, "calls.fasta");
 * if (reads.get("0a79767d-1b7e-4b0b-9f8c-0f6e6a9c1d21") !== "ACGTTT" || reads.get("r2") !== "GG") throw new Error("x");
 * ```
 *
 * @param text The file's contents.
 * @param path The file (for messages).
 * @returns Read id → sequence, in file order.
 * @throws {InputError} When text comes before the first header, a header has no id, or an id repeats.
 */
export function parseFasta(text: string, path: string): Map<string, string> {
  const reads = new Map<string, string>();
  let id: string | undefined;
  let sequence: string[] = [];
  const fail = (line: number, reason: string) =>
    new InputError(`Cannot parse FASTA: line ${line + 1}: ${reason}`, { path });
  const finish = () => {
    if (id !== undefined) reads.set(id, sequence.join(""));
  };
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "") continue;
    if (line.startsWith(">")) {
      finish();
      id = line.slice(1).split(/\s/)[0] ?? "";
      if (id === "") throw fail(i, "the record has no read id");
      if (reads.has(id)) throw fail(i, `read id ${id} appears twice`);
      sequence = [];
    } else {
      if (id === undefined) throw fail(i, "sequence before the first > header");
      sequence.push(line);
    }
  }
  finish();
  return reads;
}
