/**
 * scrappie (ONT's research basecaller for R9.4-era pores, CPU only; Debian's
 * `scrappie` package) as a {@linkcode Basecaller}: each read becomes a
 * single-read FAST5 written by the HDF5 library, `scrappie raw` calls them in
 * small batches, and its FASTA becomes read id → sequence records.
 *
 * scrappie aborts on some badly degraded signal and takes its whole batch
 * with it: a failed batch is retried read by read, and a read that fails
 * alone is counted as uncalled, not as a failed run.
 *
 * @module
 */
import { basename, join } from "@std/path";
import { writeSingleReadFast5 } from "../fast5/write_fast5.ts";
import { Pod5Reader } from "../pod5/reader.ts";
import { writeAll } from "../runtime/write_all.ts";
import type { Basecaller, BasecallOptions, BasecallRun, UncalledRead } from "./basecaller.ts";
import { BasecallerNotFoundError, UnsupportedPoreError } from "./basecaller_errors.ts";
import { parseFasta } from "./read_fasta.ts";
import { scrappieModelFor } from "./scrappie_model.ts";

/** Options of {@linkcode ScrappieBasecaller.create}. */
export interface ScrappieOptions {
  /** The program: a path, or a name looked up on PATH. Default `scrappie`. */
  readonly bin?: string;
  /** A fixed model (`scrappie raw --help` lists them). Default: from each input's run (R9.4 / R9.4.1). */
  readonly model?: string | null;
  /** Call reads of other pores too (R10.x with `rgrgr_r10`, others with `rgrgr_r941`). Default false. */
  readonly anyPore?: boolean;
  /** `scrappie raw --threads`. Default 1. */
  readonly threads?: number;
  /** Reads per scrappie run. Default {@linkcode DEFAULT_SCRAPPIE_BATCH_READS}. */
  readonly batchReads?: number;
}

/** Reads per `scrappie raw` run: small, since an abort loses the batch (it is then retried read by read). */
export const DEFAULT_SCRAPPIE_BATCH_READS = 8;
/** The log scrappie's stderr goes to, in the output folder. */
export const SCRAPPIE_LOG = "scrappie.log";

/** How one scrappie run ended. */
interface RunOutcome {
  readonly success: boolean;
  readonly stdout: string;
  readonly reason: string;
}

