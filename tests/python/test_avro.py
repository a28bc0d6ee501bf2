"""format=avro (README, "Avro"): Avro datums decoded straight into Arrow, read
from a real broker. fastavro, an independent implementation, writes the
bytes and reads them back; karrow's columns must hold exactly what fastavro
read."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import uuid

import fastavro
import pyarrow as pa
import pytest

from kafka_helpers import produce
from karrow_testing import karrow, open_reader, read_table

UTC = dt.timezone.utc

EVERY_TYPE = {
    "type": "record", "name": "Every", "namespace": "test.karrow",
    "fields": [
        {"name": "n", "type": "null"},
        {"name": "b", "type": "boolean"},
        {"name": "i", "type": "int"},
        {"name": "l", "type": "long"},
        {"name": "f", "type": "float"},
        {"name": "d", "type": "double"},
        {"name": "by", "type": "bytes"},
        {"name": "s", "type": "string"},
        {"name": "e", "type": {"type": "enum", "name": "Suit", "symbols": ["HEARTS", "SPADES", "CLUBS"]}},
        {"name": "fx", "type": {"type": "fixed", "name": "Three", "size": 3}},
        {"name": "arr", "type": {"type": "array", "items": ["null", "long"]}},
        {"name": "m", "type": {"type": "map", "values": "double"}},
        {"name": "opt", "type": ["null", "string"]},
        {"name": "opt_last", "type": ["int", "null"]},
        {"name": "u", "type": ["null", "long", "string", "Three"]},
        {"name": "rec", "type": ["null", {"type": "record", "name": "Inner", "fields": [
            {"name": "x", "type": "int"},
            {"name": "tags", "type": {"type": "array", "items": "string"}},
        ]}]},
        {"name": "dec", "type": {"type": "bytes", "logicalType": "decimal", "precision": 20, "scale": 4}},
        {"name": "dec_fixed", "type": {"type": "fixed", "name": "D8", "size": 8, "logicalType": "decimal",
                                       "precision": 18, "scale": 2}},
        {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "t_ms", "type": {"type": "int", "logicalType": "time-millis"}},
        {"name": "t_us", "type": {"type": "long", "logicalType": "time-micros"}},
        {"name": "ts_ms", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "ts_us", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "lts_ms", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
        {"name": "lts_us", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
        {"name": "list_of_maps", "type": {"type": "array", "items": {"type": "map", "values": "Inner"}}},
    ],
}

EXPECTED_ARROW = pa.schema([
    ("n", pa.null()),
    pa.field("b", pa.bool_(), nullable=False),
    pa.field("i", pa.int32(), nullable=False),
    pa.field("l", pa.int64(), nullable=False),
    pa.field("f", pa.float32(), nullable=False),
    pa.field("d", pa.float64(), nullable=False),
    pa.field("by", pa.binary(), nullable=False),
    pa.field("s", pa.string(), nullable=False),
    pa.field("e", pa.string(), nullable=False),
    pa.field("fx", pa.binary(3), nullable=False),
    pa.field("arr", pa.list_(pa.field("item", pa.int64())), nullable=False),
    pa.field("m", pa.map_(pa.string(), pa.field("value", pa.float64(), nullable=False)), nullable=False),
    ("opt", pa.string()),
    ("opt_last", pa.int32()),
    ("u", pa.union([pa.field("null", pa.null()), pa.field("long", pa.int64(), nullable=False),
                    pa.field("string", pa.string(), nullable=False),
                    pa.field("Three", pa.binary(3), nullable=False)], mode="dense")),
    ("rec", pa.struct([pa.field("x", pa.int32(), nullable=False),
                       pa.field("tags", pa.list_(pa.field("item", pa.string(), nullable=False)), nullable=False)])),
    pa.field("dec", pa.decimal128(20, 4), nullable=False),
    pa.field("dec_fixed", pa.decimal128(18, 2), nullable=False),
    pa.field("id", pa.string(), nullable=False),
    pa.field("day", pa.date32(), nullable=False),
    pa.field("t_ms", pa.time32("ms"), nullable=False),
    pa.field("t_us", pa.time64("us"), nullable=False),
    pa.field("ts_ms", pa.timestamp("ms", tz="UTC"), nullable=False),
    pa.field("ts_us", pa.timestamp("us", tz="UTC"), nullable=False),
    pa.field("lts_ms", pa.timestamp("ms"), nullable=False),
    pa.field("lts_us", pa.timestamp("us"), nullable=False),
    pa.field("list_of_maps", pa.list_(pa.field("item", pa.map_(pa.string(), pa.field("value", pa.struct([
        pa.field("x", pa.int32(), nullable=False),
        pa.field("tags", pa.list_(pa.field("item", pa.string(), nullable=False)), nullable=False)]),
        nullable=False)), nullable=False)), nullable=False),
])


def every_type_records():
    full = {
        "n": None, "b": True, "i": -2**31, "l": 2**63 - 1, "f": 1.5, "d": -0.1, "by": b"\x00\xff\x80",
        "s": "caf\u00e9 \U0001F600", "e": "CLUBS", "fx": b"abc", "arr": [1, None, -(2**63)],
        "m": {"a": 1.0, "\u00fc": -2.5}, "opt": "here", "opt_last": 7, "u": 42,
        "rec": {"x": 5, "tags": ["p", "q"]},
        "dec": decimal.Decimal("-1234567890123456.7891"), "dec_fixed": decimal.Decimal("9999999999999999.99"),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"), "day": dt.date(2024, 2, 29),
        "t_ms": dt.time(23, 59, 59, 999000), "t_us": dt.time(0, 0, 0, 1),
        "ts_ms": dt.datetime(2024, 2, 29, 12, 0, 0, 123000, tzinfo=UTC),
        "ts_us": dt.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        "lts_ms": dt.datetime(2000, 1, 1, 0, 0, 0, 1000), "lts_us": dt.datetime(2038, 1, 19, 3, 14, 8, 1),
        "list_of_maps": [{"k": {"x": 1, "tags": []}}, {}, {"a": {"x": 2, "tags": ["z"]}, "b": {"x": 3, "tags": []}}],
    }
    sparse = dict(full, arr=[], m={}, opt=None, opt_last=None, u=None, rec=None, s="", by=b"", e="HEARTS",
                  dec=decimal.Decimal("0"), dec_fixed=decimal.Decimal("-0.01"), list_of_maps=[])
    as_string = dict(full, u="text", l=-1, i=0, b=False)
    as_fixed = dict(full, u=b"xyz")
    return [full, sparse, as_string, as_fixed]


def datum(schema, record) -> bytes:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(schema), record)
    return out.getvalue()


def fastavro_read(schema, data: bytes):
    return fastavro.schemaless_reader(io.BytesIO(data), fastavro.parse_schema(schema))


def as_arrow_python(v):
    """What pyarrow's to_pylist gives for a value fastavro read."""
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, dict):
        return {k: as_arrow_python(x) for k, x in v.items()}
    if isinstance(v, list):
        return [as_arrow_python(x) for x in v]
    return v


