/**
 * Every command in the README's fenced `sh` blocks is run here, cheaply, or
 * skipped with a reason; one that is in neither list fails the test, and so
 * does an entry whose command is no longer in the README.
 *
 * To add a README command: add its exact text (continuation lines joined,
 * the trailing `# comment` dropped) to {@linkcode COMMANDS} with either
 * `skip: "why"` (it needs something the suite cannot have: Docker, a GPU,
 * Dorado, the network) or a `run` that maps the README's placeholder paths
 * to files in the test's folder and adds flags that make it cheap (small
 * step counts), and a `check` of what the command must have done. Commands
 * run in README order and share one folder, so a command may use what an
 * earlier one wrote (the quickstart's checkpoints for the resume).
 */
import { fromFileUrl } from "@std/path";
import { assert, assertEquals } from "./_assert.ts";
import { withTempDir } from "./_temp_dir.ts";
import { TokenFileReader } from "../lib/codec/mod.ts";
import { Pod5Reader } from "../lib/pod5/mod.ts";
import { listCheckpoints, loadCheckpoint } from "../lib/checkpoint/checkpoint.ts";
import { fixture, loadTruth } from "./pod5/_fixtures.ts";
import { runTask, type TaskOutput } from "./tasks/_run_task.ts";
import { R94_DIR } from "./fast5/_fast5_fixtures.ts";

const README = fromFileUrl(new URL("../README.md", import.meta.url));

/** What a run needs: the shared folder. */
interface Context {
  readonly dir: string;
}

/** A README command as run: the deno task, its arguments, and where its stdout went (`> FILE`). */
interface Invocation {
  readonly task: string;
  readonly args: readonly string[];
}

type Plan =
  | { readonly skip: string }
  | {
    /** Prepare the inputs and map the README's arguments (placeholders, cheap flags). */
    readonly run: (args: readonly string[], context: Context) => Promise<readonly string[]>;
    /** What the command must have done. */
    readonly check: (output: TaskOutput, context: Context) => Promise<void>;
  };

/** The cheap training flags: a step or two, nothing between. */
const FEW_STEPS = ["--max-steps", "2", "--save-every", "1000", "--val-every", "1000", "--log-every", "1"];

