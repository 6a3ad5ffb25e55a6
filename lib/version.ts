/**
 * The library version, from deno.json (one source of truth).
 *
 * @module
 */
import denoJson from "../deno.json" with { type: "json" };

/** This library's version ("X.Y.Z"), as published. */
export const VERSION: string = denoJson.version;
