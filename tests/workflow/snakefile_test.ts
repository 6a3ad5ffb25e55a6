/**
 * Runs workflow/Snakefile for real (Debian's `snakemake`, which `.ci/run`
 * installs) on the bundled 5 kHz fixtures with a tiny checkpoint: every token
 * file and the summary appear, a re-run does nothing, and deleting one token
 * file re-runs only its encode job (and the summary over it).
 */
import { dirname, fromFileUrl, join } from "@std/path";
import { TokenFileReader } from "../../lib/codec/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "../_assert.ts";
import { withTempDir } from "../_temp_dir.ts";
import { makeTinyCheckpoint } from "../codec/_tiny_checkpoint.ts";

const REPO = fromFileUrl(new URL("../../", import.meta.url));
const SNAKEFILE = join(REPO, "workflow", "Snakefile");
const FIXTURES = join(REPO, "tests", "fixtures", "pod5");
/** The run: the bundled 5 kHz fixtures, in a tree (copies of the small one to make several jobs). */
const RUN: Record<string, string> = {
  "flowcell_a/z1.pod5": "z1.pod5",
  "flowcell_b/pass/d1.pod5": "dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5",
  "d2.pod5": "dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5",
};

interface SnakemakeRun {
  readonly output: string;
  /** Jobs run per rule, from Snakemake's "Job stats" table. */
  readonly jobs: Record<string, number>;
}

async function makeRun(dir: string, run: Readonly<Record<string, string>> = RUN): Promise<void> {
  for (const [name, fixture] of Object.entries(run)) {
    await Deno.mkdir(dirname(join(dir, "run", name)), { recursive: true });
    await Deno.copyFile(join(FIXTURES, fixture), join(dir, "run", name));
  }
  await makeTinyCheckpoint(join(dir, "ckpt"));
}

/** Snakemake's own flags, more `--config` values and the environment of one run. */
interface SnakemakeOptions {
  readonly flags?: readonly string[];
  readonly config?: readonly string[];
  readonly env?: Record<string, string>;
}

async function snakemake(cwd: string, options: SnakemakeOptions = {}): Promise<SnakemakeRun> {
  let result: Deno.CommandOutput;
  try {
    result = await new Deno.Command("snakemake", {
      args: [
        "-s",
        SNAKEFILE,
        "--cores",
        "2",
        ...(options.flags ?? []),
        "--config",
        "input=run",
        "ckpt=ckpt",
        "out=results",
        // validate is tested on its own below; here the SNR comes from encode --verify.
        "validate=false",
        "verify=true",
        ...(options.config ?? []),
      ],
      cwd,
      env: options.env ?? {},
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error("Cannot run the workflow test: snakemake is not installed (apt-get install snakemake)");
    }
    throw error;
  }
  const output = new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr);
  assert(result.success, `snakemake failed:\n${output}`);
  const jobs: Record<string, number> = {};
  const table = output.split("Job stats:")[1] ?? "";
  for (const match of table.matchAll(/^(\w+)\s+(\d+)(?:\s+\d+\s+\d+)?\s*$/gm)) {
    if (match[1] !== "total") jobs[match[1]!] = Number(match[2]);
  }
  return { output, jobs };
}

async function mtimes(dir: string, names: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const name of names) out.set(name, (await Deno.stat(join(dir, name))).mtime!.getTime());
  return out;
}

async function readsAndSamples(path: string): Promise<[number, number]> {
  await using reader = await TokenFileReader.open(path);
  let reads = 0, samples = 0;
  for await (const read of reader.reads()) (reads++, samples += read.numSamples);
  return [reads, samples];
}

