/**
 * `reconstruction.svg`: real against reconstructed current for a few reads,
 * one row each: the whole stretch (2 s by default) on the left and, on the
 * right, a zoom of its middle (150 ms by default: a few dozen bases, where
 * single event levels and the steps between them can be compared), marked
 * on the left panel. Time in seconds and current in pA on labelled axes,
 * with a legend, and a caption naming the checkpoint (and any warning about
 * the reads, such as their being training data).
 *
 * Hand-written SVG (no plotting library runs in Deno without a browser or a
 * canvas binding that this project could install); each line is decimated
 * to its minimum and maximum per pixel column, as plotting libraries do, so
 * the file stays small and the envelope exact.
 *
 * @module
 */
import type { Trace } from "./signal_report.ts";

/** Options of {@linkcode reconstructionSvg}. */
export interface ReconstructionSvgOptions {
  /** A line above the panels, e.g. the checkpoint's path, step and sha256 prefix. Default: none. */
  readonly caption?: string;
  /** Warnings below the caption, drawn in red (e.g. "these reads were training data"). Default: none. */
  readonly warnings?: readonly string[];
  /** Length of each row's zoom, ms. Default {@linkcode DEFAULT_ZOOM_MS}. */
  readonly zoomMs?: number;
}

/** The zoom's length when not given, ms: about 60 bases at 400 bases/s. */
export const DEFAULT_ZOOM_MS = 150;

const WIDTH = 1200;
const ROW_HEIGHT = 250;
const CAPTION_LINE = 18;
const MARGIN = { left: 70, right: 20, top: 52, bottom: 46, gap: 60 } as const;
/** Share of the plotting width given to the whole stretch; the zoom gets the rest. */
const MAIN_SHARE = 0.68;
const REAL_COLOUR = "#404040";
const GENERATED_COLOUR = "#e6550d";
const ZOOM_FILL = "#fff3b0";
const WARNING_COLOUR = "#b30000";

function niceStep(span: number, targetTicks: number): number {
  const raw = span / targetTicks;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 2.5, 5, 10]) if (factor * power >= raw) return factor * power;
  return 10 * power;
}

