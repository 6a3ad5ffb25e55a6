/**
 * A token file's header ↔ its schema metadata (`simvqgan.*` keys), checked
 * with zod when read so that a foreign or damaged file fails with the key
 * that is wrong.
 *
 * @module
 */
import { z } from "zod";
import { configSchema } from "../runtime/config_schema.ts";
import { VERSION } from "../version.ts";
import { META, TOKEN_FORMAT } from "./_token_schema.ts";
import { TAIL_STRATEGIES, type TokenFileHeader } from "./types.ts";

const stringRecord = z.record(z.string(), z.string());

const runInfoSchema = z.strictObject({
  acquisitionId: z.string(),
  acquisitionStartTimeMs: z.number(),
  adcMax: z.number().int(),
  adcMin: z.number().int(),
  contextTags: stringRecord,
  experimentName: z.string(),
  flowCellId: z.string(),
  flowCellProductCode: z.string(),
  protocolName: z.string(),
  protocolRunId: z.string(),
  protocolStartTimeMs: z.number(),
  sampleId: z.string(),
  sampleRateHz: z.number().positive(),
  sequencingKit: z.string(),
  sequencerPosition: z.string(),
  sequencerPositionType: z.string(),
  software: z.string(),
  systemName: z.string(),
  systemType: z.string(),
  trackingId: stringRecord,
});

const positiveInt = z.number().int().positive();

const headerSchema = z.strictObject({
  codesEncoding: z.enum(["packed", "plain"]),
  checkpoint: z.strictObject({
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    step: z.number().int().nonnegative(),
    path: z.string(),
  }),
  model: configSchema.shape.model,
  windowSamples: positiveInt,
  hopSamples: positiveInt,
  sampleRateHz: z.number().positive(),
  codebookSize: positiveInt.max(65536),
  normalisation: z.strictObject({ mode: z.enum(["median_mad", "minmax"]), clip: z.number().positive().nullable() }),
  tail: z.enum(TAIL_STRATEGIES as [string, ...string[]]),
  backend: z.string(),
  runInfos: z.array(runInfoSchema),
  source: z.strictObject({ fileIdentifier: z.string(), software: z.string(), pod5Version: z.string() }).nullable(),
});

/**
 * The schema metadata of a header.
 *
 * @param header The header.
 * @returns `simvqgan.*` keys and their text values.
 */
export function headerToMetadata(header: TokenFileHeader): Map<string, string> {
  return new Map<string, string>([
    [META.format, TOKEN_FORMAT],
    [META.version, VERSION],
    [META.codesEncoding, header.codesEncoding],
    [META.checkpoint, JSON.stringify(header.checkpoint)],
    [META.model, JSON.stringify(header.model)],
    [META.windowSamples, String(header.windowSamples)],
    [META.hopSamples, String(header.hopSamples)],
    [META.sampleRateHz, String(header.sampleRateHz)],
    [META.codebookSize, String(header.codebookSize)],
    [META.normalisation, JSON.stringify({ mode: header.normalisation, clip: header.clip })],
    [META.tail, header.tail],
    [META.backend, header.backend],
    [META.runInfos, JSON.stringify(header.runInfos)],
    [META.source, JSON.stringify(header.source)],
  ]);
}

/**
 * Parse schema metadata back into a header.
 *
 * @param metadata The schema metadata.
 * @returns The header, or the reason it is not one.
 */
export function headerFromMetadata(
  metadata: ReadonlyMap<string, string>,
): { readonly header: TokenFileHeader } | { readonly reason: string } {
  const format = metadata.get(META.format);
  if (format === undefined) return { reason: `not a SimVQGAN token file (no ${META.format} in its schema metadata)` };
  if (format !== TOKEN_FORMAT) return { reason: `token format "${format}" is not ${TOKEN_FORMAT}` };
  const raw: Record<string, unknown> = {};
  const invalid: string[] = [];
  const json = (key: string, text: string | undefined): unknown => {
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      invalid.push(key);
      return undefined;
    }
  };
  const number = (text: string | undefined): unknown => text === undefined ? undefined : Number(text);
  const normalisation = json(META.normalisation, metadata.get(META.normalisation));
  raw["codesEncoding"] = metadata.get(META.codesEncoding);
  raw["checkpoint"] = json(META.checkpoint, metadata.get(META.checkpoint));
  raw["model"] = json(META.model, metadata.get(META.model));
  raw["windowSamples"] = number(metadata.get(META.windowSamples));
  raw["hopSamples"] = number(metadata.get(META.hopSamples));
  raw["sampleRateHz"] = number(metadata.get(META.sampleRateHz));
  raw["codebookSize"] = number(metadata.get(META.codebookSize));
  raw["normalisation"] = normalisation;
  raw["tail"] = metadata.get(META.tail);
  raw["backend"] = metadata.get(META.backend);
  raw["runInfos"] = json(META.runInfos, metadata.get(META.runInfos));
  raw["source"] = json(META.source, metadata.get(META.source));
  if (invalid.length > 0) return { reason: `${invalid[0]} is not valid JSON` };
  const parsed = headerSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { reason: `bad header field ${issue?.path.join(".") || "?"}: ${issue?.message ?? "invalid"}` };
  }
  const { normalisation: norm, tail, ...rest } = parsed.data;
  const header: TokenFileHeader = {
    ...rest,
    tail: tail as TokenFileHeader["tail"],
    normalisation: norm.mode,
    clip: norm.clip,
  };
  if (header.windowSamples % header.hopSamples !== 0) {
    return { reason: `window ${header.windowSamples} is not a multiple of hop ${header.hopSamples}` };
  }
  return { header };
}
