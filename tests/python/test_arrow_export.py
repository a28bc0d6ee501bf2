"""karrow's Arrow builders and C Stream export, checked by pyarrow: every type,
nulls, an empty batch and a zero-copy slice. Expected values are computed here,
independently of the C++ code that built them."""

from __future__ import annotations

import ctypes
import datetime as dt
import decimal

import pyarrow as pa
import pytest

from karrow_testing import built_file

ROWS = 10


def find_cases_lib() -> str:
    return built_file("libkarrow_arrow_cases.so", "KARROW_ARROW_CASES_LIB")


def null_row(i):
    return i % 3 == 2


def opt(i, v):
    return None if null_row(i) else v


def struct_item(i, j):
    return {"a": i * 10 + j, "b": None if j % 2 else f"b{i}.{j}"}


def expected_rows(n):
    utc = dt.timezone.utc
    rows = []
    for i in range(n):
        rows.append({
            "bool": opt(i, i % 2 == 0),
            "int8": opt(i, i - 5),
            "int16": opt(i, i * 1000 - 3000),
            "int32": opt(i, i * 100000),
            "int64": opt(i, i * 10**12 - 5),
            "uint8": opt(i, i * 25),
            "uint16": opt(i, i * 6000),
            "uint32": opt(i, i * 400000000),
            "uint64": opt(i, i << 60),
            "float32": opt(i, i * 0.5),
            "float64": opt(i, i * 1e100),
            "utf8": opt(i, f"s{i}é"),
            "binary": opt(i, bytes([i]) * i),
            "ts_us_utc": opt(i, dt.datetime(1970, 1, 1, tzinfo=utc) + dt.timedelta(microseconds=i * 1000001)),
            "ts_s": opt(i, dt.datetime(1970, 1, 1) + dt.timedelta(seconds=i * 86400)),
            "date32": opt(i, dt.date(1970, 1, 1) + dt.timedelta(days=i * 365 - 700)),
            "decimal": opt(i, decimal.Decimal(i * 12345 - 50000).scaleb(-2)),
            "list_int32": opt(i, [None if j == 1 else i + j for j in range(i % 4)]),
            "struct": opt(i, struct_item(i, 0)),
            "list_struct": [struct_item(i, j) for j in range(i % 3)],
            "not_null_int64": -i,
            "null": None,
            "fixed3": opt(i, bytes([i, ord("x"), 255 - i])),
            "time_ms": opt(i, (dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=i * 3600001)).time()),
            "time_us": opt(i, (dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=i * 3600000001)).time()),
            "map": opt(i, [(f"k{j}", None if j == 1 else i * 100 + j) for j in range(i % 3)]),
            "union": [None, -i * 7, f"u{i}"][i % 3],
        })
    return rows


EXPECTED_SCHEMA = pa.schema([
    ("bool", pa.bool_()), ("int8", pa.int8()), ("int16", pa.int16()), ("int32", pa.int32()),
    ("int64", pa.int64()), ("uint8", pa.uint8()), ("uint16", pa.uint16()), ("uint32", pa.uint32()),
    ("uint64", pa.uint64()), ("float32", pa.float32()), ("float64", pa.float64()), ("utf8", pa.string()),
    ("binary", pa.binary()), ("ts_us_utc", pa.timestamp("us", tz="UTC")), ("ts_s", pa.timestamp("s")),
    ("date32", pa.date32()), ("decimal", pa.decimal128(10, 2)),
    ("list_int32", pa.list_(pa.field("item", pa.int32()))),
    ("struct", pa.struct([pa.field("a", pa.int32(), nullable=False), ("b", pa.string())])),
    ("list_struct", pa.list_(pa.field("item", pa.struct([pa.field("a", pa.int32(), nullable=False),
                                                         ("b", pa.string())]), nullable=False))),
    pa.field("not_null_int64", pa.int64(), nullable=False),
    ("null", pa.null()), ("fixed3", pa.binary(3)), ("time_ms", pa.time32("ms")), ("time_us", pa.time64("us")),
    ("map", pa.map_(pa.string(), pa.int64())),
    ("union", pa.union([pa.field("null", pa.null()), pa.field("long", pa.int64()), pa.field("string", pa.string())],
                       mode="dense")),
])


@pytest.fixture(scope="module")
def batches():
    lib = ctypes.CDLL(find_cases_lib())
    stream = (ctypes.c_byte * 40)()  # sizeof(struct ArrowArrayStream): five pointers
    assert lib.karrow_testing_all_types_stream(stream) == 0
    reader = pa.RecordBatchReader._import_from_c(ctypes.addressof(stream))
    assert reader.schema == EXPECTED_SCHEMA
    out = []
    for batch in reader:
        batch.validate(full=True)
        out.append(batch)
    return out


def test_three_batches(batches):
    assert [b.num_rows for b in batches] == [ROWS, 0, 5]


def test_every_type_with_nulls(batches):
    assert batches[0].to_pylist() == expected_rows(ROWS)
    nulls = sum(null_row(i) for i in range(ROWS))
    assert batches[0].column("int32").null_count == nulls
    assert batches[0].column("list_struct").null_count == 0


def test_empty_batch(batches):
    assert batches[1].schema == EXPECTED_SCHEMA
    assert batches[1].to_pylist() == []


def test_slice_keeps_offsets(batches):
    assert batches[2].to_pylist() == expected_rows(ROWS)[3:8]
    assert batches[2].column("int32").null_count == sum(null_row(i) for i in range(3, 8))
    # The slice is zero-copy: pyarrow sees a non-zero offset.
    assert batches[2].column("utf8").offset == 3


def test_buffers_are_64_byte_aligned(batches):
    for column in batches[0].columns:
        for buf in column.buffers():
            if buf is not None and buf.size > 0:
                assert buf.address % 64 == 0, column.type


def test_batches_outlive_the_stream():
    lib = ctypes.CDLL(find_cases_lib())
    stream = (ctypes.c_byte * 40)()
    assert lib.karrow_testing_all_types_stream(stream) == 0
    reader = pa.RecordBatchReader._import_from_c(ctypes.addressof(stream))
    first = reader.read_next_batch()
    reader.close()
    del reader
    first.validate(full=True)
    assert first.to_pylist() == expected_rows(ROWS)


def test_ipc_stream_writer_every_type():
    import pyarrow.ipc as ipc

    lib = ctypes.CDLL(find_cases_lib())
    data = ctypes.POINTER(ctypes.c_uint8)()
    size = ctypes.c_int64()
    assert lib.karrow_testing_all_types_ipc(ctypes.byref(data), ctypes.byref(size)) == 0
    raw = ctypes.string_at(data, size.value)
    ctypes.CDLL(None).free(data)
    reader = ipc.open_stream(raw)
    assert reader.schema == EXPECTED_SCHEMA
    batches = list(reader)
    for b in batches:
        b.validate(full=True)
    assert [b.num_rows for b in batches] == [ROWS, 0, 4]
    assert batches[0].to_pylist() == expected_rows(ROWS)
    assert batches[2].to_pylist() == expected_rows(ROWS)[:4]
