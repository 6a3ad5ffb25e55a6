/**
 * Run as a subprocess by nanopore_signal_dataset_test.ts: iterates a
 * 2-worker dataset and stops in the way named by the argument, without
 * calling close() (except in "close" mode). The process must then exit on
 * its own: a worker left running would keep it alive.
 */
import { NanoporeSignalDataset } from "../../lib/data/mod.ts";
import { fixture } from "../pod5/_fixtures.ts";

const mode = Deno.args[0];
const dataset = new NanoporeSignalDataset({
  files: Array.from({ length: 4 }, () => fixture("z1.pod5")),
  batchSize: 8,
  windowSamples: 10_000,
  sampleRateHz: 5_000,
  workers: 2,
});
let batches = 0;
if (mode === "complete") {
  for await (const _ of dataset.batches()) batches++;
  console.log(`complete ${batches}`);
} else if (mode === "break") {
  for await (const _ of dataset.batches()) if (++batches === 2) break;
  console.log(`break ${batches}`);
} else if (mode === "abort") {
  const controller = new AbortController();
  const iterator = dataset.batches({ signal: controller.signal });
  await iterator.next();
  const pending = iterator.next();
  controller.abort();
  try {
    await pending;
    console.log("not aborted");
  } catch (error) {
    console.log(`abort ${error instanceof DOMException ? error.name : String(error)}`);
  }
} else if (mode === "close") {
  for await (const _ of dataset.batches()) {
    if (++batches === 1) await dataset.close();
  }
  console.log(`close ${batches}`);
} else {
  throw new Error(`unknown mode ${mode}`);
}
