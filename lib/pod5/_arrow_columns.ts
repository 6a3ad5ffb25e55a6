/**
 * Checking Arrow column types by name, as the official reader does
 * (notes/pod5_format.md §2.8: found by name, exact type).
 *
 * @module
 */
import { DataType, type Field, type Schema } from "apache-arrow";

/** A column type check with the text shown when it fails. */
export interface ColumnType {
  readonly expected: string;
  readonly matches: (type: DataType) => boolean;
}

const int = (bitWidth: number, signed: boolean, expected: string): ColumnType => ({
  expected,
  matches: (t) => DataType.isInt(t) && t.bitWidth === bitWidth && t.isSigned === signed,
});

/** Column types used by the three POD5 tables. */
export const COLUMN_TYPES = {
  uuid: {
    expected: "fixed_size_binary(16) (minknow.uuid)",
    matches: (t: DataType) => DataType.isFixedSizeBinary(t) && t.byteWidth === 16,
  },
  uint8: int(8, false, "uint8"),
  int16: int(16, true, "int16"),
  uint16: int(16, false, "uint16"),
  uint32: int(32, false, "uint32"),
  uint64: int(64, false, "uint64"),
  float32: {
    expected: "float32",
    matches: (t: DataType) => DataType.isFloat(t) && t.precision === 1,
  },
  bool: { expected: "bool", matches: (t: DataType) => DataType.isBool(t) },
  utf8: { expected: "utf8", matches: (t: DataType) => DataType.isUtf8(t) },
  timestampMs: {
    expected: "timestamp[ms, UTC]",
    matches: (t: DataType) => DataType.isTimestamp(t) && t.unit === 1 && t.timezone === "UTC",
  },
  dictionaryUtf8: {
    expected: "dictionary<int16, utf8>",
    matches: (t: DataType) =>
      DataType.isDictionary(t) && t.indices.bitWidth === 16 && t.indices.isSigned && DataType.isUtf8(t.dictionary),
  },
  uint64List: {
    expected: "list<uint64>",
    matches: (t: DataType) => {
      const child = t.children?.[0]?.type;
      return DataType.isList(t) && child !== undefined && DataType.isInt(child) && child.bitWidth === 64 &&
        !child.isSigned;
    },
  },
  stringMap: {
    expected: "map<utf8, utf8>",
    matches: (t: DataType) => {
      if (!DataType.isMap(t)) return false;
      const entry = t.children[0]?.type;
      const [key, value] = entry?.children ?? [];
      return key !== undefined && value !== undefined && DataType.isUtf8(key.type) && DataType.isUtf8(value.type);
    },
  },
  vbzSignal: {
    expected: "large_binary (minknow.vbz)",
    matches: (t: DataType) => DataType.isLargeBinary(t),
  },
  int16LargeList: {
    expected: "large_list<int16>",
    matches: (t: DataType) => {
      const child = t.children?.[0]?.type;
      return DataType.isLargeList(t) && child !== undefined && DataType.isInt(child) && child.bitWidth === 16 &&
        child.isSigned;
    },
  },
} as const satisfies Record<string, ColumnType>;

/**
 * Find `name` in `schema` and check its type.
 *
 * @returns The field, or undefined when absent.
 * @throws {TypeError} With a message naming the column when the type differs.
 */
export function findColumn(schema: Schema, name: string, type: ColumnType): Field | undefined {
  const field = schema.fields.find((f) => f.name === name);
  if (field === undefined) return undefined;
  if (!type.matches(field.type)) {
    throw new TypeError(`column "${name}" has type ${String(field.type)}, expected ${type.expected}`);
  }
  return field;
}
