import { assertEquals, assertThrows } from "../_assert.ts";
import { readFast5 } from "../../lib/fast5/mod.ts";
import { Pod5Reader, type RunInfo } from "../../lib/pod5/mod.ts";
import { InputError } from "../../lib/runtime/errors.ts";
import { parseFasta } from "../../lib/validate/read_fasta.ts";
import { poreOfRun, scrappieModelFor } from "../../lib/validate/scrappie_model.ts";
import { DORADO_5KHZ, fixture } from "../pod5/_fixtures.ts";
import { MULTI_READ, r94Files } from "../fast5/_fast5_fixtures.ts";

async function firstRun(path: string): Promise<RunInfo> {
  if (path.endsWith(".fast5")) {
    for await (const read of readFast5(path)) return read.runInfo;
  }
  await using reader = await Pod5Reader.open(path);
  const [run] = reader.runInfos;
  if (run === undefined) throw new Error(`${path} has no run`);
  return run;
}

Deno.test("poreOfRun() reads the pore from the fixtures' run infos", async () => {
  const cases: [string, string, string][] = [
    [(await r94Files())[0]!, "R9.4.1", "flow cell FLO-MIN106 (in the protocol name)"],
    [MULTI_READ, "R9.4.1", "basecall config dna_r9.4.1_450bps_fast.cfg"],
    [fixture("b1.pod5"), "R10.x", "basecall config dna_r10.4.1_e8.2_400bps_sup.cfg"],
    [fixture("z1.pod5"), "R10.x", "basecall config dna_r10.4.1_e8.2_400bps_5khz_sup.cfg"],
    [fixture("can_reads.pod5"), "R10.x", "basecall config dna_r10.4.1_e8.2_400bps_fast_prom.cfg"],
    [fixture(DORADO_5KHZ), "R10.x", "flow cell FLO-PRO114M"],
  ];
  for (const [path, pore, evidence] of cases) assertEquals(poreOfRun(await firstRun(path)), { pore, evidence }, path);
});

Deno.test("poreOfRun() and scrappieModelFor(): R9.4 and R9.4.1 get their models; RNA, R9.5, R10 and unnamed pores none", async () => {
  const base = await firstRun(MULTI_READ);
  const blank: RunInfo = { ...base, contextTags: {}, sequencingKit: "", protocolName: "", trackingId: {} };
  const run = (patch: Partial<RunInfo>): RunInfo => ({ ...blank, ...patch });
  const model = (r: RunInfo) => {
    const choice = scrappieModelFor(r);
    return choice.ok ? choice.model : `none: ${choice.reason}`;
  };
  assertEquals(model(run({ contextTags: { basecall_config_filename: "r94_450bps_linear.cfg" } })), "rgrgr_r94");
  assertEquals(model(run({ contextTags: { basecall_config_filename: "dna_r9.4.1_450bps_hac.cfg" } })), "rgrgr_r941");
  assertEquals(model(run({ flowCellProductCode: "FLO-FLG001" })), "rgrgr_r941");
  assertEquals(model(run({ contextTags: { flowcell_type: "flo-min106" } })), "rgrgr_r941");
  const id = base.acquisitionId;
  assertEquals(model(run({ sequencingKit: "sqk-rna002" })), `none: run ${id}: its pore is RNA (kit sqk-rna002)`);
  assertEquals(
    model(run({ contextTags: { experiment_type: "rna" }, flowCellProductCode: "FLO-MIN106" })),
    `none: run ${id}: its pore is RNA (experiment type rna)`,
  );
  assertEquals(
    model(run({ flowCellProductCode: "FLO-MIN107" })),
    `none: run ${id}: its pore is R9.5 (flow cell FLO-MIN107)`,
  );
  assertEquals(
    model(run({ sequencingKit: "sqk-nbd114-24" })),
    `none: run ${id}: its pore is R10.x (kit sqk-nbd114-24)`,
  );
  assertEquals(
    model(blank),
    `none: run ${id}: its run info names no pore (no R9.4-family flow cell, kit or basecall config)`,
  );
  const fixed = scrappieModelFor(run({ sequencingKit: "sqk-rna002" }), { model: "rgrgr_r94" });
  assertEquals(fixed.ok ? fixed.model : null, "rgrgr_r94");
  const any = scrappieModelFor(blank, { anyPore: true });
  assertEquals(any.ok ? any.model : null, "rgrgr_r941");
});

Deno.test("parseFasta() refuses text before a header, a header without an id and a repeated id, naming the line", () => {
  assertThrows(
    () => parseFasta("ACGT\n>r1\nAC\n", "a.fa"),
    InputError,
    "a.fa: Cannot parse FASTA: line 1: sequence before",
  );
  assertThrows(() => parseFasta(">r1\nAC\n> x\nGG\n", "b.fa"), InputError, "line 3: the record has no read id");
  assertThrows(() => parseFasta(">r1\nAC\n>r1\nGG\n", "c.fa"), InputError, "line 3: read id r1 appears twice");
  assertEquals(parseFasta("", "empty.fa"), new Map());
});
