import { fromFileUrl } from "@std/path";
import { parse as parseYaml } from "@std/yaml";
import { z } from "zod";
import { parseFileTaskFlags } from "../../lib/runtime/file_task_flags.ts";
import { assert, assertEquals } from "../_assert.ts";

const JOB_FILE = fromFileUrl(new URL("../../deploy/k8s/encode-job.yaml", import.meta.url));

/** The parts of a Kubernetes Job the checks read (the rest passes through). */
const JOB = z.object({
  apiVersion: z.literal("batch/v1"),
  kind: z.literal("Job"),
  spec: z.object({
    completionMode: z.literal("Indexed"),
    completions: z.number().int().positive(),
    parallelism: z.number().int().positive(),
    template: z.object({
      spec: z.object({
        restartPolicy: z.enum(["Never", "OnFailure"]),
        containers: z.array(z.object({
          name: z.string(),
          image: z.string(),
          command: z.array(z.string()).optional(),
          args: z.array(z.string()),
          env: z.array(z.object({
            name: z.string(),
            valueFrom: z.object({ fieldRef: z.object({ fieldPath: z.string() }) }).optional(),
          })).optional(),
          resources: z.object({ limits: z.record(z.string(), z.union([z.string(), z.number()])) }),
          volumeMounts: z.array(
            z.object({ name: z.string(), mountPath: z.string(), readOnly: z.boolean().optional() }),
          ),
        })).length(1),
        volumes: z.array(z.object({ name: z.string() })),
      }),
    }),
  }),
});

async function loadJob(): Promise<z.infer<typeof JOB>> {
  const document: unknown = parseYaml(await Deno.readTextFile(JOB_FILE));
  return JOB.parse(document);
}

/** Kubernetes' `$(VAR)` expansion of container args. */
function expand(args: readonly string[], env: Readonly<Record<string, string>>): string[] {
  return args.map((arg) => arg.replace(/\$\((\w+)\)/g, (whole, name: string) => env[name] ?? whole));
}

Deno.test("deploy/k8s/encode-job.yaml shards the encode by JOB_COMPLETION_INDEX over N = completions", async () => {
  const job = await loadJob();
  const [container] = job.spec.template.spec.containers;
  const args = container!.args;
  assertEquals(container!.command, undefined, "the image's entrypoint runs the task");
  assertEquals(args[0], "encode");
  const shard = args[args.indexOf("--shard") + 1];
  assertEquals(shard, `$(JOB_COMPLETION_INDEX)/${job.spec.completions}`);
  assert(job.spec.parallelism <= job.spec.completions);
  // The index comes from the Job controller's annotation.
  const index = container!.env?.find((e) => e.name === "JOB_COMPLETION_INDEX");
  assertEquals(
    index?.valueFrom?.fieldRef.fieldPath,
    "metadata.annotations['batch.kubernetes.io/job-completion-index']",
  );
  // Every pod's expanded command is a valid encode command line for its own shard.
  for (let i = 0; i < job.spec.completions; i++) {
    const flags = parseFileTaskFlags(expand(args.slice(1), { JOB_COMPLETION_INDEX: String(i) }), {});
    assertEquals(flags.shard, { index: i, count: job.spec.completions });
    assertEquals([flags.input, flags.output, flags.ckpt], ["/data", "/out/tokens", "/ckpt"]);
  }
});

Deno.test("deploy/k8s/encode-job.yaml asks for a GPU and mounts input, checkpoint, output and cache volumes", async () => {
  const job = await loadJob();
  const { containers, volumes } = job.spec.template.spec;
  const container = containers[0]!;
  assertEquals(container.resources.limits["nvidia.com/gpu"], 1);
  const mounts = new Map(container.volumeMounts.map((m) => [m.mountPath, m]));
  for (const path of ["/data", "/ckpt", "/out", "/cache"]) assert(mounts.has(path), `nothing mounted at ${path}`);
  assertEquals([mounts.get("/data")!.readOnly, mounts.get("/ckpt")!.readOnly], [true, true]);
  assertEquals(
    container.volumeMounts.map((m) => m.name).sort(),
    volumes.map((v) => v.name).sort(),
    "every mount has its volume",
  );
  // The paths in the command are on those mounts.
  for (const path of ["/data", "/out/tokens", "/ckpt"]) {
    assert([...mounts.keys()].some((m) => path === m || path.startsWith(`${m}/`)), `${path} is on no volume`);
  }
});
