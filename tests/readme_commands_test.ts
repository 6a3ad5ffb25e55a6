/**
 * Every command in the README's fenced `sh` blocks runs here as written, in
 * README order, in one {@linkcode ReadmeWorld} (a temporary copy of the
 * checkout whose quickstart trains a tiny model in seconds, see
 * tests/_readme_world.ts), or is skipped with a reason; a command in neither
 * list fails the test, and so does an entry whose command is no longer in the
 * README.
 *
 * To add a README command: add its exact text (continuation lines joined,
 * the trailing `# comment` dropped) to {@linkcode COMMANDS} with either
 * `skip: "why"` (it needs something the suite cannot have: Docker, a GPU,
 * Dorado, a cluster, the network) or a `check` of what it must have done.
 * Commands that read the user's own files name them with placeholders
 * (`/data/FC01`): give `placeholders` (README path → a path in the world) and
 * a `setup` that puts the files there. A command that is slow even on the
 * world's tiny model (basecalling many reads) may get `cheapFlags` appended
 * (`--reads 2`; never paths). A command that runs until stopped (a server)
 * has `server: true`: it is started on a free port and stopped when the next
 * server starts or the test ends; the commands after it reach it at the
 * README's `localhost:8080`. Nothing else about a command changes.
 */
import { join } from "@std/path";
import { createHash } from "node:crypto";
import { assert, assertEquals } from "./_assert.ts";
import { type CommandOutput, README_PATH, ReadmeWorld, REPO_ROOT, shellCommands, TINY_MODEL } from "./_readme_world.ts";
import { TokenFileReader } from "../lib/codec/mod.ts";
import { Pod5Reader } from "../lib/pod5/mod.ts";
import { listCheckpoints, loadCheckpoint } from "../lib/checkpoint/checkpoint.ts";
import { DORADO_5KHZ, fixture, loadTruth } from "./pod5/_fixtures.ts";
import { R94_DIR } from "./fast5/_fast5_fixtures.ts";

/** How a README command is run and checked. */
type Plan =
  | { readonly skip: string }
  | {
    /** Put the files the command's placeholders name in place. */
    readonly setup?: (world: ReadmeWorld) => Promise<void>;
    /** README path → path in the world (relative to its root, or absolute). */
    readonly placeholders?: Readonly<Record<string, string>>;
    /** Flags appended to make the command cheap (never paths). */
    readonly cheapFlags?: readonly string[];
    /** The command runs until stopped: start it and go on. */
    readonly server?: true;
    /** What the command must have done. */
    readonly check: (output: CommandOutput, world: ReadmeWorld) => Promise<void> | void;
  };

const QUICKSTART = "checkpoints/quickstart";

