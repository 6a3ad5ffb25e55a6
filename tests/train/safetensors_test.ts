import { assertEquals, assertThrows } from "../_assert.ts";
import { decodeSafetensors, encodeSafetensors, type Tensor } from "../../lib/train/safetensors.ts";

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

Deno.test({
  name: "encodeSafetensors() output reads back with an independent Python/numpy parser",
  ignore: !(await pythonHasNumpy()),
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeFile(`${dir}/t.safetensors`, encodeSafetensors(sample(), { note: "x" }));
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
      const result = await new Deno.Command("python3", { args: ["-c", script, `${dir}/t.safetensors`] }).output();
      const parsed = JSON.parse(new TextDecoder().decode(result.stdout));
      assertEquals(parsed["__metadata__"], { note: "x" });
      assertEquals(parsed["scalar"], -2.5);
      assertEquals(parsed["counts"], [[0, 1, 2], [3, 4, 4294967295]]);
      assertEquals(parsed["empty"], []);
      assertEquals(parsed["encoder/conv_in/kernel"].flat(2), Array.from(sample().get("encoder/conv_in/kernel")!.data));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
