"""JSON with a declared schema (the README section of that name), decoded
into typed columns, read from a real broker and checked by pyarrow."""

from __future__ import annotations

import datetime as dt
import decimal
import json

import pyarrow as pa
import pytest

from kafka_helpers import produce
from karrow_testing import karrow, open_reader, read_table

SCHEMA = {"fields": [
    {"name": "id", "type": "int64", "nullable": False},
    {"name": "small", "type": "int8"},
    {"name": "count", "type": "uint32"},
    {"name": "price", "type": "decimal128(10, 2)"},
    {"name": "ratio", "type": "float64"},
    {"name": "half", "type": "float32"},
    {"name": "ok", "type": "bool"},
    {"name": "name", "type": "utf8"},
    {"name": "blob", "type": "binary"},
    {"name": "day", "type": "date32"},
    {"name": "at", "type": "timestamp[ms]"},
    {"name": "at_us", "type": "timestamp[us]"},
    {"name": "tags", "type": {"list": "utf8"}},
    {"name": "buyer", "type": {"struct": [
        {"name": "name", "type": "utf8"},
        {"name": "scores", "type": {"list": "int32"}},
    ]}},
]}

UTC = dt.timezone.utc


def read(topic, bootstrap, **options):
    with open_reader(topic, bootstrap, format="json", value_schema=SCHEMA,
                     metadata_fields=["offset_id"], **options) as r:
        return read_table(r)


def test_every_type_decodes_to_exact_values(kafka_bootstrap, new_topic):
    topic = new_topic()
    full = {"id": 1, "small": -128, "count": 4294967295, "price": 12.5, "ratio": 0.25, "half": 1.5, "ok": True,
            "name": "caf\u00e9 \\\"q\\\"", "blob": "raw", "day": "2024-02-29", "at": "2024-02-29T23:59:59.123Z",
            "at_us": "2024-03-01T01:00:00.000001+01:00", "tags": ["a", "b"],
            "buyer": {"scores": [1, -2], "name": "ann", "ignored": {"deep": [1, 2, {"x": None}]}},
            "extra": "ignored"}
    sparse = {"id": -9223372036854775808, "price": "-0.07", "at": 1700000000123, "tags": [], "buyer": None,
              "name": None}
    produce(kafka_bootstrap, topic, [{"value": json.dumps(full).encode()}, {"value": json.dumps(sparse).encode()}])
    table = read(topic, kafka_bootstrap)
    assert table.schema.field("id").type == pa.int64() and not table.schema.field("id").nullable
    assert table.schema.field("price").type == pa.decimal128(10, 2)
    assert table.schema.field("at").type == pa.timestamp("ms", tz="UTC")
    assert table.schema.field("buyer").type == pa.struct([("name", pa.utf8()), ("scores", pa.list_(pa.int32()))])
    rows = table.to_pylist()
    assert rows[0] == {
        "id": 1, "small": -128, "count": 4294967295, "price": decimal.Decimal("12.50"), "ratio": 0.25, "half": 1.5,
        "ok": True, "name": 'caf\u00e9 \\"q\\"', "blob": b"raw", "day": dt.date(2024, 2, 29),
        "at": dt.datetime(2024, 2, 29, 23, 59, 59, 123000, tzinfo=UTC),
        "at_us": dt.datetime(2024, 3, 1, 0, 0, 0, 1, tzinfo=UTC), "tags": ["a", "b"],
        "buyer": {"name": "ann", "scores": [1, -2]}, "offset_id": 0,
        "_timestamp": rows[0]["_timestamp"],
    }
    assert rows[1] == {
        "id": -9223372036854775808, "small": None, "count": None, "price": decimal.Decimal("-0.07"), "ratio": None,
        "half": None, "ok": None, "name": None, "blob": None, "day": None,
        "at": dt.datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC), "at_us": None, "tags": [], "buyer": None,
        "offset_id": 1, "_timestamp": rows[1]["_timestamp"],
    }