const COMMANDS: Readonly<Record<string, Plan>> = {
  "deno task train": {
    check: async (out, world) => {
      assertEquals(out.code, 0, out.stderr);
      assertEquals(await steps(world, QUICKSTART), [1, 2]);
      assert(out.stdout.includes("held-out tails of trained reads"), out.stdout);
    },
  },
  "deno task test": { skip: "the whole suite, which runs this test" },
  "deno task bench serve --soak 600": {
    skip: "ten minutes on the quickstart checkpoint; tests/serve/serve_soak_test.ts runs a short soak",
  },
  "deno task train --resume auto --max-steps 1000": {
    // The world's quickstart has 3 steps an epoch and 2 epochs: the resume ends at step 6, keeping the last 2.
    check: async (out, world) => {
      assertEquals(out.code, 0, out.stderr);
      assert(out.stderr.includes(`resumed from ${world.path(QUICKSTART, "checkpoint_2")} at step 2`), out.stderr);
      assertEquals(await steps(world, QUICKSTART), [5, 6]);
    },
  },
  "deno task train --config configs/train_config.json --data-root /data/FC01 --ckpt-dir runs/fc01": {
    // A flow cell folder laid out as MinKNOW writes it, with z1 as its one POD5 file.
    setup: async (world) => {
      await Deno.mkdir(world.path("FC01/pod5"), { recursive: true });
      await Deno.copyFile(fixture("z1.pod5"), world.path("FC01/pod5/z1.pod5"));
    },
    placeholders: { "/data/FC01": "FC01" },
    check: async (out, world) => {
      assertEquals(out.code, 0, out.stderr);
      assertEquals(await dataPlanFiles(world.path("runs/fc01/checkpoint_1")), ["pod5/z1.pod5"]);
    },
  },
  "deno task train --config configs/train_config.json --data-root /data --subdirs FC01/pod5,FC02/pod5 --ckpt-dir runs/fc12":
    {
      // Three flow cells under one root; the command names two of them.
      setup: async (world) => {
        for (const cell of ["FC01", "FC02", "FC03"]) {
          await Deno.mkdir(world.path(`data/${cell}/pod5`), { recursive: true });
          await Deno.copyFile(fixture("z1.pod5"), world.path(`data/${cell}/pod5/${cell.toLowerCase()}.pod5`));
        }
      },
      placeholders: { "/data": "data" },
      check: async (out, world) => {
        assertEquals(out.code, 0, out.stderr);
        assertEquals(await dataPlanFiles(world.path("runs/fc12/checkpoint_1")), [
          "FC01/pod5/fc01.pod5",
          "FC02/pod5/fc02.pod5",
        ]);
      },
    },
  "deno task encode tests/fixtures/pod5/z1.pod5 -o /tmp/z1.tokens --ckpt checkpoints/quickstart": {
    check: async (out, world) => {
      assertEquals(out.code, 0, out.stderr);
      assert(
        /bits\/sample: codes 0\.\d+, file 0\.\d+ \(nominal 0\.1500; input signal 6\.41\)/.test(out.stderr),
        out.stderr,
      );
      await using tokens = await TokenFileReader.open(join(world.scratch, "z1.tokens"));
      assertEquals([tokens.readCount, tokens.header.checkpoint.path], [3, world.path(QUICKSTART, "checkpoint_6")]);
    },
  },
  "deno task decode /tmp/z1.tokens -o /tmp/z1.pod5": {
    check: async (out, world) => {
      assertEquals(out.code, 0, out.stderr);
      assert(out.stderr.includes("(recorded in the token file; --ckpt overrides)"), out.stderr);
      assertEquals(await metadataOf(join(world.scratch, "z1.pod5")), await metadataOf(fixture("z1.pod5")));
    },
  },
  "deno task inspect /tmp/z1.pod5 --jsonl": {
    check: async (out) => {
      assertEquals(out.code, 0, out.stderr);
      const truth = await loadTruth("z1");
      assertEquals(
        jsonLines(out.stdout).map((r) => [r["read_id"], r["num_samples"], r["channel"]]),
        truth.reads.map((r) => [r.read_id, r.len_raw_signal, r.channel]),
      );
    },
  },
  "deno task export --ckpt checkpoints/quickstart -o models": {
    check: async (out, world) => {
      assertEquals(out.code, 0, out.stderr);
      const sha = sha256(await Deno.readFile(world.path(QUICKSTART, "checkpoint_6", "generator.safetensors")));
      const path = world.path("models", `codec_${sha.slice(0, 16)}`);
      assertEquals(
        out.stderr,
        `exported ${world.path(QUICKSTART, "checkpoint_6")} (step 6, sha256 ${sha.slice(0, 12)}…) to ${path}`,
      );
      assertEquals(
        await Deno.readFile(join(path, "generator.safetensors")),
        await Deno.readFile(
          world.path(QUICKSTART, "checkpoint_6", "generator.safetensors"),
        ),
      );
    },
  },
  "deno task checkpoints": {
    // The quickstart's last two checkpoints; the newest encoded z1 above, so encode kept its codec in exports/.
    check: async (out, world) => {
      assertEquals(out.code, 0, out.stderr);
      const sha = (step: number) =>
        Deno.readFile(world.path(QUICKSTART, `checkpoint_${step}`, "generator.safetensors")).then(sha256);
      const [five, six] = [await sha(5), await sha(6)];
      const lines = out.stdout.trimEnd().split("\n");
      assertEquals(lines[0], "checkpoints/quickstart: 2 checkpoints");
      assert(/^ {2}checkpoint +step +held-out SNR +sample rate +generator sha256 +exported$/.test(lines[1]!), lines[1]);
      assert(
        new RegExp(`^  checkpoint_5     5  -?\\d+\\.\\d\\d dB \\(step 2\\)      5000 Hz  ${five.slice(0, 12)}…     no$`)
          .test(lines[2]!),
        lines[2],
      );
      assert(
        new RegExp(
          `^  checkpoint_6     6  +-?\\d+\\.\\d\\d dB      5000 Hz  ${six.slice(0, 12)}…     ` +
            `checkpoints/quickstart/exports/codec_${six.slice(0, 16)}$`,
        ).test(lines[3]!),
        lines[3],
      );
      assertEquals(lines.length, 4, out.stdout);
    },
  },
  "deno task decode /tmp/z1.tokens -o /tmp/z1.models.pod5 --ckpt models": {
    check: async (out, world) => {
      assertEquals(out.code, 0, out.stderr);
      assert(out.stderr.includes(`codec export ${world.path("models", "codec_")}`), out.stderr);
      assertEquals(
        await Deno.readFile(join(world.scratch, "z1.models.pod5")),
        await Deno.readFile(join(world.scratch, "z1.pod5")),
      );
    },
  },
  "deno task serve --ckpt checkpoints/quickstart": {
    server: true,
    check: (out, world) => {
      assert(out.stderr.includes(`checkpoint ${world.path(QUICKSTART, "checkpoint_6")}, step 6`), out.stderr);
      assert(out.stderr.includes("no token"), out.stderr);
    },
  },
  "curl -s localhost:8080/healthz": {
    check: async (out, world) => {
      assertEquals(out.code, 0, out.stderr);
      const health = JSON.parse(out.stdout);
      const generator = await Deno.readFile(world.path(QUICKSTART, "checkpoint_6", "generator.safetensors"));
      assertEquals([health.checkpoint.sha256, health.checkpoint.step], [sha256(generator), 6]);
    },
  },
  "curl -s --data-binary @tests/fixtures/pod5/z1.pod5 localhost:8080/v1/inspect": {
    check: async (out) => {
      assertEquals(out.code, 0, out.stderr);
      const truth = await loadTruth("z1");
      assertEquals(
        jsonLines(out.stdout).map((r) => [r["read_id"], r["num_samples"], r["median_before"]]),
        truth.reads.map((r) => [r.read_id, r.len_raw_signal, r.median_before]),
      );
    },
  },
  "curl -s --data-binary @tests/fixtures/pod5/z1.pod5 'localhost:8080/v1/inspect?signal_sha256=1'": {
    check: async (out) => {
      assertEquals(out.code, 0, out.stderr);
      const truth = await loadTruth("z1");
      assertEquals(
        jsonLines(out.stdout).map((r) => [r["read_id"], r["signal_sha256"]]),
        truth.reads.map((r) => [r.read_id, r.signal.sha256_int16le]),
      );
    },
  },
  "curl -s --data-binary @tests/fixtures/pod5/z1.pod5 localhost:8080/v1/encode > /tmp/z1.served.tokens": {
    check: async (out, world) => {
      assertEquals(out.code, 0, out.stderr);
      await using tokens = await TokenFileReader.open(join(world.scratch, "z1.served.tokens"));
      assertEquals([tokens.readCount, tokens.header.codesEncoding], [3, "packed"]);
    },
  },
  "curl -s --data-binary @tests/fixtures/pod5/z1.pod5 'localhost:8080/v1/encode?codes=plain' > /tmp/z1.served.plain.tokens":
    {
      check: async (out, world) => {
        assertEquals(out.code, 0, out.stderr);
        await using tokens = await TokenFileReader.open(join(world.scratch, "z1.served.plain.tokens"));
        assertEquals([tokens.readCount, tokens.header.codesEncoding], [3, "plain"]);
      },
    },
  "curl -s --data-binary @/tmp/z1.served.tokens localhost:8080/v1/decode > /tmp/z1.served.pod5": {
    check: async (out, world) => {
      assertEquals(out.code, 0, out.stderr);
      assertEquals(await metadataOf(join(world.scratch, "z1.served.pod5")), await metadataOf(fixture("z1.pod5")));
    },
  },
  "curl -s -D - -o /dev/null --data-binary @/tmp/z1.served.tokens localhost:8080/v1/decode": {
    check: (out) => {
      assertEquals(out.code, 0, out.stderr);
      assert(/^HTTP\/1\.1 200 /.test(out.stdout), out.stdout);
      assert(/^x-simvqgan-reads: 3\r?$/m.test(out.stdout), out.stdout);
    },
  },
  "deno task encode tests/fixtures/pod5/z1.pod5 -o /tmp/z1.task.tokens --ckpt checkpoints/quickstart": {
    check: (out) => assertEquals(out.code, 0, out.stderr),
  },
  "deno task decode /tmp/z1.task.tokens -o /tmp/z1.task.pod5": {
    check: (out) => assertEquals(out.code, 0, out.stderr),
  },
  "cmp /tmp/z1.served.tokens /tmp/z1.task.tokens && cmp /tmp/z1.served.pod5 /tmp/z1.task.pod5 && echo same": {
    check: (out) => assertEquals([out.code, out.stdout], [0, "same\n"], out.stderr),
  },
  "SIMVQGAN_TOKEN=s3cret deno task serve --ckpt checkpoints/quickstart": {
    server: true,
    check: (out) => assert(out.stderr.includes("listening on") && !out.stderr.includes("no token"), out.stderr),
  },
  "curl -s -H 'Authorization: Bearer s3cret' --data-binary @tests/fixtures/pod5/z1.pod5 localhost:8080/v1/encode > /tmp/z1.served.tokens":
    {
      check: async (out, world) => {
        assertEquals(out.code, 0, out.stderr);
        assertEquals(
          await Deno.readFile(join(world.scratch, "z1.served.tokens")),
          await Deno.readFile(join(world.scratch, "z1.task.tokens")),
        );
      },
    },
  "docker run -p 8080:8080 -v $PWD/checkpoints/quickstart:/ckpt -e SIMVQGAN_TOKEN=s3cret IMAGE serve --ckpt /ckpt --hostname 0.0.0.0":
    { skip: "needs Docker and a built image" },
  "deno task validate --pod5 tests/fixtures/pod5/z1.pod5 --ckpt checkpoints/quickstart --out-dir /tmp/val": {
    check: async (out, world) => {
      assertEquals(out.code, 0, out.stderr);
      const report = JSON.parse(await Deno.readTextFile(join(world.scratch, "val/report.json")));
      assertEquals([report.reads.length, report.checkpoint.step], [3, 6]);
      assert(typeof report.overall.pooled.snr_db === "number");
    },
  },
  "deno task encode /data/FC01 -o /data/FC01_tokens --ckpt runs/my_run --workers 4": {
    // A small flow cell folder (two copies of the 2,048-sample fixture); the quickstart run stands for the user's.
    setup: async (world) => {
      await Deno.mkdir(world.path("FC01_small/pass"), { recursive: true });
      for (const name of ["a.pod5", "pass/b.pod5"]) {
        await Deno.copyFile(fixture(DORADO_5KHZ), world.path("FC01_small", name));
      }
    },
    placeholders: { "/data/FC01": "FC01_small", "/data/FC01_tokens": "FC01_tokens", "runs/my_run": QUICKSTART },
    check: async (out, world) => {
      assertEquals(out.code, 0, out.stderr);
      for (const name of ["a.tokens", "pass/b.tokens"]) {
        await using tokens = await TokenFileReader.open(world.path("FC01_tokens", name));
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
    setup: (world) => Deno.copyFile(fixture("z1.pod5"), world.path("reads.pod5")),
    check: async (out, world) => {
      assertEquals(out.code, 0, out.stderr);
      const truth = await loadTruth("z1");
      assertEquals(
        jsonLines(await Deno.readTextFile(world.path("reads.jsonl"))).map((r) => [r["read_id"], r["signal_sha256"]]),
        truth.reads.map((r) => [r.read_id, r.signal.sha256_int16le]),
      );
    },
  },
  "deno task subset run.pod5 first100.pod5 --first 100": {
    setup: (world) => Deno.copyFile(fixture("z1.pod5"), world.path("run.pod5")),
    check: async (out, world) => {
      assertEquals(out.code, 0, out.stderr);
      await using subset = await Pod5Reader.open(world.path("first100.pod5"));
      assertEquals(subset.readIds(), (await loadTruth("z1")).reads.map((r) => r.read_id), "z1 has 3 reads");
    },
  },
  "deno task subset run.pod5 picked.pod5 --read-ids ids.txt": {
    setup: async (world) => {
      await Deno.writeTextFile(world.path("ids.txt"), `${(await loadTruth("z1")).reads[1]!.read_id}\n`);
    },
    check: async (out, world) => {
      assertEquals(out.code, 0, out.stderr);
      await using subset = await Pod5Reader.open(world.path("picked.pod5"));
      assertEquals(subset.readIds(), [(await loadTruth("z1")).reads[1]!.read_id]);
    },
  },
  "deno task convert fast5_dir/ -o converted.pod5": {
    // The bundled single-read FAST5 files are the reader's folder.
    setup: (world) => Deno.symlink(R94_DIR, world.path("fast5_dir")),
    check: async (out, world) => {
      assertEquals(out.code, 0, out.stderr);
      await using converted = await Pod5Reader.open(world.path("converted.pod5"));
      assertEquals(converted.readCount, 4);
      assertEquals(converted.runInfos.map((run) => run.acquisitionId), ["0cc960b63c07619b4bf2917507d447479a21da66"]);
    },
  },
  "deno task degrade --bits 3 converted.pod5 -o converted_k3.pod5": {
    // Degrades what the convert command above wrote.
    check: async (out, world) => {
      assertEquals(out.code, 0, out.stderr);
      await using degraded = await Pod5Reader.open(world.path("converted_k3.pod5"));
      let offGrid = 0, reads = 0;
      for await (const read of degraded.reads()) {
        reads++;
        for (const sample of read.signal()) if (sample % 8 !== 0) offGrid++;
      }
      assertEquals([reads, offGrid], [4, 0]);
    },
  },
};

async function steps(world: ReadmeWorld, run: string): Promise<number[]> {
  return (await listCheckpoints(world.path(run))).map((c) => c.step);
}

async function dataPlanFiles(checkpoint: string): Promise<string[]> {
  const state = (await loadCheckpoint(checkpoint)).state;
  return (state["data_plan"] as { files: string[][] }).files.map((f) => f[0]!);
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text.trim().split("\n").map((line) => JSON.parse(line));
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function metadataOf(path: string) {
  await using reader = await Pod5Reader.open(path);
  return reader.readMetadata();
}

Deno.test("shellCommands() joins continuation lines and drops comments", () => {
  const markdown = "text\n```sh\ndeno task a   # comment\n\ndocker run x \\\n  --y z\n```\n```json\n{}\n```\n";
  assertEquals(shellCommands(markdown), ["deno task a", "docker run x --y z"]);
});

Deno.test("ReadmeWorld.mapped() gives /tmp/, the server's port and placeholders the world's paths, and nothing else", async () => {
  await using world = await ReadmeWorld.create();
  // The world's quickstart: the real one's data, holdout and folder, with the tiny model and budget.
  const real = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, "configs", "quickstart.json")));
  const cheap = JSON.parse(await Deno.readTextFile(world.path("configs", "quickstart.json")));
  assertEquals([cheap.model, cheap.data.files, cheap.data.holdout_fraction], [TINY_MODEL, real.data.files, 0.1]);
  assertEquals([cheap.checkpoint, cheap.train.keep_last, cheap.train.max_steps], [real.checkpoint, 2, 2]);
  assertEquals(
    world.mapped("deno task encode /data/FC01 -o /data/FC01_tokens --ckpt runs/my_run @/tmp/a x/tmp/b", {
      placeholders: { "/data/FC01": "FC01", "/data/FC01_tokens": "out", "runs/my_run": "checkpoints/q" },
    }),
    `deno task encode FC01 -o out --ckpt checkpoints/q @${world.scratch}/a x/tmp/b`,
  );
  assertEquals(
    world.mapped("deno task inspect a.pod5 --jsonl > /tmp/a.jsonl", { cheapFlags: ["--signal-sha256"] }),
    `deno task inspect a.pod5 --jsonl '--signal-sha256' > ${world.scratch}/a.jsonl`,
  );
});