Deno.test("workflow/Snakefile encodes every POD5 file, summarises them, and re-runs only what is missing", async () => {
  await withTempDir(async (dir) => {
    await makeRun(dir);
    const results = join(dir, "results");
    const tokens = Object.keys(RUN).map((name) => join("tokens", name.replace(/\.pod5$/, ".tokens")));
    const all = [
      ...tokens,
      "summary.tsv",
      "summary.svg",
      ...Object.keys(RUN).map((n) => join("encode", `${n.slice(0, -5)}.json`)),
    ];

    const first = await snakemake(dir);
    assertEquals(first.jobs, { all: 1, encode: 3, summary: 1 });
    // The summary agrees with the token files themselves.
    const rows = (await Deno.readTextFile(join(results, "summary.tsv"))).trimEnd().split("\n").map((l) =>
      l.split("\t")
    );
    assertEquals(rows[0], ["file", "reads", "samples", "bits_per_sample", "snr_db", "snr_source", "basecall_identity"]);
    assertEquals(rows.slice(1).map((r) => r[0]), Object.keys(RUN).sort());
    for (const row of rows.slice(1)) {
      const path = join(results, "tokens", row[0]!.replace(/\.pod5$/, ".tokens"));
      const [reads, samples] = await readsAndSamples(path);
      assertEquals([Number(row[1]), Number(row[2])], [reads, samples], row[0]);
      const bits = (8 * (await Deno.stat(path)).size) / samples;
      assert(Math.abs(Number(row[3]) - bits) < 1e-4, `${row[0]}: ${row[3]} bits/sample, the file has ${bits}`);
      assert(Number.isFinite(Number(row[4])) && row[5] === "verify", `${row[0]}: SNR ${row[4]} from ${row[5]}`);
    }
    const svg = await Deno.readTextFile(join(results, "summary.svg"));
    assertStringIncludes(svg, "<svg");
    for (const name of Object.keys(RUN)) assertStringIncludes(svg, `>${name}<`);

    // A re-run has nothing to do and touches nothing.
    const before = await mtimes(results, all);
    const second = await snakemake(dir);
    assertStringIncludes(second.output, "Nothing to be done");
    assertEquals(await mtimes(results, all), before);

    // Deleting one token file re-runs its encode job and the summary over it, nothing else.
    const deleted = tokens[1]!;
    await Deno.remove(join(results, deleted));
    const third = await snakemake(dir);
    assertEquals(third.jobs, { all: 1, encode: 1, summary: 1 });
    const after = await mtimes(results, all);
    for (const name of tokens) {
      if (name === deleted) assert(after.get(name)! > before.get(name)!, `${name} was not rewritten`);
      else assertEquals(after.get(name), before.get(name), `${name} was rewritten`);
    }
    assertEquals((await readsAndSamples(join(results, deleted)))[0], 1);

    // The generator is an input of every encode job: replacing it re-runs them all...
    const other = await makeTinyCheckpoint(join(dir, "other"), { seed: 2 });
    await Deno.copyFile(
      join(other, "generator.safetensors"),
      join(dir, "ckpt", "checkpoint_10", "generator.safetensors"),
    );
    assertEquals((await snakemake(dir, { flags: ["--dry-run"] })).jobs, { all: 1, encode: 3, summary: 1 });
    // ...and so does a newer checkpoint in the run folder (the one the codec would load).
    await makeTinyCheckpoint(join(dir, "ckpt"), { seed: 3, step: 20 });
    const planned = await snakemake(dir, { flags: ["--dry-run"] });
    assertEquals(planned.jobs, { all: 1, encode: 3, summary: 1 });
    assertStringIncludes(planned.output, join(dir, "ckpt", "checkpoint_20", "generator.safetensors"));
  });
});