BAD = [
    ('{"small": 1}', "field id: missing or null"),
    ('{"id": null}', "field id: missing or null"),
    ('{"id": 1, "small": 128}', "field small: '128' is not an integer in the column's range"),
    ('{"id": 1, "count": -1}', "field count: '-1' is not an integer"),
    ('{"id": 99999999999999999999}', "field id: '99999999999999999999' is not an integer"),
    ('{"id": 1.5}', "field id: '1.5' is not an integer"),
    ('{"id": "1"}', "field id: expected an integer, got a string"),
    ('{"id": 1, "id": 2}', "field value.id: the key appears twice"),
    ('{"id": 1, "price": 1.234}', "field price: '1.234' is not a decimal(10, 2)"),
    ('{"id": 1, "price": 123456789}', "field price: '123456789' is not a decimal(10, 2)"),
    ('{"id": 1, "day": "2023-02-29"}', "field day: '2023-02-29' is not a YYYY-MM-DD date"),
    ('{"id": 1, "at": "2024-01-01T00:00:00"}', "is not an RFC 3339 timestamp"),
    ('{"id": 1, "at": "2024-01-01T00:00:00.0001Z"}', "field at: timestamp is finer than the column's unit"),
    ('{"id": 1, "tags": ["a", 1]}', "field tags[]: expected a string, got a number"),
    ('{"id": 1, "buyer": {"scores": [1, 2147483648]}}', "field buyer.scores[]: '2147483648' is not an integer"),
    ('{"id": 1, "half": 1e300}', "field half: number out of the column's range"),
    ('{"id": 1} {"id": 2}', "value has content after its JSON object"),
    ('[1]', "value is not a JSON object"),
    ('{"id": 1, "name": "\xff"}', "not valid JSON"),
    ('{"id": 1, "tags": ["a"', ""),
    # A key not in the schema is skipped but must still be JSON (found by fuzz/json_decoder).
    ('{"id": 1, "extra": tru}', "field value.extra: not valid JSON"),
    ('{"id": 1, "extra": {"a": [1 2]}}', "field value.extra: not valid JSON"),
    ('{"id": 1, "buyer": {"other": 01}}', "field buyer.other: not valid JSON"),
    ('{"id": 1, "price": 01}', "field price: '01' is not a JSON number"),
    ('{"id": 1, "tags": nope}', "field tags: not valid JSON (expected null)"),
    ('{"id": 1, "buyer": {"name": nul}}', "field buyer.name: not valid JSON (expected null)"),
]


def test_bad_values_fail_with_the_field_and_offset(kafka_bootstrap, new_topic):
    for i, (value, message) in enumerate(BAD):
        topic = new_topic()
        payload = value.encode("latin-1") if "\xff" in value else value.encode()
        produce(kafka_bootstrap, topic, [{"value": b'{"id": 7}'}, {"value": payload}])
        with pytest.raises(OSError, match=f"partition 0 offset 1") as failure:
            read(topic, kafka_bootstrap)
        assert message in str(failure.value), (i, value, str(failure.value))


def test_drop_skips_bad_values_and_keeps_the_good_ones(kafka_bootstrap, new_topic):
    topic = new_topic()
    records = []
    for i, (value, _) in enumerate(BAD):
        records.append({"value": json.dumps({"id": i}).encode()})
        records.append({"value": value.encode("latin-1") if "\xff" in value else value.encode()})
    produce(kafka_bootstrap, topic, records)
    table = read(topic, kafka_bootstrap, bad_data="drop")
    assert table.column("id").to_pylist() == list(range(len(BAD)))
    assert table.column("offset_id").to_pylist() == list(range(0, 2 * len(BAD), 2))


