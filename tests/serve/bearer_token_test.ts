import { BearerToken } from "../../lib/serve/bearer_token.ts";
import { assertEquals, assertThrows } from "../_assert.ts";

Deno.test("BearerToken accepts only Bearer <the token>", () => {
  const token = new BearerToken("s3cret-Token");
  const cases: [string | null, boolean][] = [
    ["Bearer s3cret-Token", true],
    ["bearer s3cret-Token", true],
    ["BEARER \t s3cret-Token ", true],
    ["Bearer s3cret-token", false],
    ["Bearer s3cret-Toke", false],
    ["Bearer s3cret-Token2", false],
    ["Bearer ", false],
    ["Bearer", false],
    ["s3cret-Token", false],
    ["Basic s3cret-Token", false],
    ["Bearer s3cret-Token extra", false],
    ["", false],
    [null, false],
  ];
  for (const [header, accepted] of cases) assertEquals(token.accepts(header), accepted, String(header));
});

Deno.test("BearerToken refusing an empty token", () => {
  assertThrows(() => new BearerToken(""), RangeError, "Cannot use an empty bearer token");
});
