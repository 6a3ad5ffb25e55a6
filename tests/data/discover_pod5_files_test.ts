import { assertEquals, assertRejects, assertStringIncludes } from "../_assert.ts";
import { join } from "@std/path";
import { DataSourceError, discoverPod5Files } from "../../lib/data/mod.ts";

async function tree(files: readonly string[]): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "simvqgan_discover_" });
  for (const file of files) {
    const path = join(root, file);
    await Deno.mkdir(join(path, ".."), { recursive: true });
    await Deno.writeTextFile(path, "x");
  }
  return root;
}

Deno.test("discoverPod5Files() finds .pod5 files recursively, sorted, subdirs in the order given", async () => {
  const root = await tree([
    "FC02/pod5/b.pod5",
    "FC02/pod5/a.pod5",
    "FC01/pod5/z/deep.POD5",
    "FC01/pod5/y.pod5",
    "FC01/notes.txt",
    "top.pod5",
  ]);
  try {
    assertEquals(await discoverPod5Files({ root, subdirs: ["FC02/pod5", "FC01/pod5"] }), [
      join(root, "FC02/pod5/a.pod5"),
      join(root, "FC02/pod5/b.pod5"),
      join(root, "FC01/pod5/y.pod5"),
      join(root, "FC01/pod5/z/deep.POD5"),
    ]);
    const all = await discoverPod5Files({ root });
    assertEquals(all.length, 5);
    assertEquals(all, [...all].sort());
    // Overlapping subdirs list a file once.
    assertEquals((await discoverPod5Files({ root, subdirs: ["FC01", "FC01/pod5"] })).length, 2);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("discoverPod5Files() follows symbolic links without looping", async () => {
  const root = await tree(["data/a.pod5"]);
  try {
    await Deno.symlink(root, join(root, "data/loop"));
    await Deno.symlink(join(root, "missing.pod5"), join(root, "data/dangling.pod5"));
    assertEquals(await discoverPod5Files({ root, subdirs: ["data"] }), [join(root, "data/a.pod5")]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("discoverPod5Files() returns an explicit file list as given", async () => {
  const root = await tree(["b.pod5", "a.pod5"]);
  try {
    const files = [join(root, "b.pod5"), join(root, "a.pod5")];
    assertEquals(await discoverPod5Files({ root: "/nonexistent", files }), files);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("discoverPod5Files() rejecting a missing root, subdir or file, or no files, names the path", async () => {
  const root = await tree(["other/readme.txt"]);
  try {
    const missing = join(root, "nope");
    const noRoot = await assertRejects(() => discoverPod5Files({ root: missing }), DataSourceError, "no such file");
    assertEquals(noRoot.path, missing);
    assertStringIncludes(noRoot.message, missing);
    const noSubdir = await assertRejects(() => discoverPod5Files({ root, subdirs: ["FC09"] }), DataSourceError);
    assertEquals(noSubdir.path, join(root, "FC09"));
    const empty = await assertRejects(() => discoverPod5Files({ root }), DataSourceError, "no .pod5 files");
    assertEquals(empty.path, root);
    const noFile = await assertRejects(
      () => discoverPod5Files({ root, files: [join(root, "gone.pod5")] }),
      DataSourceError,
      "Cannot read data file",
    );
    assertEquals(noFile.path, join(root, "gone.pod5"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
