import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { Codec } from "../../lib/model/codec.ts";
import { kernelPlanFor } from "../../lib/model/kernel_plan.ts";
import { parseConfig } from "../../lib/runtime/config.ts";
import { Rng } from "../../lib/runtime/rng.ts";
import { decodeSafetensors, encodeSafetensors, type Tensor } from "../../lib/checkpoint/safetensors.ts";
import { withTempDir } from "../_temp_dir.ts";
import { makeTinyCheckpoint } from "../codec/_tiny_checkpoint.ts";
import { tinyConfig } from "../train/_tiny_config.ts";

const sample = (): Map<string, Tensor> =>
  new Map<string, Tensor>([
    ["encoder/conv_in/kernel", { shape: [3, 1, 32], data: Float32Array.from({ length: 96 }, (_, i) => i / 7) }],
    ["scalar", { shape: [], data: Float32Array.of(-2.5) }],
    ["counts", { shape: [2, 3], data: Uint32Array.of(0, 1, 2, 3, 4, 4294967295) }],
    ["empty", { shape: [0, 4], data: new Float32Array(0) }],
  ]);

Deno.test("encodeSafetensors() round-trips F32 and U32 tensors, scalars, empty tensors and metadata", () => {
  const bytes = encodeSafetensors(sample(), { format: "pt", step: "7" });
  const back = decodeSafetensors(bytes);
  assertEquals(back.metadata, { format: "pt", step: "7" });
  assertEquals([...back.tensors.keys()].sort(), [...sample().keys()].sort());
  for (const [name, tensor] of sample()) assertEquals(back.tensors.get(name), tensor);
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assertEquals((8 + headerLength) % 8, 0, "tensor data starts 8-aligned");
});

Deno.test("decodeSafetensors() rejecting malformed files", () => {
  const good = encodeSafetensors(sample());
  assertThrows(() => decodeSafetensors(good.subarray(0, 4)), RangeError, "too short");
  assertThrows(() => decodeSafetensors(good.subarray(0, 40)), RangeError, "does not fit");
  assertThrows(() => decodeSafetensors(good.subarray(0, good.length - 4)), RangeError, "does not match");
  const bad = good.slice();
  bad[9] = 0x7b; // "{{" is not JSON
  bad[8] = 0x7b;
  assertThrows(() => decodeSafetensors(bad), RangeError, "not valid JSON");
  assertThrows(
    () => encodeSafetensors(new Map([["x", { shape: [3], data: new Float32Array(2) }]])),
    RangeError,
    "needs 3 values",
  );
});

async function pythonHasNumpy(): Promise<boolean> {
  try {
    const out = await new Deno.Command("python3", { args: ["-c", "import numpy"], stderr: "null" }).output();
    return out.success;
  } catch {
    return false;
  }
}

// numpy is the independent reader; without it these tests fail unless SIMVQGAN_SKIP_NUMPY=1 (CI never sets it).
const SKIP_NUMPY = Deno.env.get("SIMVQGAN_SKIP_NUMPY") === "1";
const NUMPY = SKIP_NUMPY || await pythonHasNumpy();

/** Parse a safetensors file with numpy; returns every tensor as nested lists plus `__metadata__`. */
async function readWithNumpy(path: string): Promise<Record<string, unknown>> {
  if (!NUMPY) {
    throw new Error("python3 with numpy is needed (apt-get install python3-numpy); SIMVQGAN_SKIP_NUMPY=1 skips");
  }
  const script = `
import json, struct, sys, numpy as np
raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n])
out = {}
for name, e in header.items():
    if name == "__metadata__":
        out[name] = e
        continue
    a, b = e["data_offsets"]
    dtype = {"F32": "<f4", "U32": "<u4"}[e["dtype"]]
    out[name] = np.frombuffer(raw[8 + n + a:8 + n + b], dtype=dtype).reshape(e["shape"]).tolist()
print(json.dumps(out))`;
  const result = await new Deno.Command("python3", { args: ["-c", script, path], stderr: "piped" }).output();
  assert(result.success, new TextDecoder().decode(result.stderr));
  return JSON.parse(new TextDecoder().decode(result.stdout));
}

Deno.test({
  name: "encodeSafetensors() output reads back with an independent Python/numpy parser",
  ignore: SKIP_NUMPY,
  async fn() {
    await withTempDir(async (dir) => {
      await Deno.writeFile(`${dir}/t.safetensors`, encodeSafetensors(sample(), { note: "x" }));
      const parsed = await readWithNumpy(`${dir}/t.safetensors`);
      assertEquals(parsed["__metadata__"], { note: "x" });
      assertEquals(parsed["scalar"], -2.5);
      assertEquals(parsed["counts"], [[0, 1, 2], [3, 4, 4294967295]]);
      assertEquals(parsed["empty"], []);
      assertEquals(
        (parsed["encoder/conv_in/kernel"] as number[][][]).flat(2),
        Array.from(sample().get("encoder/conv_in/kernel")!.data),
      );
    });
  },
});

Deno.test({
  name: "a checkpoint's generator.safetensors holds conv kernels [kernel, in, out] as numpy reads them",
  ignore: SKIP_NUMPY,
  async fn() {
    await withTempDir(async (dir) => {
      const ckpt = await makeTinyCheckpoint(dir, { seed: 3 });
      const parsed = await readWithNumpy(`${ckpt}/generator.safetensors`);
      // The tiny model's convs with in ≠ out, written out from its config (tests/train/_tiny_config.ts).
      const expected: Record<string, [number, number, number]> = {
        "encoder/conv_in/kernel": [3, 1, 4],
        "encoder/stage_0/block_0/conv1/kernel": [3, 4, 8],
        "encoder/stage_0/block_0/shortcut/kernel": [3, 4, 8],
        "decoder/stage_0/shuffle/kernel": [3, 8, 40],
        "decoder/stage_1/shuffle/kernel": [3, 8, 16],
        "decoder/to_signal/kernel": [3, 4, 1],
      };
      const codec = new Codec(parseConfig(tinyConfig(dir)).model, {
        rng: Rng.fromSeed(3),
        plan: kernelPlanFor("wasm"),
        outputActivation: "linear",
      });
      const weights = await codec.exportParams();
      codec.dispose();
      for (const [name, [k, cin, cout]] of Object.entries(expected)) {
        const a = parsed[name] as number[][][];
        assertEquals([a.length, a[0]!.length, a[0]![0]!.length], [k, cin, cout], name);
        // numpy's a[j][c][o] is tap j from input channel c to output channel o.
        const data = weights.get(name)!.data;
        for (let j = 0; j < k; j++) {
          for (let c = 0; c < cin; c++) {
            for (let o = 0; o < cout; o++) assertEquals(a[j]![c]![o], data[(j * cin + c) * cout + o], name);
          }
        }
      }
    });
  },
});
