/**
 * An independent structural check of a POD5 container (notes/pod5_format.md
 * §1), written for the tests without the library's parser.
 */
import { assert, assertEquals } from "../_assert.ts";

const SIGNATURE = [0x8b, 0x50, 0x4f, 0x44, 0x0d, 0x0a, 0x1a, 0x0a];
const FOOTER_MAGIC = [0x46, 0x4f, 0x4f, 0x54, 0x45, 0x52, 0, 0];
const ARROW1 = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31];

/** A table location found by walking the container. */
export interface TableSpan {
  readonly offset: number;
  readonly length: number;
}

const at = (bytes: Uint8Array, offset: number, expected: number[]) => expected.every((b, i) => bytes[offset + i] === b);

/**
 * Assert the container layout of `bytes`: signatures, identical markers after
 * each table, zero padding to 8, FOOTER magic, footer length, and Arrow files
 * that start with a Schema message. Returns the tables in file order.
 */
export function checkContainer(bytes: Uint8Array): TableSpan[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert(at(bytes, 0, SIGNATURE), "signature at 0");
  assert(at(bytes, bytes.length - 8, SIGNATURE), "signature at end");
  const marker = Array.from(bytes.subarray(8, 24));
  assert(at(bytes, bytes.length - 24, marker), "marker before the final signature");
  const footerLength = Number(view.getBigInt64(bytes.length - 32, true));
  const footerStart = bytes.length - 32 - footerLength;
  assertEquals(footerStart % 8, 0, "footer is 8-aligned");
  assert(at(bytes, footerStart - 8, FOOTER_MAGIC), "FOOTER magic before the footer");
  // Walk the tables: each is an Arrow file, zero-padded to 8, then a marker.
  const tables: TableSpan[] = [];
  let offset = 24;
  while (offset < footerStart - 8) {
    assertEquals(offset % 8, 0, `table at ${offset} is 8-aligned`);
    assert(at(bytes, offset, ARROW1), `Arrow magic at ${offset}`);
    // First message after the 8-byte magic: continuation, length, then a Schema (header type 1).
    assertEquals(view.getInt32(offset + 8, true), -1, "continuation marker of the first message");
    const fb = offset + 16;
    const root = fb + view.getUint32(fb, true);
    const vtable = root - view.getInt32(root, true);
    const headerTypeSlot = view.getUint16(vtable + 6, true);
    assertEquals(bytes[root + headerTypeSlot], 1, `the table at ${offset} starts with a Schema message`);
    // Find the end: ARROW1 then padding then the marker.
    let end = offset + 8;
    for (;;) {
      end = bytes.indexOf(0x41, end + 1);
      assert(end > 0 && end < footerStart, `end of the table at ${offset}`);
      if (at(bytes, end, ARROW1) && end + 6 + ((8 - ((end + 6) % 8)) % 8) + 16 <= footerStart) {
        const length = end + 6 - offset;
        const padEnd = end + 6 + ((8 - ((end + 6) % 8)) % 8);
        if (at(bytes, padEnd, marker) && bytes.subarray(end + 6, padEnd).every((b) => b === 0)) {
          tables.push({ offset, length });
          offset = padEnd + 16;
          break;
        }
      }
    }
  }
  assertEquals(offset, footerStart - 8, "the last marker is followed by FOOTER");
  return tables;
}