const COMMANDS: Readonly<Record<string, Plan>> = {
  "deno task train": {
    run: (args, { dir }) => Promise.resolve([...args, ...FEW_STEPS, "--ckpt-dir", `${dir}/quickstart`]),
    check: async (out, { dir }) => {
      assertEquals(out.code, 0, out.stderr);
      assertEquals((await listCheckpoints(`${dir}/quickstart`)).map((c) => c.step), [2]);
      assert(out.stdout.includes("held-out tails of trained reads"), out.stdout);
    },
  },
  "deno task test": { skip: "the whole suite, which runs this test" },
  "deno task bench serve --soak 600": {
    skip: "ten minutes on the quickstart checkpoint; tests/serve/serve_soak_test.ts runs a short soak",
  },
  "deno task train --resume auto --max-steps 1000": {
    // Continues the quickstart run above for one more step.
    run: (args, { dir }) =>
      Promise.resolve([...withFlag(withFlag(args, "--max-steps", "3"), "--ckpt-dir", `${dir}/quickstart`)]),
    check: async (out, { dir }) => {
      assertEquals(out.code, 0, out.stderr);
      assert(out.stderr.includes(`resumed from ${dir}/quickstart/checkpoint_2 at step 2`), out.stderr);
      assertEquals((await listCheckpoints(`${dir}/quickstart`)).map((c) => c.step), [2, 3]);
    },
  },
  "deno task train --config configs/train_config.json --data-root /data/FC01 --ckpt-dir runs/fc01": {
    // A flow cell folder laid out as MinKNOW writes it, with z1 as its one POD5 file; batches small enough for it.
    run: async (args, { dir }) => {
      await Deno.mkdir(`${dir}/FC01/pod5`, { recursive: true });
      await Deno.copyFile(fixture("z1.pod5"), `${dir}/FC01/pod5/z1.pod5`);
      const mapped = args.map((arg) =>
        arg === "/data/FC01" ? `${dir}/FC01` : arg === "runs/fc01" ? `${dir}/fc01` : arg
      );
      return [...mapped, "--max-steps", "1", "--batch-size", "4", "--grad-accum", "1", "--loader-workers", "2"];
    },
    check: async (out, { dir }) => {
      assertEquals(out.code, 0, out.stderr);
      const state = (await loadCheckpoint(`${dir}/fc01/checkpoint_1`)).state;
      assertEquals((state["data_plan"] as { files: unknown[] }).files.map((f) => (f as string[])[0]), [
        "pod5/z1.pod5",
      ]);
    },
  },
  "deno task train --config configs/train_config.json --data-root /data --subdirs FC01/pod5,FC02/pod5 --ckpt-dir runs/fc12":
    {
      // Three flow cells under one root; the command names two of them.
      run: async (args, { dir }) => {
        for (const cell of ["FC01", "FC02", "FC03"]) {
          await Deno.mkdir(`${dir}/data/${cell}/pod5`, { recursive: true });
          await Deno.copyFile(fixture("z1.pod5"), `${dir}/data/${cell}/pod5/${cell.toLowerCase()}.pod5`);
        }
        const mapped = args.map((arg) => arg === "/data" ? `${dir}/data` : arg === "runs/fc12" ? `${dir}/fc12` : arg);
        return [...mapped, "--max-steps", "1", "--batch-size", "4", "--grad-accum", "1", "--loader-workers", "2"];
      },
      check: async (out, { dir }) => {
        assertEquals(out.code, 0, out.stderr);
        const state = (await loadCheckpoint(`${dir}/fc12/checkpoint_1`)).state;
        assertEquals((state["data_plan"] as { files: unknown[] }).files.map((f) => (f as string[])[0]), [
          "FC01/pod5/fc01.pod5",
          "FC02/pod5/fc02.pod5",
        ]);
      },
    },
  "deno task encode tests/fixtures/pod5/z1.pod5 -o /tmp/z1.tokens --ckpt checkpoints/quickstart/checkpoint_500": {
    // The quickstart run above (checkpoint_3 by now): its run folder stands for checkpoint_500.
    run: (args, { dir }) => Promise.resolve(mapArgs(args, dir)),
    check: async (out, { dir }) => {
      assertEquals(out.code, 0, out.stderr);
      assert(
        /bits\/sample: codes 0\.\d+, file 0\.\d+ \(nominal 0\.1500; input signal 6\.41\)/.test(out.stderr),
        out.stderr,
      );
      await using tokens = await TokenFileReader.open(`${dir}/z1.tokens`);
      assertEquals(tokens.readCount, 3);
    },
  },
  "deno task decode /tmp/z1.tokens -o /tmp/z1.pod5": {
    run: (args, { dir }) => Promise.resolve(mapArgs(args, dir)),
    check: async (out, { dir }) => {
      assertEquals(out.code, 0, out.stderr);
      assert(out.stderr.includes("(recorded in the token file; --ckpt overrides)"), out.stderr);
      assertEquals(await metadataOf(`${dir}/z1.pod5`), await metadataOf(fixture("z1.pod5")));
    },
  },
  "deno task inspect /tmp/z1.pod5 --jsonl": {
    run: (args, { dir }) => Promise.resolve(mapArgs(args, dir)),
    check: async (out) => {
      assertEquals(out.code, 0, out.stderr);
      const rows = out.stdout.trim().split("\n").map((line) => JSON.parse(line));
      const truth = await loadTruth("z1");
      assertEquals(
        rows.map((r) => [r.read_id, r.num_samples, r.channel]),
        truth.reads.map((r) => [r.read_id, r.len_raw_signal, r.channel]),
      );
    },
  },
  "deno task validate --pod5 tests/fixtures/pod5/z1.pod5 --ckpt checkpoints/quickstart/checkpoint_500 --out-dir /tmp/val":
    {
      run: (args, { dir }) => Promise.resolve([...mapArgs(args, dir), "--workers", "2"]),
      check: async (out, { dir }) => {
        assertEquals(out.code, 0, out.stderr);
        const report = JSON.parse(await Deno.readTextFile(`${dir}/val/report.json`));
        assertEquals(report.reads.length, 3);
        assert(typeof report.overall.pooled.snr_db === "number");
      },
    },
  "deno task encode /data/FC01 -o /data/FC01_tokens --ckpt runs/my_run --workers 4": {
    // A small flow cell folder (two copies of the 2,048-sample fixture) and the quickstart run above.
    run: async (args, { dir }) => {
      await Deno.mkdir(`${dir}/FC01_small/pass`, { recursive: true });
      for (const name of ["a.pod5", "pass/b.pod5"]) {
        await Deno.copyFile(
          fixture("dna_r10.4.1_e8.2_400bps_5khz-FLO_PRO114M-SQK_LSK114_XL-5000.pod5"),
          `${dir}/FC01_small/${name}`,
        );
      }
      return args.map((arg) =>
        arg === "/data/FC01"
          ? `${dir}/FC01_small`
          : arg === "/data/FC01_tokens"
          ? `${dir}/FC01_tokens`
          : arg === "runs/my_run"
          ? `${dir}/quickstart`
          : arg === "4"
          ? "2"
          : arg
      );
    },
    check: async (out, { dir }) => {
      assertEquals(out.code, 0, out.stderr);
      for (const name of ["a.tokens", "pass/b.tokens"]) {
        await using tokens = await TokenFileReader.open(`${dir}/FC01_tokens/${name}`);
        assertEquals(tokens.readCount, 1);
      }
    },
  },
  'deno task encode /data/FC01 -o /scratch/FC01_tokens --ckpt /models/my_run --shard "$SLURM_ARRAY_TASK_ID/16"': {
    skip: "a Slurm array job; tests/codec/shard_run_test.ts and tests/tasks/shards_test.ts run sharded encodes",
  },
  "kubectl apply -f deploy/k8s/encode-job.yaml": {
    skip: "needs a Kubernetes cluster; tests/deploy/encode_job_test.ts parses the Job and runs its commands' flags",
  },
  "deno task shards /scratch/FC01_tokens --count 16": {
    skip: "needs the 16 shards of the Slurm example; tests/tasks/shards_test.ts runs the shards task",
  },
  "snakemake -s workflow/Snakefile --cores 2 --config input=/data/FC01 ckpt=runs/my_run out=/data/FC01_out": {
    skip: "tests/workflow/snakefile_test.ts runs this workflow on the fixtures",
  },
  "snakemake -s workflow/Snakefile --profile workflow/profiles/slurm --config input=/data/FC01 ckpt=/models/my_run out=/scratch/FC01_out":
    { skip: "needs a Slurm cluster; tests/workflow/snakefile_test.ts dry-runs the profile" },
  'snakemake -s workflow/Snakefile --cores 8 --use-singularity --singularity-args "--nv -B /data" --config input=/data/FC01 ckpt=/data/models/my_run out=/data/FC01_out container=docker://IMAGE simvqgan=entrypoint.sh gpu=true':
    { skip: "needs Singularity, the image and a GPU" },
  "deno task serve --ckpt checkpoints/quickstart": {
    skip:
      "a server that runs until stopped; tests/serve/run_server_test.ts and tests/serve/serve_handler_test.ts start it and stop it",
  },
  "curl -s localhost:8080/healthz": {
    skip:
      "needs the running server; tests/serve/run_server_test.ts and tests/serve/serve_handler_test.ts send each endpoint's requests",
  },
  "curl -s --data-binary @tests/fixtures/pod5/z1.pod5 localhost:8080/v1/inspect": {
    skip: "needs the running server; the serve tests check inspect against the task",
  },
  "curl -s --data-binary @tests/fixtures/pod5/z1.pod5 'localhost:8080/v1/inspect?signal_sha256=1'": {
    skip: "needs the running server; the serve tests check it",
  },
  "curl -s --data-binary @tests/fixtures/pod5/z1.pod5 localhost:8080/v1/encode > /tmp/z1.served.tokens": {
    skip: "needs the running server; the serve tests compare its bytes with the encode task's",
  },
  "curl -s --data-binary @tests/fixtures/pod5/z1.pod5 'localhost:8080/v1/encode?codes=plain' > /tmp/z1.served.plain.tokens":
    {
      skip: "needs the running server; the serve tests check plain codes",
    },
  "curl -s --data-binary @/tmp/z1.served.tokens localhost:8080/v1/decode > /tmp/z1.served.pod5": {
    skip: "needs the running server; the serve tests compare its bytes with the decode task's",
  },
  "curl -s -D - -o /dev/null --data-binary @/tmp/z1.served.tokens localhost:8080/v1/decode": {
    skip: "needs the running server; the serve tests check the headers",
  },
  "deno task encode tests/fixtures/pod5/z1.pod5 -o /tmp/z1.task.tokens --ckpt checkpoints/quickstart": {
    skip: "the other half of the serve comparison; the encode commands above run the task",
  },
  "deno task decode /tmp/z1.task.tokens -o /tmp/z1.task.pod5": {
    skip: "the other half of the serve comparison; the decode command above runs the task",
  },
  "cmp /tmp/z1.served.tokens /tmp/z1.task.tokens && cmp /tmp/z1.served.pod5 /tmp/z1.task.pod5 && echo same": {
    skip: "needs the server's outputs; the serve tests make this comparison",
  },
  "SIMVQGAN_TOKEN=s3cret deno task serve --ckpt checkpoints/quickstart": {
    skip: "a server that runs until stopped; the serve tests check the token",
  },
  "curl -s -H 'Authorization: Bearer s3cret' --data-binary @tests/fixtures/pod5/z1.pod5 localhost:8080/v1/encode > /tmp/z1.served.tokens":
    { skip: "needs the running server; the serve tests check the bearer token" },
  "docker run -p 8080:8080 -v $PWD/checkpoints/quickstart:/ckpt -e SIMVQGAN_TOKEN=s3cret IMAGE serve --ckpt /ckpt --hostname 0.0.0.0":
    { skip: "needs Docker and a built image" },
  "docker build -t simvqgan:cuda .": { skip: "needs Docker and registry access" },
  "docker build --target cpu -t simvqgan:cpu .": {
    skip: "needs Docker; scripts/container-smoke.sh builds this target with buildah instead",
  },
  "podman build -t simvqgan:cuda .": { skip: "needs registry access for the CUDA base image" },
  "podman build --target cpu -t simvqgan:cpu .": {
    skip: "slow (minutes); scripts/container-smoke.sh builds this target",
  },
  'docker run --rm --gpus all -v /data/FC01:/data:ro -v "$PWD/runs:/out" -v simvqgan-cache:/cache simvqgan:cuda train --config configs/train_config.json --data-root /data --ckpt-dir /out/fc01':
    { skip: "needs Docker and an NVIDIA GPU" },
  'podman run --rm --device nvidia.com/gpu=all --userns=keep-id:uid=1000,gid=1000 -v /data/FC01:/data:ro -v "$PWD/runs:/out" -v simvqgan-cache:/cache simvqgan:cuda train --config configs/train_config.json --data-root /data --ckpt-dir /out/fc01':
    { skip: "needs an NVIDIA GPU and its container toolkit" },
  'docker run --rm --gpus all -v /data/FC01:/data:ro -v "$PWD/runs:/out" -v simvqgan-cache:/cache simvqgan:cuda encode /data -o /out/fc01-tokens --ckpt /out/fc01':
    { skip: "needs Docker and an NVIDIA GPU" },
  'docker run --rm -v /data/FC01:/data:ro -v "$PWD/runs:/out" simvqgan:cpu train --data-root /data --ckpt-dir /out/fc01':
    { skip: "needs Docker; scripts/container-smoke.sh runs the same job with buildah" },
  "deno install --frozen --node-modules-dir=auto --allow-scripts=npm:@tensorflow/tfjs-node-gpu": {
    skip: "downloads libtensorflow from storage.googleapis.com, which the test machines cannot reach",
  },
  "deno task train:gpu --config configs/train_config.json --data-root /data/FC01 --ckpt-dir runs/fc01": {
    skip: "needs tfjs-node-gpu and a GPU (tests/tasks/train_gpu_test.ts checks its refusal without them)",
  },
  "deno task inspect reads.pod5 --jsonl --signal-sha256 > reads.jsonl": {
    run: async (args, { dir }) => {
      await Deno.copyFile(fixture("z1.pod5"), `${dir}/reads.pod5`);
      return args.map((arg) => arg === "reads.pod5" ? `${dir}/reads.pod5` : arg);
    },
    check: async (out) => {
      assertEquals(out.code, 0, out.stderr);
      const rows = out.stdout.trim().split("\n").map((line) => JSON.parse(line));
      const truth = await loadTruth("z1");
      assertEquals(
        rows.map((r) => [r.read_id, r.signal_sha256]),
        truth.reads.map((r) => [r.read_id, r.signal.sha256_int16le]),
      );
    },
  },
  "deno task subset run.pod5 first100.pod5 --first 100": {
    run: async (args, { dir }) => {
      await Deno.copyFile(fixture("z1.pod5"), `${dir}/run.pod5`);
      return args.map((arg) => arg.endsWith(".pod5") ? `${dir}/${arg}` : arg);
    },
    check: async (out, { dir }) => {
      assertEquals(out.code, 0, out.stderr);
      await using subset = await Pod5Reader.open(`${dir}/first100.pod5`);
      assertEquals(subset.readIds(), (await loadTruth("z1")).reads.map((r) => r.read_id), "z1 has 3 reads");
    },
  },
  "deno task subset run.pod5 picked.pod5 --read-ids ids.txt": {
    run: async (args, { dir }) => {
      const picked = (await loadTruth("z1")).reads[1]!.read_id;
      await Deno.writeTextFile(`${dir}/ids.txt`, `${picked}\n`);
      return args.map((arg) => arg.endsWith(".pod5") || arg === "ids.txt" ? `${dir}/${arg}` : arg);
    },
    check: async (out, { dir }) => {
      assertEquals(out.code, 0, out.stderr);
      await using subset = await Pod5Reader.open(`${dir}/picked.pod5`);
      assertEquals(subset.readIds(), [(await loadTruth("z1")).reads[1]!.read_id]);
    },
  },
  "deno task convert fast5_dir/ -o converted.pod5": {
    // The bundled single-read FAST5 files stand in for the reader's folder.
    run: (args, { dir }) =>
      Promise.resolve(
        args.map((arg) => arg === "fast5_dir/" ? R94_DIR : arg.endsWith(".pod5") ? `${dir}/${arg}` : arg),
      ),
    check: async (out, { dir }) => {
      assertEquals(out.code, 0, out.stderr);
      await using converted = await Pod5Reader.open(`${dir}/converted.pod5`);
      assertEquals(converted.readCount, 4);
      assertEquals(converted.runInfos.map((run) => run.acquisitionId), ["0cc960b63c07619b4bf2917507d447479a21da66"]);
    },
  },
  "deno task degrade --bits 3 converted.pod5 -o converted_k3.pod5": {
    // Degrades what the convert command above wrote.
    run: (args, { dir }) => Promise.resolve(args.map((arg) => arg.endsWith(".pod5") ? `${dir}/${arg}` : arg)),
    check: async (out, { dir }) => {
      assertEquals(out.code, 0, out.stderr);
      await using degraded = await Pod5Reader.open(`${dir}/converted_k3.pod5`);
      let offGrid = 0, reads = 0;
      for await (const read of degraded.reads()) {
        reads++;
        for (const sample of read.signal()) if (sample % 8 !== 0) offGrid++;
      }
      assertEquals([reads, offGrid], [4, 0]);
    },
  },
};

