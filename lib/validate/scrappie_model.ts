/**
 * Which pore a run used, from what its run info says, and so which scrappie
 * model can call it: scrappie's raw models were trained on R9.4 and R9.4.1
 * DNA (`rgrgr_r94`, `rgrgr_r941`; `scrappie raw --help` lists them).
 *
 * @module
 */
import type { RunInfo } from "../pod5/types.ts";

/** The pores told apart here. */
export type Pore = "R9.4" | "R9.4.1" | "R9.5" | "R10.x" | "RNA" | "unknown";

/** A run's pore and what said so. */
export interface PoreEvidence {
  /** The pore. */
  readonly pore: Pore;
  /** What decided it, e.g. `flow cell FLO-MIN106`; empty when nothing did. */
  readonly evidence: string;
}

/** The scrappie model for each pore it has one for. */
export const SCRAPPIE_MODELS: Readonly<Record<"R9.4" | "R9.4.1", string>> = {
  "R9.4": "rgrgr_r94",
  "R9.4.1": "rgrgr_r941",
};
/** scrappie's R10 model (the first R10 pore, not R10.3 or R10.4.1), used for R10.x reads only when told to. */
export const SCRAPPIE_R10_MODEL = "rgrgr_r10";

/** Flow cells of the R9.4.1 family (FLO-MIN106 carried R9.4 in 2016, R9.4.1 from 2017; ONT's basecallers treat it as R9.4.1). */
const R941_FLOW_CELLS = new Set(["FLO-MIN106", "FLO-MIN106D", "FLO-FLG001", "FLO-PRO001", "FLO-PRO002"]);
/** R9.5 (1D²). */
const R95_FLOW_CELLS = new Set(["FLO-MIN107"]);
/** R10.x flow cells: FLO-MIN110 to FLO-MIN114, FLO-FLG11x, FLO-PRO11x (with suffixes such as M or HD). */
const R10_FLOW_CELL = /^FLO-(MIN|FLG|PRO)11\d[A-Z]*$/;
const FLOW_CELL_IN_TEXT = /FLO-[A-Z]{3}\d{3}[A-Z]*/i;
/** A pore named in a basecall config or protocol: r9.4.1 / r941, r9.4 / r94, r9.5, r10.x. */
const PORE_IN_TEXT = /(?<![a-z0-9])r(10|9)(?:\.?(\d))?(?:\.?(\d))?(?![0-9])/i;
/** Kit 14 chemistry (SQK-LSK114, SQK-RBK114-96, ...) runs on R10.4.1. */
const KIT14 = /^sqk-[a-z]+114/i;
const RNA_KIT = /^sqk-rna/i;

function poreInText(text: string): Pore | undefined {
  const match = PORE_IN_TEXT.exec(text);
  if (match === null) return undefined;
  const [, major, minor, patch] = match;
  if (major === "10") return "R10.x";
  if (minor === "4") return patch === "1" ? "R9.4.1" : patch === undefined ? "R9.4" : undefined;
  if (minor === "5") return "R9.5";
  return undefined;
}

function flowCellPore(code: string): Pore | undefined {
  const upper = code.toUpperCase();
  if (R941_FLOW_CELLS.has(upper)) return "R9.4.1";
  if (R95_FLOW_CELLS.has(upper)) return "R9.5";
  if (R10_FLOW_CELL.test(upper)) return "R10.x";
  return undefined;
}

/**
 * The pore of a run, judged in this order: an RNA kit or experiment type;
 * a pore named in the basecall config (`context_tags/basecall_config_filename`,
 * e.g. `dna_r9.4.1_450bps_fast.cfg`); the flow cell (the run's product code,
 * `context_tags/flowcell_type`, or a `FLO-…` code in the protocol name, as
 * MinKNOW 1.x's script names have it); a kit-14 sequencing kit (R10.4.1).
 *
 * @example The R10.4.1 fixture and an R9.4 run whose protocol names its flow cell
 * ```ts
 * import { Pod5Reader } from "../pod5/reader.ts";
 * import { poreOfRun } from "./scrappie_model.ts";
 *
 * await using reader = await Pod5Reader.open("tests/fixtures/pod5/b1.pod5");
 * const [run] = reader.runInfos;
 * if (run === undefined) throw new Error("no run");
 * if (poreOfRun(run).pore !== "R10.x") throw new Error("b1.pod5 is R10.4.1");
 * const r94 = { ...run, contextTags: {}, flowCellProductCode: "", sequencingKit: "",
 *   protocolName: "python/recipes/nc/NC_48Hr_Sequencing_Run_FLO-MIN106_SQK-LSK108.py" };
 * if (poreOfRun(r94).evidence !== "flow cell FLO-MIN106 (in the protocol name)") throw new Error(poreOfRun(r94).evidence);
 * ```
 *
 * @param run The run.
 * @returns The pore and what decided it.
 */
