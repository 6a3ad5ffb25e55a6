/**
 * The Dockerfile's targets, read as a builder reads them: which base images a
 * target needs (its stage, the stages it is built FROM and COPYs --from, and
 * theirs), with the global ARG defaults, and no build arguments given.
 */
import { fromFileUrl } from "@std/path";
import { assert, assertEquals } from "../_assert.ts";

const DOCKERFILE = fromFileUrl(new URL("../../Dockerfile", import.meta.url));

interface Stage {
  readonly name: string;
  readonly from: string;
  /** Stages or images named by `COPY --from=`. */
  readonly copiesFrom: string[];
  /** The instructions, continuation lines joined. */
  readonly instructions: string[];
}

interface Dockerfile {
  readonly args: ReadonlyMap<string, string>;
  readonly stages: readonly Stage[];
}

function parseDockerfile(text: string): Dockerfile {
  const joined = text.replace(/\\\n/g, " ").split("\n").map((line) => line.trim());
  const instructions = joined.filter((line) => line !== "" && !line.startsWith("#"));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of instructions) {
    const [keyword = "", ...rest] = line.split(/\s+/);
    const upper = keyword.toUpperCase();
    const current = stages.at(-1);
    if (upper === "ARG" && current === undefined) {
      const [name = "", value = ""] = rest.join(" ").split("=", 2);
      args.set(name, value);
    } else if (upper === "FROM") {
      const image = rest[0] ?? "";
      const as = rest.findIndex((word) => word.toUpperCase() === "AS");
      const from = image.replace(/\$\{(\w+)\}/g, (_, name: string) => args.get(name) ?? "");
      stages.push({
        name: as >= 0 ? rest[as + 1] ?? "" : String(stages.length),
        from,
        copiesFrom: [],
        instructions: [],
      });
    } else if (current !== undefined) {
      current.instructions.push(line);
      const copyFrom = /^COPY\s+--from=(\S+)/i.exec(line);
      if (copyFrom !== null) current.copiesFrom.push(copyFrom[1]!);
    }
  }
  return { args, stages };
}

/** The external images building `target` pulls, in the order first needed. */
function baseImages(dockerfile: Dockerfile, target: string): string[] {
  const byName = new Map(dockerfile.stages.map((stage) => [stage.name, stage]));
  const images: string[] = [];
  const visit = (name: string) => {
    const stage = byName.get(name);
    if (stage === undefined) {
      if (!images.includes(name)) images.push(name);
      return;
    }
    visit(stage.from);
    for (const source of stage.copiesFrom) visit(source);
  };
  visit(target);
  return images;
}

/** The instructions in effect for `target`: its own, after those of the stages it is built FROM. */
function inherited(dockerfile: Dockerfile, target: string): string[] {
  const stage = dockerfile.stages.find((candidate) => candidate.name === target);
  if (stage === undefined) return [];
  return [...inherited(dockerfile, stage.from), ...stage.instructions];
}

/** The image's last USER and ENTRYPOINT. */
function runsAs(dockerfile: Dockerfile, target: string): { user: string | undefined; entrypoint: string | undefined } {
  const lines = inherited(dockerfile, target);
  const last = (keyword: string) =>
    lines.filter((line) => line.startsWith(`${keyword} `)).at(-1)?.slice(keyword.length + 1);
  return { user: last("USER"), entrypoint: last("ENTRYPOINT") };
}

Deno.test("Dockerfile: `--target cpu` builds on Debian with no build argument, and never needs the CUDA image", async () => {
  const dockerfile = parseDockerfile(await Deno.readTextFile(DOCKERFILE));
  assertEquals(baseImages(dockerfile, "cpu"), ["debian:bookworm-slim"]);
  assertEquals(runsAs(dockerfile, "cpu"), { user: "simvqgan", entrypoint: '["entrypoint.sh"]' });
});

Deno.test("Dockerfile: the default target is cuda, on the digest-pinned CUDA 11.8 image", async () => {
  const dockerfile = parseDockerfile(await Deno.readTextFile(DOCKERFILE));
  const last = dockerfile.stages.at(-1);
  assert(last !== undefined);
  assertEquals(last.name, "cuda");
  const images = baseImages(dockerfile, "cuda");
  const cuda = images.filter((image) => image.startsWith("nvidia/cuda:"));
  assertEquals(cuda.length, 1, images.join(", "));
  assert(/^nvidia\/cuda:11\.8\.0-cudnn8-runtime-ubuntu22\.04@sha256:[0-9a-f]{64}$/.test(cuda[0]!), cuda[0]);
  assertEquals(runsAs(dockerfile, "cuda"), { user: "simvqgan", entrypoint: '["entrypoint.sh"]' });
});