def test_schema_errors_name_the_field(kafka_bootstrap, new_topic):
    topic = new_topic()
    cases = [
        ({"fields": [{"name": "a", "type": "int128"}]}, "value_schema.a: unknown type 'int128'"),
        ({"fields": [{"name": "a", "type": "decimal128(40, 2)"}]}, "need 1 <= precision <= 38"),
        ({"fields": [{"name": "a", "type": "utf8", "nulable": False}]}, "unknown key 'nulable'"),
        ({"fields": [{"name": "a", "type": "utf8"}, {"name": "a", "type": "int8"}]}, "value_schema.a: field declared twice"),
        ({"fields": [{"name": "s", "type": {"struct": [{"name": "x"}]}}]}, "value_schema.s.x: field without a type"),
        ({"fields": []}, "no fields declared"),
    ]
    for schema, message in cases:
        with pytest.raises(karrow.KarrowError, match="value_schema") as failure:
            karrow.read_kafka(topic, kafka_bootstrap, format="json", value_schema=schema)
        assert message in str(failure.value)
    with pytest.raises(karrow.KarrowError, match="only format=json"):
        karrow.read_kafka(topic, kafka_bootstrap, format="raw_string", value_schema=SCHEMA)


AVRO_FOR_JSON = {"type": "record", "name": "Bid", "fields": [
    {"name": "auction", "type": "long"},
    {"name": "bidder", "type": ["null", "string"]},
    {"name": "side", "type": {"type": "enum", "name": "Side", "symbols": ["BUY", "SELL"]}},
    {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
    {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "day", "type": {"type": "int", "logicalType": "date"}},
    {"name": "clock", "type": {"type": "int", "logicalType": "time-millis"}},
    {"name": "code", "type": {"type": "fixed", "name": "Code", "size": 2}},
    {"name": "extra", "type": {"type": "map", "values": "long"}},
    {"name": "tags", "type": {"type": "array", "items": "string"}},
]}


def test_an_avro_schema_declares_json_columns(kafka_bootstrap, new_topic):
    topic = new_topic()
    value = {"auction": 7, "bidder": "ann", "side": "SELL", "price": "12.34", "at": 1700000000123,
             "day": "2024-02-29", "clock": 3723004, "code": "ab", "extra": {"x": 1, "y": -2}, "tags": ["t"]}
    produce(kafka_bootstrap, topic, [{"value": json.dumps(value).encode()},
                                     {"value": json.dumps(dict(value, bidder=None, extra={}, tags=[])).encode()}])
    with open_reader(topic, kafka_bootstrap, format="json", value_schema=AVRO_FOR_JSON) as r:
        table = read_table(r)
    assert table.schema.field("auction").type == pa.int64() and not table.schema.field("auction").nullable
    assert table.schema.field("bidder").nullable
    assert table.schema.field("extra").type == pa.map_(pa.string(), pa.field("value", pa.int64(), nullable=False))
    rows = table.drop_columns(["_timestamp"]).to_pylist()
    assert rows[0] == {"auction": 7, "bidder": "ann", "side": "SELL", "price": decimal.Decimal("12.34"),
                       "at": dt.datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC), "day": dt.date(2024, 2, 29),
                       "clock": dt.time(1, 2, 3, 4000), "code": b"ab", "extra": [("x", 1), ("y", -2)],
                       "tags": ["t"]}
    assert rows[1]["bidder"] is None and rows[1]["extra"] == [] and rows[1]["tags"] == []


def test_an_avro_union_has_no_json_reading(kafka_bootstrap, new_topic):
    schema = {"type": "record", "name": "R", "fields": [{"name": "u", "type": ["long", "string"]}]}
    with pytest.raises(karrow.KarrowError, match="value_schema.u: a union of several non-null types"):
        karrow.read_kafka(new_topic(), kafka_bootstrap, format="json", value_schema=schema)


