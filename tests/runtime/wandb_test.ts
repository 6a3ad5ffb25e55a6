import { assert, assertNotEquals, assertStringIncludes } from "../_assert.ts";
import { startWandb } from "../../lib/runtime/wandb.ts";

Deno.test({
  name: "startWandb() without WANDB_API_KEY returns one warning instead of failing",
  permissions: { env: true, read: true, net: false },
}, async () => {
  const saved = Deno.env.get("WANDB_API_KEY");
  Deno.env.delete("WANDB_API_KEY");
  try {
    const started = await startWandb({ project: "p", config: {} });
    assert("warning" in started);
    assertStringIncludes(started.warning, "WANDB_API_KEY is not set");
  } finally {
    if (saved !== undefined) Deno.env.set("WANDB_API_KEY", saved);
  }
});

// The test itself holds no network permission, whatever the runner was given, so a real key can never leave.
Deno.test({
  name: "startWandb() without network permission says which task to run",
  permissions: { env: true, read: true, net: false },
}, async () => {
  assertNotEquals((await Deno.permissions.query({ name: "net", host: "api.wandb.ai" })).state, "granted");
  const saved = Deno.env.get("WANDB_API_KEY");
  Deno.env.set("WANDB_API_KEY", "0123456789abcdef0123456789abcdef01234567");
  try {
    const started = await startWandb({ project: "p", config: {} });
    assert("warning" in started);
    assertStringIncludes(started.warning, "deno task train:wandb");
  } finally {
    if (saved === undefined) Deno.env.delete("WANDB_API_KEY");
    else Deno.env.set("WANDB_API_KEY", saved);
  }
});