export function poreOfRun(run: RunInfo): PoreEvidence {
  const tags = run.contextTags;
  const kit = tags["sequencing_kit"] ?? run.sequencingKit;
  if (RNA_KIT.test(kit) || RNA_KIT.test(run.sequencingKit)) return { pore: "RNA", evidence: `kit ${kit}` };
  if ((tags["experiment_type"] ?? "").toLowerCase() === "rna") return { pore: "RNA", evidence: "experiment type rna" };
  const config = tags["basecall_config_filename"] ?? "";
  if (/^rna_/i.test(config)) return { pore: "RNA", evidence: `basecall config ${config}` };
  const fromConfig = config === "" ? undefined : poreInText(config);
  if (fromConfig !== undefined) return { pore: fromConfig, evidence: `basecall config ${config}` };
  for (
    const [code, where] of [
      [run.flowCellProductCode, ""],
      [tags["flowcell_type"] ?? "", " (context_tags flowcell_type)"],
      [FLOW_CELL_IN_TEXT.exec(run.protocolName)?.[0] ?? "", " (in the protocol name)"],
      [FLOW_CELL_IN_TEXT.exec(run.trackingId["exp_script_name"] ?? "")?.[0] ?? "", " (in exp_script_name)"],
    ] as const
  ) {
    if (code === "") continue;
    const pore = flowCellPore(code);
    if (pore !== undefined) return { pore, evidence: `flow cell ${code.toUpperCase()}${where}` };
  }
  if (KIT14.test(kit)) return { pore: "R10.x", evidence: `kit ${kit}` };
  return { pore: "unknown", evidence: "" };
}

/** Options of {@linkcode scrappieModelFor}. */
export interface ScrappieModelOptions {
  /** A fixed model: used whatever the pore. */
  readonly model?: string | null;
  /** Call reads of other pores too: R10.x with `rgrgr_r10`, anything else with `rgrgr_r941`. Default false. */
  readonly anyPore?: boolean;
}

/** The model chosen for a run, or the reason there is none. */
export type ScrappieModelChoice =
  | { readonly ok: true; readonly model: string; readonly pore: PoreEvidence }
  | { readonly ok: false; readonly pore: PoreEvidence; readonly reason: string };

/**
 * The scrappie model for a run: `rgrgr_r94` for R9.4, `rgrgr_r941` for
 * R9.4.1; other pores (R10.x, R9.5, RNA, or none named) have none unless
 * `anyPore` (or a fixed `model`) says to call them anyway.
 *
 * @example
 * ```ts
 * import { Pod5Reader } from "../pod5/reader.ts";
 * import { scrappieModelFor } from "./scrappie_model.ts";
 *
 * await using reader = await Pod5Reader.open("tests/fixtures/pod5/b1.pod5");
 * const [run] = reader.runInfos;
 * if (run === undefined) throw new Error("no run");
 * const choice = scrappieModelFor(run);
 * if (choice.ok) throw new Error("R10.4.1 reads are not scrappie's");
 * const forced = scrappieModelFor(run, { anyPore: true });
 * if (!forced.ok || forced.model !== "rgrgr_r10") throw new Error("anyPore takes the R10 model");
 * ```
 *
 * @param run The run.
 * @param options A fixed model, or calling any pore.
 * @returns The model, or why there is none.
 */
export function scrappieModelFor(run: RunInfo, options: ScrappieModelOptions = {}): ScrappieModelChoice {
  const pore = poreOfRun(run);
  if (options.model !== undefined && options.model !== null) return { ok: true, model: options.model, pore };
  if (pore.pore === "R9.4" || pore.pore === "R9.4.1") return { ok: true, model: SCRAPPIE_MODELS[pore.pore], pore };
  if (options.anyPore === true) {
    return { ok: true, model: pore.pore === "R10.x" ? SCRAPPIE_R10_MODEL : SCRAPPIE_MODELS["R9.4.1"], pore };
  }
  const what = pore.pore === "unknown"
    ? "its run info names no pore (no R9.4-family flow cell, kit or basecall config)"
    : `its pore is ${pore.pore} (${pore.evidence})`;
  return { ok: false, pore, reason: `run ${run.acquisitionId}: ${what}` };
}