def test_values_equal_what_pyarrow_reads_from_the_same_bytes(kafka_bootstrap, new_topic):
    import pyarrow.json as pajson
    schema = {"fields": [
        {"name": "id", "type": "int64"}, {"name": "n", "type": "int32"}, {"name": "u", "type": "uint16"},
        {"name": "x", "type": "float64"}, {"name": "ok", "type": "bool"}, {"name": "s", "type": "utf8"},
        {"name": "at", "type": "timestamp[ms]"}, {"name": "l", "type": {"list": "int64"}},
        {"name": "st", "type": {"struct": [{"name": "a", "type": "utf8"}, {"name": "b", "type": "float64"}]}},
    ]}
    lines = []
    for i in range(300):
        lines.append(json.dumps({
            "id": i * 7919 - 10**12, "n": -i, "u": i * 200 % 65536, "x": i / 7 if i % 5 else None, "ok": i % 3 == 0,
            "s": f"r\u00e9{i}\n\"q\"" if i % 4 else None, "at": f"2024-01-{1 + i % 28:02d}T{i % 24:02d}:00:00.{i:03d}Z",
            "l": list(range(i % 5)), "st": {"a": str(i), "b": i * 0.5} if i % 6 else None}).encode())
    topic = new_topic()
    produce(kafka_bootstrap, topic, [{"value": line} for line in lines])
    with open_reader(topic, kafka_bootstrap, format="json", value_schema=schema) as r:
        ours = read_table(r).drop_columns(["_timestamp"])
    theirs = pajson.read_json(pa.py_buffer(b"\n".join(lines)), parse_options=pajson.ParseOptions(
        explicit_schema=ours.schema, unexpected_field_behavior="error"))
    assert ours.num_rows == theirs.num_rows == 300
    assert ours.to_pylist() == theirs.to_pylist()


def test_confluent_framing_is_checked_and_stripped(kafka_bootstrap, new_topic):
    topic = new_topic()
    body = json.dumps({"id": 5, "name": "framed"}).encode()
    framed = b"\x00" + (1234).to_bytes(4, "big") + body
    produce(kafka_bootstrap, topic, [{"value": framed}, {"value": body}, {"value": b"\x00\x00\x01"},
                                     {"value": framed}])
    table = read(topic, kafka_bootstrap, confluent_framing=True, bad_data="drop")
    assert table.column("name").to_pylist() == ["framed", "framed"]
    assert table.column("offset_id").to_pylist() == [0, 3]
    for value, reason in [(body, "not the Confluent magic byte 0"), (b"\x00\x00\x01", "too short for the Confluent")]:
        topic = new_topic()
        produce(kafka_bootstrap, topic, [{"value": value}])
        with pytest.raises(OSError, match="partition 0 offset 0") as failure:
            read(topic, kafka_bootstrap, confluent_framing=True)
        assert reason in str(failure.value)


@pytest.mark.parametrize("unit,number,expected", [
    (None, 1700000000123, dt.datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)),
    ("s", 1700000000, dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
    ("us", 1700000000123456, dt.datetime(2023, 11, 14, 22, 13, 20, 123456, tzinfo=UTC)),
])
def test_json_epoch_unit_says_what_timestamp_numbers_count(kafka_bootstrap, new_topic, unit, number, expected):
    schema = {"fields": [{"name": "at", "type": "timestamp[us]"}]}
    topic = new_topic()
    produce(kafka_bootstrap, topic, [{"value": json.dumps({"at": number}).encode()},
                                     {"value": b'{"at": "2023-11-14T22:13:20Z"}'}])
    options = {"json_epoch_unit": unit} if unit else {}
    with open_reader(topic, kafka_bootstrap, format="json", value_schema=schema, **options) as r:
        table = read_table(r)
    assert table.column("at").to_pylist() == [expected, dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)]


def test_json_epoch_unit_never_rounds(kafka_bootstrap, new_topic):
    schema = {"fields": [{"name": "at", "type": "timestamp[s]"}]}
    topic = new_topic()
    produce(kafka_bootstrap, topic, [{"value": b'{"at": 1700000000001}'}])
    with pytest.raises(OSError, match="field at: timestamp is finer than the column's unit"):
        with open_reader(topic, kafka_bootstrap, format="json", value_schema=schema, json_epoch_unit="ms") as r:
            read_table(r)
