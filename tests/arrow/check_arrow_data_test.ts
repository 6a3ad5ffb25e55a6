import { Dictionary, Field, Int32, List, makeData, Struct, Table, Uint8, Utf8, vectorFromArray } from "apache-arrow";
import { checkArrowColumns, checkArrowData } from "../../lib/arrow/check_arrow_data.ts";
import { ArrowIpcError } from "../../lib/arrow/check_arrow_ipc_file.ts";
import { assertThrows } from "../_assert.ts";

const listType = new List(new Field("item", new Int32()));

Deno.test("checkArrowData() accepting well-formed columns of every kind POD5 and token files use", () => {
  checkArrowColumns(
    new Table({
      n: vectorFromArray(Int32Array.of(1, 2, 3)),
      s: vectorFromArray(["a", "", "xyz"], new Utf8()),
      l: vectorFromArray([[1], [], [2, 3]], listType),
      d: vectorFromArray(["x", "y", "x"], new Dictionary(new Utf8(), new Int32())),
      b: vectorFromArray([true, false, true]),
    }),
  );
});

Deno.test("checkArrowData() rejecting offsets past the values, offsets that go back, short children and bad indices", () => {
  const strings = vectorFromArray(["a", "bc"], new Utf8()).data[0]!;
  (strings.valueOffsets as Int32Array)[2] = 999; // the values buffer is 64 bytes (padded)
  assertThrows(
    () => checkArrowData(strings, "s"),
    ArrowIpcError,
    "column s: row 1 ends at offset 999, past its 64 bytes",
  );

  const lists = vectorFromArray([[1, 2], [3]], listType).data[0]!;
  (lists.valueOffsets as Int32Array)[1] = 3;
  (lists.valueOffsets as Int32Array)[2] = 1;
  assertThrows(() => checkArrowData(lists, "l"), ArrowIpcError, "column l: row 1 ends at offset 1, before its start 3");

  const child = makeData({ type: new Int32(), length: 1, data: Int32Array.of(7) });
  const struct = makeData({
    type: new Struct([new Field("a", new Int32())]),
    length: 3,
    nullCount: 0,
    children: [child],
  });
  assertThrows(() => checkArrowData(struct, "st"), ArrowIpcError, "column st: field a has 1 rows, not 3");

  const dictionary = vectorFromArray(["x", "y"], new Utf8());
  const coded = makeData({
    type: new Dictionary(new Utf8(), new Uint8()),
    length: 2,
    nullCount: 0,
    data: Uint8Array.of(1, 5),
    dictionary,
  });
  assertThrows(
    () => checkArrowData(coded, "end_reason"),
    ArrowIpcError,
    "column end_reason: row 1 refers to entry 5 of a dictionary of 2",
  );

  const short = makeData({ type: new Int32(), length: 4, nullCount: 0, data: Int32Array.of(1, 2) });
  assertThrows(() => checkArrowData(short, "n"), ArrowIpcError, "column n: 2 values for 4 rows");
});