def read_avro(topic, bootstrap, schema, **options):
    with open_reader(topic, bootstrap, format="avro", confluent_framing=False, value_schema=schema,
                     **options) as r:
        return read_table(r).drop_columns(["_timestamp"])


def test_every_type_equals_what_fastavro_reads(kafka_bootstrap, new_topic):
    topic = new_topic()
    values = [datum(EVERY_TYPE, r) for r in every_type_records()]
    produce(kafka_bootstrap, topic, [{"value": v} for v in values])
    table = read_avro(topic, kafka_bootstrap, EVERY_TYPE)
    assert table.schema.remove_metadata() == EXPECTED_ARROW
    rows = table.to_pylist()
    assert len(rows) == len(values)
    for row, data in zip(rows, values):
        expected = as_arrow_python(fastavro_read(EVERY_TYPE, data))
        # pyarrow shows maps as lists of (key, value) pairs.
        expected["m"] = list(expected["m"].items())
        expected["list_of_maps"] = [list(m.items()) for m in expected["list_of_maps"]]
        assert row == expected


@pytest.mark.parametrize("schema,value,expected_type", [
    ("string", "just text", pa.string()),
    (["null", "long"], 5, pa.int64()),
    ({"type": "array", "items": "int"}, [1, 2, 3], pa.list_(pa.field("item", pa.int32(), nullable=False))),
])
def test_non_record_schema_is_one_value_column(kafka_bootstrap, new_topic, schema, value, expected_type):
    topic = new_topic()
    produce(kafka_bootstrap, topic, [{"value": datum(schema, value)}, {"value": datum(schema, value)}])
    table = read_avro(topic, kafka_bootstrap, json.dumps(schema))
    assert table.schema.names == ["value"]
    assert table.schema.field("value").type == expected_type
    assert table.column("value").to_pylist() == [value, value]


