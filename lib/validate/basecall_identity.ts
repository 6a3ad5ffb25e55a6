/**
 * Basecalling both POD5 files with Dorado and scoring the generated calls
 * against the real ones, read by read (SPEC §5), and, with a reference,
 * both against it with minimap2.
 *
 * @module
 */
import { join } from "@std/path";
import { alignSequences, bonitoIdentity, editIdentity } from "./align.ts";
import { parsePaf, type ReferenceHit } from "./minimap2.ts";
import { readFastq } from "./read_fastq.ts";
import { runTool } from "./run_tool.ts";

/** One read's basecall identity. */
export interface ReadIdentity {
  /** M / (M + X + I + D). */
  readonly bonito: number;
  /** 1 − edit distance / max(len). */
  readonly edit: number;
  /** Matches. */
  readonly matches: number;
  /** Mismatches. */
  readonly mismatches: number;
  /** Bases only in the generated call. */
  readonly insertions: number;
  /** Bases only in the real call. */
  readonly deletions: number;
  /** Length of the real call. */
  readonly real_length: number;
  /** Length of the generated call. */
  readonly generated_length: number;
  /** False when the alignment band hit its budget (then a lower bound). */
  readonly exact: boolean;
}

/** One read's identity to the reference, for the real and the generated call. */
export interface ReadReferenceIdentity {
  /** The real call's identity to the reference (null: not mapped). */
  readonly real: number | null;
  /** The generated call's identity (null: not mapped). */
  readonly generated: number | null;
  /** generated − real, when both mapped. */
  readonly difference: number | null;
}

/** What basecalling found. */
export interface BasecallResult {
  /** FASTQ of the real reads. */
  readonly realFastq: string;
  /** FASTQ of the generated reads. */
  readonly generatedFastq: string;
  /** Read ids called in the real file. */
  readonly calledReal: number;
  /** Read ids called in the generated file. */
  readonly calledGenerated: number;
  /** Ids called in the real file only. */
  readonly onlyReal: readonly string[];
  /** Ids called in the generated file only. */
  readonly onlyGenerated: readonly string[];
  /** Per read id called in both. */
  readonly identity: ReadonlyMap<string, ReadIdentity>;
}

/**
 * What basecalls the real and the generated reads (ONT Dorado today, through
 * `doradoBasecaller`); the validation's basecall stage takes one as a value.
 */
export interface Basecaller {
  /** Who it is, for stage messages, e.g. `dorado (hac)`. */
  readonly label: string;
  /**
   * Basecall every read of `pod5` into the FASTQ file `fastq` (which appears
   * only complete).
   *
   * @throws {Deno.errors.NotFound} When its program does not exist.
   */
  basecall(pod5: string, fastq: string): Promise<void>;
}

/** Dorado's settings (`dorado.*` of the validation config). */
export interface DoradoOptions {
  /** The `dorado` binary. */
  readonly bin: string;
  /** Model name or folder (`hac`, `sup`, a path). */
  readonly model: string;
  /** `--device`, or null for Dorado's default. */
  readonly device: string | null;
  /** Where `dorado.log` goes. */
  readonly outDir: string;
}

/**
 * ONT Dorado as a {@linkcode Basecaller}: `dorado basecaller MODEL POD5
 * --emit-fastq [--device D]`, run without a shell, its stderr appended to
 * `dorado.log` in the output folder.
 *
 * @param options Binary, model, device and output folder.
 * @returns The basecaller.
 */
export function doradoBasecaller(options: DoradoOptions): Basecaller {
  return {
    label: `${options.bin} (${options.model})`,
    basecall: (pod5, fastq) =>
      runTool({
        bin: options.bin,
        args: [
          "basecaller",
          options.model,
          pod5,
          "--emit-fastq",
          ...(options.device === null ? [] : ["--device", options.device]),
        ],
        stdoutPath: fastq,
        logPath: join(options.outDir, "dorado.log"),
      }),
  };
}

