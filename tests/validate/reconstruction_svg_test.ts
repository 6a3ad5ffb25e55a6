import { reconstructionSvg } from "../../lib/validate/reconstruction_svg.ts";
import { assert, assertAlmostEquals, assertEquals, assertStringIncludes, assertThrows } from "../_assert.ts";

/** 2 s at 5 kHz from 1 s into the read: a staircase of 10 ms events, so the zoom's contents can be located. */
function staircase(): Float32Array {
  return Float32Array.from({ length: 10_000 }, (_, i) => 60 + 5 * Math.floor(i / 50));
}

/** The numeric `<text>` labels with their positions. */
function labels(svg: string): { x: number; y: number; value: number }[] {
  const out: { x: number; y: number; value: number }[] = [];
  for (const match of svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)" text-anchor="middle">(-?[\d.]+)<\/text>/g)) {
    out.push({ x: Number(match[1]), y: Number(match[2]), value: Number(match[3]) });
  }
  return out;
}

Deno.test("reconstructionSvg() draws each read whole and a zoom of its middle, marked on the whole", () => {
  const real = staircase();
  const generated = real.map((v) => v + 1);
  const svg = reconstructionSvg(
    [{ readId: "r1", startSec: 1, sampleRateHz: 5000, real, generated, snrDb: 12.5 }],
    { zoomMs: 150 },
  );
  assertEquals(svg.match(/<polyline /g)?.length, 4);
  // Time ticks: the whole panel's span 1–3 s on the left, the zoom's 1.925–2.075 s on the right.
  const timeTicks = labels(svg);
  const splitX = Math.max(...timeTicks.filter((t) => t.value === 3).map((t) => t.x)) + 1;
  const whole = timeTicks.filter((t) => t.x < splitX).map((t) => t.value);
  const zoom = timeTicks.filter((t) => t.x >= splitX).map((t) => t.value);
  assertEquals([Math.min(...whole), Math.max(...whole)], [1, 3]);
  assert(zoom.length >= 2, `zoom ticks: ${zoom}`);
  for (const t of zoom) assert(t >= 1.925 - 1e-9 && t <= 2.075 + 1e-9, `zoom tick ${t} outside 1.925–2.075 s`);
  // The zoom's stretch is shaded on the whole panel: samples 4625–5375 of 10,000.
  const shade = /<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="[\d.]+" fill="#fff3b0"\/>/.exec(svg);
  assert(shade !== null, "no shaded zoom on the whole panel");
  const frame = /<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="[\d.]+" fill="none"/.exec(svg);
  assert(frame !== null, "no panel frame");
  const [x0, frameWidth] = [Number(frame[1]), Number(frame[2])];
  assertAlmostEquals((Number(shade[1]) - x0) / frameWidth, 4625 / 10_000, 1e-3);
  assertAlmostEquals(Number(shade[2]) / frameWidth, 750 / 10_000, 1e-3);
  assertStringIncludes(svg, "read SNR 12.50 dB");
});

Deno.test("reconstructionSvg() captions the checkpoint and draws warnings in red", () => {
  const real = staircase();
  const svg = reconstructionSvg([{ readId: "r1", startSec: 0, sampleRateHz: 4000, real, generated: real, snrDb: 3 }], {
    caption: "checkpoint /runs/a/checkpoint_300 · step 300 · generator sha256 0123456789ab",
    warnings: ["warning: these 3 reads were in the checkpoint's training data"],
  });
  assertStringIncludes(svg, ">checkpoint /runs/a/checkpoint_300 · step 300 · generator sha256 0123456789ab</text>");
  assertStringIncludes(svg, `fill="#b30000">warning: these 3 reads were in the checkpoint's training data</text>`);
  assertThrows(() => reconstructionSvg([], { zoomMs: 0 }), RangeError, "zoomMs must be positive");
  assertStringIncludes(reconstructionSvg([]), "no read to picture");
});
