/**
 * The POD5 footer FlatBuffer: decode (with a bounds-checking verifier in front
 * of the generated accessors) and encode.
 *
 * @module
 */
import * as flatbuffers from "flatbuffers";
import { ContentType, EmbeddedFile, Footer, Format } from "./_fb/footer_generated.ts";
import { FlatBufferBoundsError, FlatBufferVerifier } from "../arrow/flatbuffer_verifier.ts";

/** Kinds of embedded table (notes/pod5_format.md §1). */
export const CONTENT_TYPE = {
  reads: ContentType.ReadsTable,
  signal: ContentType.SignalTable,
  readIdIndex: ContentType.ReadIdIndex,
  otherIndex: ContentType.OtherIndex,
  runInfo: ContentType.RunInfoTable,
} as const;

/** The only embedded file format: Arrow IPC file ("Feather v2"). */
export const FORMAT_FEATHER_V2: number = Format.FeatherV2;

/** One entry of the footer's `contents`. */
export interface EmbeddedFileEntry {
  /** Absolute file offset of the embedded Arrow file. */
  readonly offset: number;
  /** Its length in bytes, without padding. */
  readonly length: number;
  /** Format enum (0 = Arrow IPC file). */
  readonly format: number;
  /** Content type enum ({@linkcode CONTENT_TYPE}). */
  readonly contentType: number;
}

/** The decoded footer. */
export interface Pod5Footer {
  /** File UUID text. */
  readonly fileIdentifier: string;
  /** Writing software. */
  readonly software: string;
  /** "X.Y.Z". */
  readonly pod5Version: string;
  /** Embedded tables in footer order. */
  readonly contents: readonly EmbeddedFileEntry[];
}

/** Thrown by {@linkcode decodeFooter}; the caller adds the file name. */
export class FooterDecodeError extends Error {
  /** Offset within the footer buffer. */
  readonly footerOffset: number;

  /**
   * Create a FooterDecodeError.
   *
   * @param message What is wrong.
   * @param footerOffset Where in the footer bytes.
   * @param options The `cause`, if any.
   */
  constructor(message: string, footerOffset: number, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "FooterDecodeError";
    this.footerOffset = footerOffset;
  }
}

const FOOTER_FIELDS = { fileIdentifier: 0, software: 1, pod5Version: 2, contents: 3 } as const;
const EMBEDDED_FIELDS = { offset: 0, length: 1, format: 2, contentType: 3 } as const;

/**
 * Decode a footer FlatBuffer, verifying every offset before it is followed.
 *
 * @param bytes The footer bytes (exactly the FlatBuffer).
 * @returns The footer.
 * @throws {FooterDecodeError} When an offset points outside the buffer or a field is missing.
 */
export function decodeFooter(bytes: Uint8Array): Pod5Footer {
  try {
    const verifier = new FlatBufferVerifier(bytes);
    const root = verifier.root();
    for (const field of ["fileIdentifier", "software", "pod5Version"] as const) {
      verifier.string(root, FOOTER_FIELDS[field], field);
    }
    const entries = verifier.tableVector(root, FOOTER_FIELDS.contents, "contents");
    for (const entry of entries) {
      verifier.scalar(entry, EMBEDDED_FIELDS.offset, 8);
      verifier.scalar(entry, EMBEDDED_FIELDS.length, 8);
      verifier.scalar(entry, EMBEDDED_FIELDS.format, 2);
      verifier.scalar(entry, EMBEDDED_FIELDS.contentType, 2);
    }
  } catch (error) {
    if (!(error instanceof FlatBufferBoundsError)) throw error;
    throw new FooterDecodeError(error.message, error.bufferOffset, { cause: error });
  }
  const bb = new flatbuffers.ByteBuffer(bytes);
  const footer = Footer.getRootAsFooter(bb);
  const contents: EmbeddedFileEntry[] = [];
  for (let i = 0; i < footer.contentsLength(); i++) {
    const entry = footer.contents(i, new EmbeddedFile());
    if (entry === null) throw new FooterDecodeError(`contents[${i}] is missing`, 0);
    contents.push({
      offset: toSafeNumber(entry.offset(), `contents[${i}].offset`),
      length: toSafeNumber(entry.length(), `contents[${i}].length`),
      format: entry.format(),
      contentType: entry.contentType(),
    });
  }
  return {
    fileIdentifier: requireString(footer.fileIdentifier(), "file_identifier"),
    software: footer.software() ?? "",
    pod5Version: requireString(footer.pod5Version(), "pod5_version"),
    contents,
  };
}

/**
 * Encode a footer FlatBuffer as the official writer does: fields holding their
 * default (0) are omitted, and the buffer size is a multiple of 8.
 *
 * @param footer The footer to encode.
 * @returns The FlatBuffer bytes.
 */
export function encodeFooter(footer: Pod5Footer): Uint8Array {
  const builder = new flatbuffers.Builder(256);
  const entries = footer.contents.map((entry) =>
    EmbeddedFile.createEmbeddedFile(
      builder,
      BigInt(entry.offset),
      BigInt(entry.length),
      entry.format,
      entry.contentType,
    )
  );
  const contents = Footer.createContentsVector(builder, entries);
  const fileIdentifier = builder.createString(footer.fileIdentifier);
  const software = builder.createString(footer.software);
  const version = builder.createString(footer.pod5Version);
  const root = Footer.createFooter(builder, fileIdentifier, software, version, contents);
  builder.finish(root);
  const bytes = builder.asUint8Array();
  if (bytes.length % 8 !== 0) {
    // FlatBuffers builders align the whole buffer to its largest scalar (int64);
    // the container relies on it (notes §1), so check rather than assume.
    throw new RangeError(`Cannot encode footer: size ${bytes.length} is not a multiple of 8`);
  }
  return bytes.slice();
}

function requireString(value: string | null, name: string): string {
  if (value === null) throw new FooterDecodeError(`required field ${name} is missing`, 0);
  return value;
}

function toSafeNumber(value: bigint, name: string): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FooterDecodeError(`${name} is out of range (${value})`, 0);
  }
  return Number(value);
}