/**
 * The commands of the fenced `sh` blocks of a Markdown text: continuation
 * lines joined, `# comments` and blank lines dropped.
 */
function shellCommands(markdown: string): string[] {
  const commands: string[] = [];
  let inBlock = false;
  let pending = "";
  for (const line of markdown.split("\n")) {
    const fence = /^```(\S*)/.exec(line.trim());
    if (fence !== null) {
      inBlock = !inBlock && fence[1] === "sh";
      continue;
    }
    if (!inBlock) continue;
    const text = line.replace(/(^|\s)#.*$/, "").trimEnd();
    if (text.endsWith("\\")) {
      pending += text.slice(0, -1).trim() + " ";
      continue;
    }
    const command = (pending + text.trim()).trim().replace(/\s+/g, " ");
    pending = "";
    if (command !== "") commands.push(command);
  }
  return commands;
}

/** The README's example paths mapped into the test's folder. */
function mapArgs(args: readonly string[], dir: string): string[] {
  return args.map((arg) =>
    arg === "checkpoints/quickstart/checkpoint_500"
      ? `${dir}/quickstart`
      : arg === "tests/fixtures/pod5/z1.pod5"
      ? fixture("z1.pod5")
      : arg.startsWith("/tmp/")
      ? `${dir}/${arg.slice("/tmp/".length)}`
      : arg
  );
}

async function metadataOf(path: string) {
  await using reader = await Pod5Reader.open(path);
  return reader.readMetadata();
}

/** `args` with `flag`'s value replaced, or the flag added. */
function withFlag(args: readonly string[], flag: string, value: string): string[] {
  const at = args.indexOf(flag);
  return at < 0 ? [...args, flag, value] : [...args.slice(0, at + 1), value, ...args.slice(at + 2)];
}

/** The deno task, its arguments, and the `> FILE` its stdout goes to, of a README command. */
function invocation(command: string): Invocation & { readonly stdoutTo: string | undefined } {
  const words = command.split(" ");
  const redirect = words.indexOf(">");
  const stdoutTo = redirect < 0 ? undefined : words[redirect + 1];
  const argv = redirect < 0 ? words : words.slice(0, redirect);
  if (argv[0] !== "deno" || argv[1] !== "task" || argv[2] === undefined) {
    throw new Error(`README command "${command}" is not a deno task: skip it with a reason`);
  }
  return { task: argv[2], args: argv.slice(3), stdoutTo };
}

Deno.test("shellCommands() joins continuation lines and drops comments", () => {
  const markdown = "text\n```sh\ndeno task a   # comment\n\ndocker run x \\\n  --y z\n```\n```json\n{}\n```\n";
  assertEquals(shellCommands(markdown), ["deno task a", "docker run x --y z"]);
});

Deno.test("README: every command of its sh blocks runs (or is skipped with a reason)", async (t) => {
  const commands = shellCommands(await Deno.readTextFile(README));
  const unknown = commands.filter((command) => !(command in COMMANDS));
  assertEquals(unknown, [], "README commands not covered by tests/readme_commands_test.ts: add them to COMMANDS");
  const stale = Object.keys(COMMANDS).filter((command) => !commands.includes(command));
  assertEquals(stale, [], "COMMANDS entries no longer in the README: remove them");
  await withTempDir(async (dir) => {
    for (const command of commands) {
      const plan = COMMANDS[command]!;
      if ("skip" in plan) {
        await t.step({ name: `${command} (skipped: ${plan.skip})`, ignore: true, fn: () => {} });
        continue;
      }
      await t.step(command, async () => {
        const { task, args, stdoutTo } = invocation(command);
        const output = await runTask(task, await plan.run(args, { dir }));
        if (stdoutTo !== undefined) await Deno.writeTextFile(`${dir}/${stdoutTo}`, output.stdout);
        await plan.check(output, { dir });
      });
    }
  }, "simvqgan_readme_");
});
