/**
 * The shape of `lib/` (issue 20): its import graph has no cycle, inference
 * (`lib/codec`, `lib/serve`, `lib/validate`) imports no training code, and
 * no function in `lib/codec`, `lib/validate`, `lib/serve` or `lib/train` is
 * over 80 lines. The graph comes from `deno info` and the function sizes
 * from `deno lint`'s parser (the rule in `scripts/lint_plugin.ts`), not from
 * this project's code.
 */
import { join, relative, toFileUrl } from "@std/path";
import { assert, assertEquals } from "./_assert.ts";
import { withTempDir } from "./_temp_dir.ts";
import { FUNCTION_LINES_FOLDERS, MAX_FUNCTION_LINES } from "../scripts/lint_plugin.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const CONFIG = join(ROOT, "deno.json");

async function libFiles(dir = join(ROOT, "lib")): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...await libFiles(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

async function run(args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "piped" }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert(out.success || stdout.startsWith("{"), new TextDecoder().decode(out.stderr));
  return stdout;
}

/** Every static import (code or type) between files of `lib/`, by file relative to the repository. */
async function importGraph(): Promise<Map<string, Set<string>>> {
  return await withTempDirResult(async (dir) => {
    const entry = join(dir, "all.ts");
    const files = await libFiles();
    await Deno.writeTextFile(entry, files.map((f) => `import "${toFileUrl(f).href}";\n`).join(""));
    const info = JSON.parse(await run(["info", "--json", "--config", CONFIG, entry]));
    const graph = new Map<string, Set<string>>();
    const lib = toFileUrl(join(ROOT, "lib")).href + "/";
    const name = (url: string) => relative(ROOT, new URL(url).pathname);
    for (const module of info.modules as { specifier: string; dependencies?: Dependency[] }[]) {
      if (!module.specifier.startsWith(lib)) continue;
      const targets = new Set<string>();
      for (const dependency of module.dependencies ?? []) {
        for (const target of [dependency.code?.specifier, dependency.type?.specifier]) {
          if (target?.startsWith(lib) === true) targets.add(name(target));
        }
      }
      graph.set(name(module.specifier), targets);
    }
    assertEquals(graph.size, files.length, "deno info saw every file of lib/");
    return graph;
  });
}

interface Dependency {
  readonly code?: { readonly specifier: string };
  readonly type?: { readonly specifier: string };
}

async function withTempDirResult<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await withTempDir(async (dir) => {
    result = await fn(dir);
  });
  return result as T;
}

/** The import cycles of `graph` (Tarjan's strongly connected components of more than one file, or a self-import). */
function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [];
  const onStack = new Set<string>(), found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node)!, index.get(target)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.has(node) === true) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

Deno.test("cycles() finds a cycle of three files and a self-import, and none in a tree", () => {
  const graph = new Map([
    ["a", new Set(["b"])],
    ["b", new Set(["c", "d"])],
    ["c", new Set(["a"])],
    ["d", new Set(["d"])],
    ["e", new Set(["a"])],
  ]);
  assertEquals(cycles(graph).map((c) => c.join(" ")).sort(), ["a b c", "d"]);
  assertEquals(cycles(new Map([["a", new Set(["b", "c"])], ["b", new Set(["c"])], ["c", new Set()]])), []);
});

Deno.test("lib/ imports form no cycle, and lib/codec, lib/serve and lib/validate import nothing of lib/train", async () => {
  const graph = await importGraph();
  assertEquals(cycles(graph), []);
  const inference = ["lib/codec/", "lib/serve/", "lib/validate/"];
  const wrong: string[] = [];
  for (const [file, targets] of graph) {
    if (!inference.some((area) => file.startsWith(area))) continue;
    for (const target of targets) if (target.startsWith("lib/train/")) wrong.push(`${file} -> ${target}`);
  }
  assertEquals(wrong, []);
  // The checkpoint layer sits below training: it needs nothing of it either.
  assertEquals(
    [...graph].filter(([f, t]) => f.startsWith("lib/checkpoint/") && [...t].some((x) => x.startsWith("lib/train/"))),
    [],
  );
});

async function longFunctions(paths: string[]): Promise<string[]> {
  const report = JSON.parse(await run(["lint", "--json", "--config", CONFIG, ...paths]));
  return (report.diagnostics as {
    filename: string;
    code: string;
    message: string;
    range: { start: { line: number } };
  }[])
    .filter((d) => d.code === "simvqgan/max-function-lines")
    .map((d) => `${relative(ROOT, new URL(d.filename).pathname)}:${d.range.start.line}: ${d.message}`);
}

Deno.test(`no function in ${FUNCTION_LINES_FOLDERS.join(", ")} is over ${MAX_FUNCTION_LINES} lines`, async () => {
  assertEquals(await longFunctions(FUNCTION_LINES_FOLDERS.map((folder) => join(ROOT, folder))), []);
});

Deno.test("the max-function-lines rule flags a function of 81 lines in lib/codec, not one of 80, nor one elsewhere", async () => {
  await withTempDir(async (dir) => {
    const write = async (path: string, lines: number) => {
      const body = Array.from({ length: lines - 3 }, (_, i) => `  x += ${i};`).join("\n");
      await Deno.mkdir(join(dir, path, ".."), { recursive: true });
      await Deno.writeTextFile(join(dir, path), `export const f = (): number => {\n  let x = 0;\n${body}\n};\n`);
    };
    await write("lib/codec/long.ts", 81);
    await write("lib/codec/fits.ts", 80);
    await write("lib/model/long.ts", 81);
    const found = await longFunctions([join(dir, "lib")]);
    assertEquals(found.length, 1, found.join("\n"));
    assert(
      found[0]!.endsWith("lib/codec/long.ts:1: This function has 81 lines, more than 80: split it into named stages"),
    );
  });
});
