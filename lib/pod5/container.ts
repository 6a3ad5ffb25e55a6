/**
 * The POD5 container: signature, section markers, footer and the embedded
 * Arrow tables it points at (notes/pod5_format.md §1).
 *
 * @module
 */
import { RandomAccessFile } from "../arrow/random_access_file.ts";
import { equalBytes } from "../runtime/equal_bytes.ts";
import { Pod5Error, Pod5FormatError } from "./errors.ts";
import {
  CONTENT_TYPE,
  decodeFooter,
  type EmbeddedFileEntry,
  FooterDecodeError,
  FORMAT_FEATHER_V2,
  type Pod5Footer,
} from "./footer.ts";

/** `\x8BPOD\r\n\x1A\n`, at offset 0 and in the last 8 bytes (notes §1). */
export const POD5_SIGNATURE: Uint8Array = Uint8Array.of(0x8b, 0x50, 0x4f, 0x44, 0x0d, 0x0a, 0x1a, 0x0a);
/** Bytes of a section marker (16 random bytes, identical throughout a file). */
export const SECTION_MARKER_BYTES = 16;
/** `FOOTER\0\0`, just before the footer FlatBuffer. */
export const FOOTER_MAGIC: Uint8Array = Uint8Array.of(0x46, 0x4f, 0x4f, 0x54, 0x45, 0x52, 0x00, 0x00);
/** Bytes of the int64 footer length at end−32. */
export const FOOTER_LENGTH_BYTES = 8;
/** Bytes after the footer: length, marker, signature. */
export const TAIL_BYTES: number = FOOTER_LENGTH_BYTES + SECTION_MARKER_BYTES + POD5_SIGNATURE.length;
/** Bytes before the first table: signature and marker. */
export const HEAD_BYTES: number = POD5_SIGNATURE.length + SECTION_MARKER_BYTES;
/** The smallest possible file: head, footer magic, tail. */
export const MIN_FILE_BYTES: number = HEAD_BYTES + FOOTER_MAGIC.length + TAIL_BYTES;
/** Embedded tables and the footer start on 8-byte boundaries. */
export const ALIGNMENT_BYTES = 8;
/** Oldest footer version whose layout this library reads (v3 reads table + run_info table). */
export const MIN_SUPPORTED_VERSION = "0.0.38";

/** An opened container: the file, its footer and the three tables it must have. */
export interface Pod5Container {
  readonly file: RandomAccessFile;
  readonly footer: Pod5Footer;
  readonly sectionMarker: Uint8Array;
  readonly reads: EmbeddedFileEntry;
  readonly signal: EmbeddedFileEntry;
  readonly runInfo: EmbeddedFileEntry;
}

/**
 * Open `path` and check its container layout and footer. The file stays open
 * (close `container.file`); on error it is closed.
 *
 * @param path The POD5 file.
 * @returns The container.
 * @throws {Pod5FormatError} When the file is not a POD5 file or its container is damaged.
 */
export async function openContainer(path: string): Promise<Pod5Container> {
  let file: RandomAccessFile;
  try {
    file = await RandomAccessFile.open(path);
  } catch (error) {
    throw new Pod5Error(path, `Cannot open POD5: ${describeOpenError(error)}`, { cause: error });
  }
  try {
    return await readContainer(path, file);
  } catch (error) {
    await file.close();
    throw error;
  }
}