Deno.test("workflow/profiles/slurm sends each encode job to the GPU partition with a GPU, the summary on the submitting host", async () => {
  await withTempDir(async (dir) => {
    await makeRun(dir);
    const planned = await snakemake(dir, {
      flags: ["--profile", join(REPO, "workflow", "profiles", "slurm"), "--dry-run"],
    });
    assertEquals(planned.jobs, { all: 1, encode: 3, summary: 1 });
    const blocks = planned.output.split(/\n(?=(?:local)?rule )/);
    const encodes = blocks.filter((b) => b.startsWith("rule encode:"));
    assertEquals(encodes.length, 3);
    for (const block of encodes) {
      assertStringIncludes(block, "slurm_partition=gpu");
      assertStringIncludes(block, "slurm_extra=--gres=gpu:1");
    }
    assert(blocks.some((b) => b.startsWith("localrule summary:")), "the summary runs on the submitting host");
  });
});

Deno.test("workflow/Snakefile with container=IMAGE and --use-singularity runs each encode job by singularity exec IMAGE", async () => {
  await withTempDir(async (dir) => {
    const small = Object.fromEntries(Object.entries(RUN).filter(([name]) => !name.includes("z1")));
    await makeRun(dir, small);
    // On PATH: the stand-in singularity, and the image's entrypoint (`deno task` in the project) as the image has it.
    const bin = join(dir, "bin"), log = join(dir, "singularity.log");
    await Deno.mkdir(bin);
    await Deno.copyFile(join(REPO, "tests", "workflow", "_stand_in_singularity.sh"), join(bin, "singularity"));
    await Deno.writeTextFile(
      join(bin, "entrypoint.sh"),
      `#!/bin/sh\ntask=$1; shift\nexec ${Deno.execPath()} task -q --config ${join(REPO, "deno.json")} "$task" "$@"\n`,
    );
    for (const name of ["singularity", "entrypoint.sh"]) await Deno.chmod(join(bin, name), 0o755);
    const run = await snakemake(dir, {
      flags: ["--use-singularity"],
      config: ["container=docker://example.org/simvqgan:cpu", "simvqgan=entrypoint.sh"],
      env: { PATH: `${bin}:${Deno.env.get("PATH") ?? ""}`, STAND_IN_LOG: log },
    });
    assertEquals(run.jobs, { all: 1, encode: 2, summary: 1 });
    const calls = (await Deno.readTextFile(log)).trimEnd().split("\n");
    const pulls = calls.filter((c) => c.startsWith("singularity pull "));
    assertEquals(pulls.length, 1);
    assertStringIncludes(pulls[0]!, "docker://example.org/simvqgan:cpu");
    const execs = calls.filter((c) => c.startsWith("singularity exec "));
    assertEquals(execs.length, 2, "one exec per encode job, none for the summary");
    for (const call of execs) assertStringIncludes(call, "entrypoint.sh encode ");
    for (const name of Object.keys(small)) {
      await readsAndSamples(join(dir, "results", "tokens", name.replace(/\.pod5$/, ".tokens")));
    }
  });
});

Deno.test("workflow/Snakefile validates a sample of reads per file and takes the summary's SNR from it", async () => {
  await withTempDir(async (dir) => {
    await makeRun(dir);
    const results = join(dir, "results");
    const run = await snakemake(dir, {
      config: ["validate=true", "verify=false", "reads_per_file=2"],
      env: { PATH: Deno.env.get("PATH") ?? "" },
    });
    assertEquals(run.jobs, { all: 1, encode: 3, validate: 3, summary: 1 });
    const rows = (await Deno.readTextFile(join(results, "summary.tsv"))).trimEnd().split("\n").map((l) =>
      l.split("\t")
    );
    for (const row of rows.slice(1)) {
      const folder = join(results, "validate", row[0]!.replace(/\.pod5$/, ""));
      const report = JSON.parse(await Deno.readTextFile(join(folder, "report.json")));
      assertEquals(report.reads.length, Math.min(2, row[0] === "flowcell_a/z1.pod5" ? 3 : 1), row[0]);
      assertEquals(row[5], "validate", row[0]);
      // The TSV rounds to 2 decimals.
      assert(Math.abs(Number(row[4]) - report.overall.pooled.snr_db) <= 0.005, `${row[0]}: ${row[4]}`);
    }
  });
});