/** Options of {@linkcode basecallAndAlign}. */
export interface BasecallAndAlignOptions {
  /** Who basecalls (Dorado, or another {@linkcode Basecaller}). */
  readonly basecaller: Basecaller;
  /** Where `real.fastq` and `generated.fastq` go. */
  readonly outDir: string;
  /** Stage messages. */
  readonly onStage?: ((message: string) => void) | undefined;
}

/**
 * Basecall `real.pod5` and `generated.pod5` and align the calls per read.
 *
 * @param realPod5 The real reads.
 * @param generatedPod5 The reconstructions.
 * @param options The basecaller and the output folder.
 * @returns FASTQ paths, counts and per-read identities.
 * @throws {Deno.errors.NotFound} When the basecaller's program does not exist.
 * @throws {ToolError} When the basecaller fails.
 */
export async function basecallAndAlign(
  realPod5: string,
  generatedPod5: string,
  options: BasecallAndAlignOptions,
): Promise<BasecallResult> {
  const call = async (pod5: string, name: string) => {
    const fastq = join(options.outDir, `${name}.fastq`);
    options.onStage?.(`basecalling ${name}.pod5 with ${options.basecaller.label}`);
    await options.basecaller.basecall(pod5, fastq);
    return fastq;
  };
  const realFastq = await call(realPod5, "real");
  const generatedFastq = await call(generatedPod5, "generated");
  const real = await readFastq(realFastq), generated = await readFastq(generatedFastq);
  options.onStage?.(`aligning ${Math.min(real.size, generated.size)} pairs of basecalls`);
  const identity = new Map<string, ReadIdentity>();
  for (const [id, realSeq] of real) {
    const generatedSeq = generated.get(id);
    if (generatedSeq === undefined) continue;
    const counts = alignSequences(realSeq, generatedSeq);
    identity.set(id, {
      bonito: bonitoIdentity(counts),
      edit: editIdentity(counts),
      matches: counts.matches,
      mismatches: counts.mismatches,
      insertions: counts.insertions,
      deletions: counts.deletions,
      real_length: realSeq.length,
      generated_length: generatedSeq.length,
      exact: counts.exact,
    });
  }
  return {
    realFastq,
    generatedFastq,
    calledReal: real.size,
    calledGenerated: generated.size,
    onlyReal: [...real.keys()].filter((id) => !generated.has(id)),
    onlyGenerated: [...generated.keys()].filter((id) => !real.has(id)),
    identity,
  };
}

/**
 * Map both FASTQs to a reference with minimap2 and pair the identities.
 *
 * @param basecalls The FASTQ files.
 * @param options minimap2's binary, the reference and the output folder.
 * @returns Per read id called in either: real and generated identity to the reference.
 * @throws {Deno.errors.NotFound} When minimap2 does not exist.
 * @throws {ToolError} When minimap2 fails.
 */
export async function referenceIdentity(
  basecalls: Pick<BasecallResult, "realFastq" | "generatedFastq">,
  options: { readonly bin: string; readonly reference: string; readonly outDir: string },
): Promise<Map<string, ReadReferenceIdentity>> {
  const map = async (fastq: string, name: string): Promise<Map<string, ReferenceHit>> => {
    const paf = join(options.outDir, `${name}.paf`);
    await runTool({
      bin: options.bin,
      args: ["-c", "--eqx", options.reference, fastq],
      stdoutPath: paf,
      logPath: join(options.outDir, "minimap2.log"),
    });
    return parsePaf(await Deno.readTextFile(paf), paf);
  };
  const real = await map(basecalls.realFastq, "real"), generated = await map(basecalls.generatedFastq, "generated");
  const out = new Map<string, ReadReferenceIdentity>();
  for (const id of new Set([...real.keys(), ...generated.keys()])) {
    const r = real.get(id)?.identity ?? null, g = generated.get(id)?.identity ?? null;
    out.set(id, { real: r, generated: g, difference: r === null || g === null ? null : g - r });
  }
  return out;
}