BAD_DATA_SCHEMA = {"type": "record", "name": "R", "fields": [
    {"name": "id", "type": "long"},
    {"name": "name", "type": "string"},
    {"name": "kind", "type": {"type": "enum", "name": "K", "symbols": ["A", "B"]}},
    {"name": "u", "type": ["null", "int"]},
    {"name": "items", "type": {"type": "array", "items": "long"}},
    {"name": "nulls", "type": {"type": "array", "items": "null"}},
]}


def zigzag(n: int) -> bytes:
    z = (n << 1) ^ (n >> 63)
    out = bytearray()
    while z >= 0x80:
        out.append((z & 0x7F) | 0x80)
        z >>= 7
    out.append(z)
    return bytes(out)


GOOD_TAIL = b"\x02a" + zigzag(1) + zigzag(0) + zigzag(0) + zigzag(0)  # name "a", kind B, u null, [] , []

HOSTILE = [
    (b"", "ends inside a number"),
    (b"\xff" * 11, "does not fit 64 bits"),
    (b"\x02" + zigzag(2**31), "length 2147483648 exceeds the 0 bytes left"),  # a 2 GiB string in 6 bytes
    (b"\x02" + zigzag(-3), "negative length -3"),
    (b"\x02\x04\xc3\x28" + zigzag(0), "string is not valid UTF-8"),
    (b"\x02\x02a" + zigzag(2), "enum index 2 is not one of the writer's 2 symbols"),
    (b"\x02\x02a" + zigzag(1) + zigzag(5), "union branch index 5"),
    (b"\x02\x02a" + zigzag(1) + zigzag(1) + zigzag(2**40), "an int does not fit 32 bits"),
    (b"\x02\x02a" + zigzag(1) + zigzag(0) + zigzag(2**40), "block of 1099511627776 items exceeds the 0 bytes left"),
    (b"\x02\x02a" + zigzag(1) + zigzag(0) + zigzag(-2) + zigzag(100), "block size 100 does not fit"),
    (b"\x02\x02a" + zigzag(1) + zigzag(0) + zigzag(0) + zigzag(2**62), "more than 1048576 empty items"),
    (zigzag(1) + GOOD_TAIL + b"\x00", "1 bytes left over"),
]


def test_hostile_values_are_bad_data_with_the_field_and_offset(kafka_bootstrap, new_topic):
    for i, (value, reason) in enumerate(HOSTILE):
        topic = new_topic()
        produce(kafka_bootstrap, topic, [{"value": zigzag(7) + GOOD_TAIL}, {"value": value}])
        # pyarrow raises the stream's error as OSError.
        with pytest.raises(OSError) as e:
            read_avro(topic, kafka_bootstrap, BAD_DATA_SCHEMA)
        assert "partition 0 offset 1" in str(e.value), (i, str(e.value))
        assert reason in str(e.value), (i, str(e.value))


