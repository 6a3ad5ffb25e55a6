/**
 * `reconstruction.svg`: real against reconstructed current for a few reads,
 * one panel each, time in seconds and current in pA on labelled axes, with a
 * legend. Hand-written SVG (no plotting library runs in Deno without a
 * browser or a canvas binding that this project could install); each line is
 * decimated to its minimum and maximum per pixel column, as plotting
 * libraries do, so the file stays small and the envelope exact.
 *
 * @module
 */
import type { Trace } from "./signal_report.ts";

const WIDTH = 1000;
const PANEL_HEIGHT = 230;
const MARGIN = { left: 70, right: 20, top: 52, bottom: 46 } as const;
const REAL_COLOUR = "#404040";
const GENERATED_COLOUR = "#e6550d";

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

/**
 * Draw the traces.
 *
 * @example
 * ```ts
 * import { reconstructionSvg } from "./reconstruction_svg.ts";
 * const real = Float32Array.from({ length: 10_000 }, (_, i) => 80 + 20 * Math.sin(i / 50));
 * const svg = reconstructionSvg([{ readId: "r1", startSec: 1, sampleRateHz: 5000, real, generated: real, snrDb: 9 }]);
 * if (!svg.startsWith("<svg") || !svg.includes("current (pA)") || !svg.includes("time in read (s)")) throw new Error("?");
 * ```
 *
 * @param traces One panel each.
 * @returns The SVG document.
 */
export function reconstructionSvg(traces: readonly Trace[]): string {
  const height = Math.max(1, traces.length) * PANEL_HEIGHT;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ` +
    `font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
  ];
  traces.forEach((trace, index) => {
    const top = index * PANEL_HEIGHT + MARGIN.top;
    let low = Infinity, high = -Infinity;
    for (const values of [trace.real, trace.generated]) {
      for (const v of values) {
        if (Number.isFinite(v)) {
          if (v < low) low = v;
          if (v > high) high = v;
        }
      }
    }
    if (!(high > low)) [low, high] = [low - 1, high + 1];
    const pad = (high - low) * 0.05;
    low -= pad;
    high += pad;
    const seconds = trace.real.length / trace.sampleRateHz;
    const xOf = (t: number) => MARGIN.left + (t / seconds) * plotWidth;
    const yOf = (v: number) => top + plotHeight - ((v - low) / (high - low)) * plotHeight;
    const snr = Number.isFinite(trace.snrDb) ? `${trace.snrDb.toFixed(2)} dB` : "n/a";
    parts.push(
      `<text x="${MARGIN.left}" y="${top - 26}" font-size="13" font-weight="bold">read ${escapeXml(trace.readId)}` +
        ` · ${trace.startSec.toFixed(2)}–${(trace.startSec + seconds).toFixed(2)} s · read SNR ${snr}</text>`,
    );
    // Legend.
    const legendY = top - 10;
    parts.push(
      `<line x1="${MARGIN.left}" y1="${legendY}" x2="${
        MARGIN.left + 24
      }" y2="${legendY}" stroke="${REAL_COLOUR}" stroke-width="2"/>`,
      `<text x="${MARGIN.left + 30}" y="${legendY + 4}">real</text>`,
      `<line x1="${MARGIN.left + 80}" y1="${legendY}" x2="${
        MARGIN.left + 104
      }" y2="${legendY}" stroke="${GENERATED_COLOUR}" stroke-width="2"/>`,
      `<text x="${MARGIN.left + 110}" y="${legendY + 4}">generated (encoded, then decoded)</text>`,
    );
    // Axes, grid and ticks.
    parts.push(
      `<rect x="${MARGIN.left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`,
    );
    for (const v of ticks(low, high, 5)) {
      const y = yOf(v).toFixed(1);
      parts.push(
        `<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotWidth}" y2="${y}" stroke="#eee"/>`,
        `<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${v}</text>`,
      );
    }
    for (const t of ticks(trace.startSec, trace.startSec + seconds, 8)) {
      const x = xOf(t - trace.startSec).toFixed(1);
      parts.push(
        `<line x1="${x}" y1="${top + plotHeight}" x2="${x}" y2="${top + plotHeight + 5}" stroke="#999"/>`,
        `<text x="${x}" y="${top + plotHeight + 18}" text-anchor="middle">${t}</text>`,
      );
    }
    parts.push(
      `<text x="${MARGIN.left + plotWidth / 2}" y="${
        top + plotHeight + 36
      }" text-anchor="middle">time in read (s)</text>`,
      `<text transform="translate(18 ${top + plotHeight / 2}) rotate(-90)" text-anchor="middle">current (pA)</text>`,
      `<polyline fill="none" stroke="${REAL_COLOUR}" stroke-width="1" points="${
        envelope(trace.real, MARGIN.left, plotWidth, yOf)
      }"/>`,
      `<polyline fill="none" stroke="${GENERATED_COLOUR}" stroke-width="1" stroke-opacity="0.85" points="${
        envelope(trace.generated, MARGIN.left, plotWidth, yOf)
      }"/>`,
    );
  });
  if (traces.length === 0) parts.push(`<text x="20" y="40">no read to picture</text>`);
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