async function readContainer(path: string, file: RandomAccessFile): Promise<Pod5Container> {
  const size = file.sizeBytes;
  const fail = (message: string, byteOffset?: number): never => {
    throw new Pod5FormatError(
      path,
      `Not a valid POD5 file: ${message}`,
      byteOffset === undefined ? {} : { byteOffset },
    );
  };
  if (size < POD5_SIGNATURE.length || !equalBytes(await file.readAt(0, POD5_SIGNATURE.length), POD5_SIGNATURE)) {
    fail(size === 0 ? "the file is empty" : "bad signature (it does not start with the POD5 magic bytes)");
  }
  if (size < MIN_FILE_BYTES) fail(`too short: ${size} bytes, a POD5 file has at least ${MIN_FILE_BYTES}`);
  const head = await file.readAt(0, HEAD_BYTES);
  const tail = await file.readAt(size - TAIL_BYTES, TAIL_BYTES);
  const marker = head.subarray(POD5_SIGNATURE.length);
  if (!equalBytes(tail.subarray(TAIL_BYTES - POD5_SIGNATURE.length), POD5_SIGNATURE)) {
    fail("bad signature at the end of the file (truncated or not a POD5 file)", size - POD5_SIGNATURE.length);
  }
  if (!equalBytes(tail.subarray(FOOTER_LENGTH_BYTES, FOOTER_LENGTH_BYTES + SECTION_MARKER_BYTES), marker)) {
    fail("the last section marker differs from the first", size - TAIL_BYTES + FOOTER_LENGTH_BYTES);
  }
  const footerLength = new DataView(tail.buffer, tail.byteOffset).getBigInt64(0, true);
  const footerEnd = size - TAIL_BYTES;
  const footerRoom = footerEnd - HEAD_BYTES - FOOTER_MAGIC.length;
  if (footerLength <= 0n || footerLength > BigInt(footerRoom)) {
    fail(`footer length ${footerLength} does not fit in the file`, footerEnd);
  }
  const footerStart = footerEnd - Number(footerLength);
  const magic = await file.readAt(footerStart - FOOTER_MAGIC.length, FOOTER_MAGIC.length);
  if (!equalBytes(magic, FOOTER_MAGIC)) fail("no FOOTER magic before the footer", footerStart - FOOTER_MAGIC.length);
  let footer: Pod5Footer;
  try {
    footer = decodeFooter(await file.readAt(footerStart, Number(footerLength)));
  } catch (error) {
    if (!(error instanceof FooterDecodeError)) throw error;
    return fail(`damaged footer: ${error.message}`, footerStart + error.footerOffset);
  }
  checkVersion(path, footer.pod5Version);
  const tablesEnd = footerStart - FOOTER_MAGIC.length;
  const found = new Map<number, EmbeddedFileEntry>();
  for (const entry of footer.contents) {
    if (entry.format !== FORMAT_FEATHER_V2) fail(`embedded table has unknown format ${entry.format}`);
    if (entry.offset < HEAD_BYTES || entry.offset + entry.length > tablesEnd) {
      fail(`embedded table [${entry.offset}, ${entry.offset + entry.length}) lies outside the table area`);
    }
    if (entry.contentType === CONTENT_TYPE.readIdIndex || entry.contentType === CONTENT_TYPE.otherIndex) continue;
    if (![CONTENT_TYPE.reads, CONTENT_TYPE.signal, CONTENT_TYPE.runInfo].includes(entry.contentType)) {
      fail(`embedded table has unknown content type ${entry.contentType}`);
    }
    if (found.has(entry.contentType)) fail(`the footer lists the ${tableName(entry.contentType)} table twice`);
    found.set(entry.contentType, entry);
  }
  const need = (type: number): EmbeddedFileEntry =>
    found.get(type) ?? fail(`the footer lists no ${tableName(type)} table`);
  return {
    file,
    footer,
    sectionMarker: marker.slice(),
    reads: need(CONTENT_TYPE.reads),
    signal: need(CONTENT_TYPE.signal),
    runInfo: need(CONTENT_TYPE.runInfo),
  };
}

/**
 * Parse "X.Y.Z" into three integers.
 *
 * @param version The version text.
 * @returns The parts, or undefined when it is not three numeric parts.
 */
export function parseVersion(version: string): [number, number, number] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/**
 * Compare two "X.Y.Z" versions.
 *
 * @returns Negative, zero or positive as `a` is older, equal or newer.
 */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function checkVersion(path: string, version: string): void {
  const parts = parseVersion(version);
  if (parts === undefined) {
    throw new Pod5FormatError(path, `Not a valid POD5 file: footer version "${version}" is not X.Y.Z`);
  }
  const minimum = parseVersion(MIN_SUPPORTED_VERSION) ?? [0, 0, 0];
  if (compareVersions(parts, minimum) < 0) {
    throw new Pod5FormatError(
      path,
      `Cannot read POD5 version ${version}: versions before ${MIN_SUPPORTED_VERSION} are not supported ` +
        "(convert the file with `pod5 update`)",
    );
  }
}

function tableName(type: number): string {
  switch (type) {
    case CONTENT_TYPE.reads:
      return "reads";
    case CONTENT_TYPE.signal:
      return "signal";
    case CONTENT_TYPE.runInfo:
      return "run_info";
    default:
      return `type-${type}`;
  }
}

function describeOpenError(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "file not found";
  if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable) {
    return "permission denied";
  }
  if (error instanceof Deno.errors.IsADirectory) return "is a directory";
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  if (code === "ENOENT") return "file not found";
  if (code === "EISDIR") return "is a directory";
  if (code === "EACCES") return "permission denied";
  return error instanceof Error ? error.message : String(error);
}