def test_under_drop_bad_records_cost_only_themselves(kafka_bootstrap, new_topic):
    topic = new_topic()
    records = []
    for i, (value, _) in enumerate(HOSTILE):
        records.append({"value": zigzag(i) + GOOD_TAIL})
        records.append({"value": value})
    produce(kafka_bootstrap, topic, records)
    table = read_avro(topic, kafka_bootstrap, BAD_DATA_SCHEMA, bad_data="drop", metadata_fields=["offset_id"])
    assert table.column("id").to_pylist() == list(range(len(HOSTILE)))
    assert table.column("offset_id").to_pylist() == list(range(0, 2 * len(HOSTILE), 2))
    assert table.column("kind").to_pylist() == ["B"] * len(HOSTILE)
    assert table.column("u").to_pylist() == [None] * len(HOSTILE)


@pytest.mark.parametrize("schema,message", [
    ("{", "Avro schema is not valid JSON"),
    ({"type": "record", "name": "R", "fields": [{"name": "a", "type": "Missing"}]}, "unknown type 'Missing'"),
    ({"type": "record", "name": "R", "fields": [{"name": "next", "type": ["null", "R"]}]},
     "R contains itself; recursive types cannot be Arrow columns"),
    ({"type": "fixed", "name": "Big", "size": 100000}, "larger than the 4096 bytes"),
    ({"type": "bytes", "logicalType": "decimal", "precision": 40, "scale": 0}, "more than the 38 digits"),
    ({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "a", "type": "int"}]},
     "field 'a' twice"),
    ({"type": "enum", "name": "E", "symbols": ["A", "A"]}, "enum symbol 'A' twice"),
    (["int", "int"], "the union holds int twice"),
    ({"type": "record", "name": "R", "fields": [{"name": "x", "type": {"type": "map"}}]}, "map needs \"values\""),
])
def test_schema_errors_say_where(schema, message):
    options = dict(topic="t", bootstrap_servers="localhost:1", format="avro", confluent_framing=False,
                   value_schema=schema if isinstance(schema, str) else json.dumps(schema))
    with pytest.raises(karrow.KarrowError) as e:
        karrow.KafkaReader(options)
    assert message in str(e.value)


def test_raw_datums_need_a_schema():
    with pytest.raises(karrow.KarrowError) as e:
        karrow.KafkaReader(dict(topic="t", bootstrap_servers="localhost:1", format="avro", confluent_framing=False))
    assert "needs value_schema" in str(e.value)


def test_a_field_named_like_the_event_time_column_is_kept_under_another_name(kafka_bootstrap, new_topic):
    schema = {"type": "record", "name": "Tick", "fields": [
        {"name": "_timestamp", "type": "long"}, {"name": "n", "type": "int"}]}
    topic = new_topic()
    produce(kafka_bootstrap, topic, [{"value": datum(schema, {"_timestamp": -5, "n": 7}),
                                      "timestamp": 1_700_000_000_321}])
    with pytest.raises(karrow.KarrowError, match=r"field '_timestamp'.*event_time_column=NAME"):
        open_reader(topic, kafka_bootstrap, format="avro", confluent_framing=False, value_schema=schema)

    with open_reader(topic, kafka_bootstrap, format="avro", confluent_framing=False, value_schema=schema,
                     event_time_column="event_time") as r:
        table = read_table(r)
    assert table.schema.names == ["_timestamp", "n", "event_time"]
    assert table.schema.field("event_time").type == pa.timestamp("ns", tz="UTC")
    assert table.column("_timestamp").to_pylist() == [-5]
    assert table.column("event_time").cast(pa.int64()).to_pylist() == [1_700_000_000_321_000_000]

    with open_reader(topic, kafka_bootstrap, format="avro", confluent_framing=False, value_schema=schema,
                     event_time_column="") as r:
        table = read_table(r)
    assert table.to_pylist() == [{"_timestamp": -5, "n": 7}]