/**
 * scrappie as a basecaller. Create it with {@linkcode ScrappieBasecaller.create}.
 *
 * @example Call a bundled R9.4 read (needs scrappie: apt-get install scrappie)
 * ```ts
 * import { convertFast5ToPod5 } from "../fast5/convert_fast5.ts";
 * import { ScrappieBasecaller } from "./scrappie_basecaller.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const fast5 = "tests/fixtures/fast5/r94_ecoli/odw_genlab4209_20161213_FN_MN16303_sequencing_run_sample_id_32395_ch485_read77_strand.fast5";
 * await convertFast5ToPod5([fast5], `${dir}/real.pod5`);
 * const scrappie = await ScrappieBasecaller.create();
 * const run = await scrappie.call(`${dir}/real.pod5`, dir);
 * const sequence = run.records.get("c75c8f96-eb4b-4465-9d43-024209a6a35a") ?? "";
 * if (run.model !== "rgrgr_r941" || sequence.length < 500) throw new Error(`${run.model}: ${sequence.length} bases`);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class ScrappieBasecaller implements Basecaller {
  /** `scrappie`. */
  readonly name = "scrappie";
  /** What `scrappie raw --version` prints, e.g. `scrappie 1.4.0-`. */
  readonly version: string;
  /** The fixed model, or null when each input's run chooses it. */
  readonly model: string | null;
  readonly #bin: string;
  readonly #anyPore: boolean;
  readonly #threads: number;
  readonly #batchReads: number;

  private constructor(version: string, options: Required<ScrappieOptions>) {
    this.version = version;
    this.model = options.model;
    this.#bin = options.bin;
    this.#anyPore = options.anyPore;
    this.#threads = options.threads;
    this.#batchReads = options.batchReads;
  }

  /**
   * Find scrappie and read its version.
   *
   * @param options The program, model, pores, threads and batch size.
   * @returns The basecaller.
   * @throws {BasecallerNotFoundError} When the program does not exist.
   * @throws {RangeError} When `threads` or `batchReads` is not a positive integer.
   */
  static async create(options: ScrappieOptions = {}): Promise<ScrappieBasecaller> {
    const settings: Required<ScrappieOptions> = {
      bin: options.bin ?? "scrappie",
      model: options.model ?? null,
      anyPore: options.anyPore ?? false,
      threads: options.threads ?? 1,
      batchReads: options.batchReads ?? DEFAULT_SCRAPPIE_BATCH_READS,
    };
    for (const [name, value] of [["threads", settings.threads], ["batchReads", settings.batchReads]] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`Cannot use scrappie: ${name} must be a positive integer, got ${value}`);
      }
    }
    const out = await spawn(settings.bin, ["raw", "--version"]);
    const version = out.stdout.trim().split("\n")[0] ?? "";
    if (!out.success || version === "") {
      throw new Error(`Cannot use scrappie: \`${settings.bin} raw --version\` failed (${out.reason})`);
    }
    return new ScrappieBasecaller(version, settings);
  }

  /**
   * Basecall every read of `pod5`: `outDir/<name>.fasta` (in read order) and
   * `outDir/scrappie.log`; the FAST5 files scrappie reads live in a scratch
   * folder there until the call ends.
   *
   * @param pod5 The POD5 file.
   * @param outDir An existing folder.
   * @param options Output name and progress.
   * @returns The calls, and the reads without one.
   * @throws {UnsupportedPoreError} When a run's pore is not R9.4/R9.4.1 (unless `anyPore` or a fixed model).
   * @throws {BasecallerNotFoundError} When scrappie has gone missing.
   */
  async call(pod5: string, outDir: string, options: BasecallOptions = {}): Promise<BasecallRun> {
    const name = options.name ?? basename(pod5).replace(/\.pod5$/i, "");
    await using reader = await Pod5Reader.open(pod5);
    const model = this.#modelFor(reader);
    const scratch = await Deno.makeTempDir({ dir: outDir, prefix: `${name}_fast5_` });
    const records = new Map<string, string>();
    const uncalled: UncalledRead[] = [];
    const log = join(outDir, SCRAPPIE_LOG);
    try {
      let batch: { readId: string; path: string }[] = [];
      let done = 0;
      const flush = async () => {
        await this.#callBatch(batch, { model, log, records, uncalled });
        for (const { path } of batch) await Deno.remove(path);
        done += batch.length;
        batch = [];
        options.onProgress?.(done, reader.readCount);
      };
      for await (const read of reader.reads()) {
        const path = join(scratch, `${read.readId}.fast5`);
        await writeSingleReadFast5(path, read, read.runInfo);
        batch.push({ readId: read.readId, path });
        if (batch.length === this.#batchReads) await flush();
      }
      if (batch.length > 0) await flush();
    } finally {
      await Deno.remove(scratch, { recursive: true });
    }
    const callsPath = join(outDir, `${name}.fasta`);
    await writeFasta(callsPath, records);
    return {
      basecaller: this.name,
      version: this.version,
      model,
      callsPath,
      records,
      readCount: reader.readCount,
      uncalled,
    };
  }

  /** The one model every run of the file takes. */
  #modelFor(reader: Pod5Reader): string {
    const models = new Map<string, string>();
    for (const run of reader.runInfos) {
      const choice = scrappieModelFor(run, { model: this.model, anyPore: this.#anyPore });
      if (!choice.ok) {
        throw new UnsupportedPoreError(
          reader.path,
          choice.pore.pore,
          `Cannot basecall with scrappie: ${choice.reason}; scrappie's models are for R9.4 and R9.4.1 DNA ` +
            "(give a model, or allow any pore, to call these reads anyway)",
        );
      }
      models.set(run.acquisitionId, choice.model);
    }
    const distinct = [...new Set(models.values())];
    if (distinct.length > 1) {
      const which = [...models].map(([run, model]) => `${run}: ${model}`).join(", ");
      throw new UnsupportedPoreError(
        reader.path,
        "mixed",
        `Cannot basecall with scrappie: the runs need different models (${which}); give one model`,
      );
    }
    return distinct[0] ?? this.model ?? "rgrgr_r941";
  }

  /** Call a batch; on failure, each read alone; a read that fails alone is uncalled. */
  async #callBatch(
    batch: readonly { readId: string; path: string }[],
    into: { model: string; log: string; records: Map<string, string>; uncalled: UncalledRead[] },
  ): Promise<void> {
    if (batch.length === 0) return;
    const outcome = await this.#run(batch.map((read) => read.path), into);
    if (!outcome.success) {
      if (batch.length > 1) {
        for (const read of batch) await this.#callBatch([read], into);
        return;
      }
      into.uncalled.push({ readId: batch[0]!.readId, reason: outcome.reason });
      return;
    }
    const calls = parseFasta(outcome.stdout, "scrappie's output");
    for (const { readId } of batch) {
      const sequence = calls.get(readId);
      if (sequence === undefined || sequence === "") into.uncalled.push({ readId, reason: "no call returned" });
      else into.records.set(readId, sequence);
    }
  }

  async #run(files: readonly string[], into: { model: string; log: string }): Promise<RunOutcome> {
    const args = ["raw", "--model", into.model, "--threads", String(this.#threads), "--uuid", ...files];
    const outcome = await spawn(this.#bin, args);
    using log = await Deno.open(into.log, { write: true, create: true, append: true });
    await writeAll(log, new TextEncoder().encode(`$ ${[this.#bin, ...args].join(" ")}\n${outcome.stderr}`));
    return outcome;
  }
}

/** Run a program to its end, stdout and stderr in memory (a batch's FASTA is small). */
async function spawn(bin: string, args: readonly string[]): Promise<RunOutcome & { stderr: string }> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(bin, { args: [...args], stdin: "null", stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new BasecallerNotFoundError(
        bin,
        `Cannot basecall with scrappie: \`${bin}\` was not found (install it: apt-get install scrappie)`,
        { cause: error },
      );
    }
    throw error;
  }
  const decoder = new TextDecoder();
  const reason = output.success
    ? ""
    : `scrappie exited with code ${output.code}` + (output.signal === null ? "" : ` (${output.signal})`);
  return {
    success: output.success,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
    reason,
  };
}

/** The calls as FASTA, one line per sequence, through a temporary name. */
async function writeFasta(path: string, records: ReadonlyMap<string, string>): Promise<void> {
  let text = "";
  for (const [id, sequence] of records) text += `>${id}\n${sequence}\n`;
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, path);
}