function ticks(low: number, high: number, target: number): number[] {
  const step = niceStep(high - low || 1, target);
  const out: number[] = [];
  for (let v = Math.ceil(low / step) * step; v <= high + 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** The polyline points of `values`, min/max per pixel column. */
function envelope(values: Float32Array, x0: number, plotWidth: number, y: (v: number) => number): string {
  const columns = Math.min(values.length, Math.round(plotWidth));
  const points: string[] = [];
  for (let c = 0; c < columns; c++) {
    const from = Math.floor((c * values.length) / columns), to = Math.floor(((c + 1) * values.length) / columns);
    let low = Infinity, high = -Infinity, lowAt = from, highAt = from;
    for (let i = from; i < Math.max(to, from + 1); i++) {
      const v = values[i]!;
      if (v < low) [low, lowAt] = [v, i];
      if (v > high) [high, highAt] = [v, i];
    }
    const x = (x0 + (c + 0.5) * (plotWidth / columns)).toFixed(1);
    const pair = lowAt <= highAt ? [low, high] : [high, low];
    for (const v of pair) points.push(`${x},${y(v).toFixed(1)}`);
  }
  return points.join(" ");
}

/** The finite range of both lines, padded by 5% (or ±1 pA when flat). */
function currentRange(real: Float32Array, generated: Float32Array): [number, number] {
  let low = Infinity, high = -Infinity;
  for (const values of [real, generated]) {
    for (const v of values) {
      if (Number.isFinite(v)) {
        if (v < low) low = v;
        if (v > high) high = v;
      }
    }
  }
  if (!Number.isFinite(low)) [low, high] = [0, 0];
  if (!(high > low)) [low, high] = [low - 1, high + 1];
  const pad = (high - low) * 0.05;
  return [low - pad, high + pad];
}

/** Where a panel goes and which samples of the trace it shows. */
interface PanelPlace {
  readonly x: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
  /** First sample shown, into the trace. */
  readonly from: number;
  /** One past the last sample shown. */
  readonly to: number;
  /** A stretch to shade, as samples into the trace: the other panel's zoom. */
  readonly shade?: readonly [number, number];
}

/** One panel: frame, grid, ticks, axis labels and both lines. */
function panel(trace: Trace, place: PanelPlace): string[] {
  const { x, top, width, height, from, to } = place;
  const real = trace.real.subarray(from, to), generated = trace.generated.subarray(from, to);
  const [low, high] = currentRange(real, generated);
  const startSec = trace.startSec + from / trace.sampleRateHz;
  const seconds = (to - from) / trace.sampleRateHz;
  const xOfSample = (i: number) => x + ((i - from) / (to - from)) * width;
  const yOf = (v: number) => top + height - ((v - low) / (high - low)) * height;
  const parts: string[] = [];
  if (place.shade !== undefined) {
    const [a, b] = place.shade;
    parts.push(
      `<rect x="${xOfSample(a).toFixed(1)}" y="${top}" width="${(xOfSample(b) - xOfSample(a)).toFixed(1)}" ` +
        `height="${height}" fill="${ZOOM_FILL}"/>`,
    );
  }
  parts.push(`<rect x="${x}" y="${top}" width="${width}" height="${height}" fill="none" stroke="#999"/>`);
  for (const v of ticks(low, high, 5)) {
    const y = yOf(v).toFixed(1);
    parts.push(
      `<line x1="${x}" y1="${y}" x2="${x + width}" y2="${y}" stroke="#eee"/>`,
      `<text x="${x - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${v}</text>`,
    );
  }
  for (const t of ticks(startSec, startSec + seconds, width > 400 ? 8 : 4)) {
    const tx = (x + ((t - startSec) / seconds) * width).toFixed(1);
    parts.push(
      `<line x1="${tx}" y1="${top + height}" x2="${tx}" y2="${top + height + 5}" stroke="#999"/>`,
      `<text x="${tx}" y="${top + height + 18}" text-anchor="middle">${t}</text>`,
    );
  }
  parts.push(
    `<text x="${x + width / 2}" y="${top + height + 36}" text-anchor="middle">time in read (s)</text>`,
    `<text transform="translate(${x - 52} ${top + height / 2}) rotate(-90)" text-anchor="middle">current (pA)</text>`,
    `<polyline fill="none" stroke="${REAL_COLOUR}" stroke-width="1" points="${envelope(real, x, width, yOf)}"/>`,
    `<polyline fill="none" stroke="${GENERATED_COLOUR}" stroke-width="1" stroke-opacity="0.85" points="${
      envelope(generated, x, width, yOf)
    }"/>`,
  );
  return parts;
}

/** A row's title and legend. */
function rowHeader(trace: Trace, top: number, zoomMs: number): string[] {
  const seconds = trace.real.length / trace.sampleRateHz;
  const snr = Number.isFinite(trace.snrDb) ? `${trace.snrDb.toFixed(2)} dB` : "n/a";
  const legendY = top - 10;
  const x = MARGIN.left;
  return [
    `<text x="${x}" y="${top - 26}" font-size="13" font-weight="bold">read ${escapeXml(trace.readId)}` +
    ` · ${trace.startSec.toFixed(2)}–${(trace.startSec + seconds).toFixed(2)} s · read SNR ${snr}` +
    ` · right: its middle ${zoomMs} ms (shaded)</text>`,
    `<line x1="${x}" y1="${legendY}" x2="${x + 24}" y2="${legendY}" stroke="${REAL_COLOUR}" stroke-width="2"/>`,
    `<text x="${x + 30}" y="${legendY + 4}">real</text>`,
    `<line x1="${x + 80}" y1="${legendY}" x2="${x + 104}" y2="${legendY}" stroke="${GENERATED_COLOUR}" ` +
    `stroke-width="2"/>`,
    `<text x="${x + 110}" y="${legendY + 4}">generated (encoded, then decoded)</text>`,
  ];
}

/**
 * Draw the traces: per read, the whole stretch and a zoom of its middle.
 *
 * @example
 * ```ts
 * import { assertEquals, assertStringIncludes } from "@std/assert";
 * import { reconstructionSvg } from "./reconstruction_svg.ts";
 * const real = Float32Array.from({ length: 10_000 }, (_, i) => 80 + 20 * Math.sin(i / 50));
 * const svg = reconstructionSvg(
 *   [{ readId: "r1", startSec: 1, sampleRateHz: 5000, real, generated: real, snrDb: 9 }],
 *   { caption: "checkpoint run/checkpoint_450 · step 450 · generator sha256 87f6c292c468" },
 * );
 * assertStringIncludes(svg, "current (pA)");
 * assertStringIncludes(svg, "step 450 · generator sha256 87f6c292c468");
 * assertEquals(svg.match(/<polyline /g)?.length, 4); // real and generated, whole and zoomed
 * ```
 *
 * @param traces One row each.
 * @param options Caption, warnings and the zoom's length.
 * @returns The SVG document.
 */
export function reconstructionSvg(traces: readonly Trace[], options: ReconstructionSvgOptions = {}): string {
  const zoomMs = options.zoomMs ?? DEFAULT_ZOOM_MS;
  if (!(zoomMs > 0)) throw new RangeError(`Cannot draw the reconstruction: zoomMs must be positive, got ${zoomMs}`);
  const captionLines = [
    ...(options.caption === undefined ? [] : [{ text: options.caption, colour: "black" }]),
    ...(options.warnings ?? []).map((text) => ({ text, colour: WARNING_COLOUR })),
  ];
  const header = captionLines.length === 0 ? 0 : captionLines.length * CAPTION_LINE + 14;
  const height = header + Math.max(1, traces.length) * ROW_HEIGHT;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right - MARGIN.gap;
  const mainWidth = Math.round(plotWidth * MAIN_SHARE);
  const zoomWidth = plotWidth - mainWidth;
  const plotHeight = ROW_HEIGHT - MARGIN.top - MARGIN.bottom;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ` +
    `font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
  ];
  captionLines.forEach(({ text, colour }, line) => {
    parts.push(`<text x="${MARGIN.left}" y="${22 + line * CAPTION_LINE}" fill="${colour}">${escapeXml(text)}</text>`);
  });
  traces.forEach((trace, index) => {
    const top = header + index * ROW_HEIGHT + MARGIN.top;
    const n = trace.real.length;
    const zoomSamples = Math.max(2, Math.min(n, Math.round((zoomMs / 1000) * trace.sampleRateHz)));
    const zoomFrom = Math.max(0, Math.floor((n - zoomSamples) / 2));
    const zoom = [zoomFrom, zoomFrom + zoomSamples] as const;
    const zoomX = MARGIN.left + mainWidth + MARGIN.gap;
    parts.push(
      ...rowHeader(trace, top, zoomMs),
      ...panel(trace, { x: MARGIN.left, top, width: mainWidth, height: plotHeight, from: 0, to: n, shade: zoom }),
      ...panel(trace, { x: zoomX, top, width: zoomWidth, height: plotHeight, from: zoom[0], to: zoom[1] }),
    );
  });
  if (traces.length === 0) parts.push(`<text x="20" y="${header + 40}">no read to picture</text>`);
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
