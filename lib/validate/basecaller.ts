/**
 * A basecaller, as validation uses one: it turns the reads of a POD5 file
 * into sequences, each keyed by read id, the record type the FASTQ reader
 * gives for Dorado's calls (`read_fastq.ts`).
 *
 * @module
 */

/** A read the basecaller gave no sequence for, and why. */
export interface UncalledRead {
  /** The read id. */
  readonly readId: string;
  /** Why, e.g. `scrappie exited with code 134` or `no call returned`. */
  readonly reason: string;
}

/** What one {@linkcode Basecaller.call} produced. */
export interface BasecallRun {
  /** The basecaller's name, e.g. `scrappie`. */
  readonly basecaller: string;
  /** Its version, as the program reports it. */
  readonly version: string;
  /** The model the reads were called with. */
  readonly model: string;
  /** The file holding the calls (FASTA or FASTQ, in input read order); minimap2 reads either. */
  readonly callsPath: string;
  /** Read id → called sequence, as `readFastq()` gives for Dorado's FASTQ. */
  readonly records: ReadonlyMap<string, string>;
  /** Reads in the input. */
  readonly readCount: number;
  /** Reads without a call: they count as unmapped, they do not fail the run. */
  readonly uncalled: readonly UncalledRead[];
}

/** Options of one {@linkcode Basecaller.call}. */
export interface BasecallOptions {
  /** Stem of the output files, e.g. `real` → `real.fasta`. Default: the POD5 file's name without `.pod5`. */
  readonly name?: string;
  /** Progress: reads done so far of all. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A basecaller: a program that reads raw signal and writes sequences. */
export interface Basecaller {
  /** Its name, e.g. `scrappie` or `dorado`. */
  readonly name: string;
  /** Its version, as the program reports it. */
  readonly version: string;
  /** The fixed model, or null when each input's run chooses it (its flow cell and kit). */
  readonly model: string | null;
  /**
   * Basecall every read of `pod5`, writing the calls (and any log) into `outDir`.
   *
   * @param pod5 The POD5 file.
   * @param outDir An existing folder for the calls.
   * @param options Output name and progress.
   * @returns The calls.
   */
  call(pod5: string, outDir: string, options?: BasecallOptions): Promise<BasecallRun>;
}