Deno.test("README: every command of its sh blocks runs as written (or is skipped with a reason)", async (t) => {
  const commands = shellCommands(await Deno.readTextFile(README_PATH));
  const unknown = commands.filter((command) => !(command in COMMANDS));
  assertEquals(unknown, [], "README commands not covered by tests/readme_commands_test.ts: add them to COMMANDS");
  const stale = Object.keys(COMMANDS).filter((command) => !commands.includes(command));
  assertEquals(stale, [], "COMMANDS entries no longer in the README: remove them");
  await using world = await ReadmeWorld.create();
  for (const command of commands) {
    const plan = COMMANDS[command]!;
    if ("skip" in plan) {
      await t.step({ name: `${command} (skipped: ${plan.skip})`, ignore: true, fn: () => {} });
      continue;
    }
    const passed = await t.step(command, async () => {
      await plan.setup?.(world);
      const options = {
        ...(plan.placeholders === undefined ? {} : { placeholders: plan.placeholders }),
        ...(plan.cheapFlags === undefined ? {} : { cheapFlags: plan.cheapFlags }),
      };
      if (plan.server === true && world.serving) await world.stopServer();
      const output = plan.server === true
        ? await world.startServer(command, options)
        : await world.run(command, options);
      await plan.check(output, world);
    });
    if (!passed) break; // Later commands build on this one's outputs.
  }
});
