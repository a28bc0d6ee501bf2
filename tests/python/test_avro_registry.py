"""format=avro in the Confluent wire format (README, "Avro"): writer schemas
fetched by id from a schema registry (the test registry in
schema_registry_server.py) and resolved against the reader schema by Avro's
resolution rules. fastavro's own resolution of the same bytes is the
expected value of every case."""

from __future__ import annotations

import io
import json

import fastavro
import pytest

from kafka_helpers import produce
from karrow_testing import open_reader, read_table
from schema_registry_server import SchemaRegistryServer


@pytest.fixture
def registry():
    server = SchemaRegistryServer(prefix="/registry/v1")
    yield server
    server.close()


def framed(schema_id: int, writer: dict, record) -> bytes:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(writer), record)
    return b"\x00" + schema_id.to_bytes(4, "big") + out.getvalue()


def fastavro_resolve(writer: dict, reader: dict, value: bytes):
    return fastavro.schemaless_reader(io.BytesIO(value[5:]), fastavro.parse_schema(writer),
                                      fastavro.parse_schema(reader))


def read_avro(topic, bootstrap, registry, **options):
    with open_reader(topic, bootstrap, format="avro", **{"schema_registry.url": registry.url}, **options) as r:
        return read_table(r).drop_columns(["_timestamp"])


def record(name, *fields, **extra):
    return {"type": "record", "name": name, "fields": list(fields), **extra}


def field(name, type_, **extra):
    return {"name": name, "type": type_, **extra}


INNER = record("Inner", field("a", "int"), field("b", {"type": "array", "items": "string"}))

# (writer schema, writer records, reader schema): the rule each case proves.
RESOLUTION_CASES = {
    "promotions": (
        record("P", field("i2l", "int"), field("i2f", "int"), field("i2d", "int"), field("l2f", "long"),
               field("l2d", "long"), field("f2d", "float"), field("s2b", "string"), field("b2s", "bytes")),
        [dict(i2l=-5, i2f=7, i2d=2**31 - 1, l2f=2**40, l2d=-(2**53), f2d=1.25, s2b="h\u00e9", b2s=b"ok")],
        record("P", field("i2l", "long"), field("i2f", "float"), field("i2d", "double"), field("l2f", "float"),
               field("l2d", "double"), field("f2d", "double"), field("s2b", "bytes"), field("b2s", "string")),
    ),
    "reader_defaults": (
        record("D", field("id", "long")),
        [dict(id=1), dict(id=2)],
        record("D", field("id", "long"), field("opt", ["null", "string"], default=None),
               field("n", "int", default=42), field("s", "string", default="dflt"),
               field("by", "bytes", default="\u00ff\u0000a"),
               field("e", {"type": "enum", "name": "E", "symbols": ["X", "Y"]}, default="Y"),
               field("arr", {"type": "array", "items": "long"}, default=[1, 2]),
               field("m", {"type": "map", "values": "double"}, default={"k": 1.5}),
               field("rec", record("In", field("x", "int"), field("y", "string", default="inner")),
                     default={"x": 9}),
               field("u", ["long", "string"], default=3)),
    ),
    "writer_fields_dropped": (
        record("W", field("keep", "string"), field("gone_rec", INNER),
               field("gone_arr", {"type": "array", "items": INNER["name"]}),
               field("gone_map", {"type": "map", "values": ["null", "double", "string"]}),
               field("gone_fixed", {"type": "fixed", "name": "F4", "size": 4}),
               field("gone_enum", {"type": "enum", "name": "G", "symbols": ["A", "B"]}),
               field("also_keep", "long")),
        [dict(keep="k", gone_rec=dict(a=1, b=["x", "y"]), gone_arr=[dict(a=2, b=[]), dict(a=3, b=["z"])],
              gone_map={"p": None, "q": 2.5, "r": "s"}, gone_fixed=b"abcd", gone_enum="B", also_keep=-1)],
        record("W", field("keep", "string"), field("also_keep", "long")),
    ),
    "enum_symbols": (
        record("En", field("e", {"type": "enum", "name": "S", "symbols": ["A", "B", "NEW"]})),
        [dict(e="A"), dict(e="B"), dict(e="NEW")],
        record("En", field("e", {"type": "enum", "name": "S", "symbols": ["B", "A", "OTHER"], "default": "OTHER"})),
    ),
    "unions": (
        record("U", field("plain", "int"), field("nullable", ["null", "int"]), field("narrow", ["string", "long"]),
               field("to_general", "string")),
        [dict(plain=1, nullable=None, narrow="a", to_general="s"), dict(plain=2, nullable=5, narrow=7, to_general="t")],
        record("U", field("plain", ["null", "long"]), field("nullable", ["null", "long"]),
               field("narrow", ["null", "string", "long"]), field("to_general", ["null", "long", "string"])),
    ),
    "aliases": (
        record("Old", field("old_name", "string"), field("n", "int"), namespace="a.b"),
        [dict(old_name="renamed", n=1)],
        record("New", field("new_name", "string", aliases=["old_name"]), field("n", "int"), namespace="a.b",
               aliases=["a.b.Old"]),
    ),
    "nested": (
        record("N", field("items", {"type": "array", "items": record("It", field("x", "int"), field("junk", "string"))}),
               field("m", {"type": "map", "values": record("V", field("v", "float"))})),
        [dict(items=[dict(x=1, junk="j"), dict(x=2, junk="")], m={"a": dict(v=0.5)})],
        record("N", field("items", {"type": "array", "items": record("It", field("x", "long"),
                                                                         field("added", "boolean", default=True))}),
               field("m", {"type": "map", "values": record("V", field("v", "double"))})),
    ),
}


def arrow_python(reader: dict, row: dict) -> dict:
    """fastavro's values as pyarrow's to_pylist shows them: maps as pairs."""
    out = {}
    for f in reader["fields"]:
        v = row[f["name"]]
        t = f["type"]
        if isinstance(t, dict) and t.get("type") == "map":
            v = list(v.items())
        if isinstance(t, dict) and t.get("type") == "array" and isinstance(t["items"], dict):
            v = [arrow_python(t["items"], x) if t["items"].get("type") == "record" else x for x in v]
        out[f["name"]] = v
    return out


@pytest.mark.parametrize("case", sorted(RESOLUTION_CASES))
def test_resolution_equals_fastavro(kafka_bootstrap, new_topic, registry, case):
    writer, records, reader = RESOLUTION_CASES[case]
    topic = new_topic()
    schema_id = registry.register(f"{topic}-value", json.dumps(writer))
    values = [framed(schema_id, writer, r) for r in records]
    produce(kafka_bootstrap, topic, [{"value": v} for v in values])
    table = read_avro(topic, kafka_bootstrap, registry, value_schema=json.dumps(reader))
    expected = [arrow_python(reader, fastavro_resolve(writer, reader, v)) for v in values]
    rows = table.to_pylist()
    if case == "reader_defaults":
        # Two places where fastavro returns the default as written rather
        # than as the specification reads it: a bytes default is a string
        # whose code points are the bytes, and a record default that omits a
        # field takes that field's own default.
        for e in expected:
            assert e["by"] == "\u00ff\u0000a" and e["rec"] == {"x": 9}
            e["by"] = b"\xff\x00a"
            e["rec"] = {"x": 9, "y": "inner"}
    assert rows == expected


def test_two_writer_versions_read_into_one_set_of_columns(kafka_bootstrap, new_topic, registry):
    v1 = record("Bid", field("auction", "long"), field("price", "int"))
    v2 = record("Bid", field("auction", "long"), field("price", "long"), field("bidder", ["null", "string"],
                                                                              default=None))
    topic = new_topic()
    id1 = registry.register(f"{topic}-value", json.dumps(v1))
    id2 = registry.register(f"{topic}-value", json.dumps(v2))
    assert id1 != id2
    produce(kafka_bootstrap, topic, [
        {"value": framed(id1, v1, dict(auction=1, price=10))},
        {"value": framed(id2, v2, dict(auction=2, price=2**40, bidder="bo"))},
        {"value": framed(id1, v1, dict(auction=3, price=30))},
    ])
    # No value_schema: the reader schema is the subject's latest, v2.
    table = read_avro(topic, kafka_bootstrap, registry)
    assert table.to_pylist() == [dict(auction=1, price=10, bidder=None), dict(auction=2, price=2**40, bidder="bo"),
                                 dict(auction=3, price=30, bidder=None)]
    # Each id was fetched once, however many records carry it.
    assert registry.count("GET", f"/schemas/ids/{id1}") == 1


def test_bad_schema_ids_and_branches_are_bad_data(kafka_bootstrap, new_topic, registry):
    writer = record("R", field("v", ["long", "string"]))
    reader = record("R", field("v", "long"))
    topic = new_topic()
    good = registry.register(f"{topic}-value", json.dumps(writer))
    incompatible = registry.register("other", json.dumps(record("R", field("w", "int"))))
    json_schema = registry.register("json-subject", json.dumps({"type": "object"}), schema_type="JSON")
    produce(kafka_bootstrap, topic, [
        {"value": framed(good, writer, dict(v=1))},
        {"value": framed(good, writer, dict(v="a string the reader cannot take"))},
        {"value": framed(9999, writer, dict(v=2))},
        {"value": framed(incompatible, record("R", field("w", "int")), dict(w=3))},
        {"value": b"\x00" + json_schema.to_bytes(4, "big") + b"{}"},
        {"value": framed(good, writer, dict(v=4))},
    ])
    table = read_avro(topic, kafka_bootstrap, registry, value_schema=json.dumps(reader), bad_data="drop",
                      metadata_fields=["offset_id"])
    assert table.to_pylist() == [dict(v=1, offset_id=0), dict(v=4, offset_id=5)]
    reasons = {
        1: "union branch string cannot be read",
        2: "schema id 9999 is not in the schema registry",
        3: f"schema id {incompatible} cannot be read with the reader schema",
        4: f"schema id {json_schema} is a JSON schema, not Avro",
    }
    for offset, reason in reasons.items():
        single = new_topic()
        value = [framed(good, writer, dict(v="x")), framed(9999, writer, dict(v=2)),
                 framed(incompatible, record("R", field("w", "int")), dict(w=3)),
                 b"\x00" + json_schema.to_bytes(4, "big") + b"{}"][offset - 1]
        produce(kafka_bootstrap, single, [{"value": value}])
        with pytest.raises(OSError, match="partition 0 offset 0") as failure:
            read_avro(single, kafka_bootstrap, registry, value_schema=json.dumps(reader))
        assert reason in str(failure.value)


def test_an_unreachable_registry_stops_the_task_instead_of_dropping(kafka_bootstrap, new_topic):
    server = SchemaRegistryServer()
    url = server.url
    server.close()
    topic = new_topic()
    writer = record("R", field("v", "long"))
    produce(kafka_bootstrap, topic, [{"value": framed(1, writer, dict(v=1))}])
    with pytest.raises(OSError, match="fetching the writer schema of schema id 1"):
        with open_reader(topic, kafka_bootstrap, format="avro", bad_data="drop", value_schema=json.dumps(writer),
                         **{"schema_registry.url": url, "schema_registry.max_retries": "1",
                            "schema_registry.timeout_ms": "2000"}) as r:
            read_table(r)


def test_confluent_serializer_output_reads_exactly(kafka_bootstrap, new_topic, registry):
    from confluent_kafka import Producer
    from confluent_kafka.schema_registry import SchemaRegistryClient
    from confluent_kafka.schema_registry.avro import AvroSerializer
    from confluent_kafka.serialization import MessageField, SerializationContext

    schema = record("Bid", field("auction", "long"), field("bidder", "string"), field("price", "double"),
                    field("channel", ["null", "string"], default=None),
                    field("at", {"type": "long", "logicalType": "timestamp-millis"}),
                    field("extra", {"type": "map", "values": "string"}), namespace="nexmark")
    topic = new_topic()
    client = SchemaRegistryClient({"url": registry.url})
    serializer = AvroSerializer(client, json.dumps(schema))
    ctx = SerializationContext(topic, MessageField.VALUE)
    import datetime as dt
    utc = dt.timezone.utc
    bids = [dict(auction=i, bidder=f"b{i}", price=i * 1.5, channel=None if i % 2 else f"c{i}",
                 at=dt.datetime(2024, 1, 1, 0, 0, i, tzinfo=utc), extra={"k": str(i)} if i % 3 else {})
            for i in range(50)]
    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    for bid in bids:
        producer.produce(topic, value=serializer(bid, ctx))
    assert producer.flush(30) == 0
    table = read_avro(topic, kafka_bootstrap, registry)
    assert table.num_rows == 50
    assert table.to_pylist() == [dict(b, extra=list(b["extra"].items())) for b in bids]


def test_cli_reads_avro_through_an_authenticated_registry(kafka_bootstrap, new_topic, registry):
    import subprocess
    from karrow_testing import built_file
    writer = record("Ev", field("id", "long"), field("kind", {"type": "enum", "name": "K", "symbols": ["A", "B"]}),
                    field("u", ["null", "long", "string"]), field("m", {"type": "map", "values": "int"}),
                    field("t", {"type": "int", "logicalType": "time-millis"}),
                    field("fx", {"type": "fixed", "name": "F2", "size": 2}))
    topic = new_topic()
    schema_id = registry.register(f"{topic}-value", json.dumps(writer))
    registry.set_auth(basic="reader:s3cret-pw")
    produce(kafka_bootstrap, topic, [
        {"value": framed(schema_id, writer, dict(id=1, kind="B", u="x", m={"a": 1}, t=3723004, fx=b"\x00\xff"))},
        {"value": framed(schema_id, writer, dict(id=2, kind="A", u=None, m={}, t=0, fx=b"ab"))},
    ])
    base = [built_file("karrow", "KARROW_CLI"), "consume", "-b", kafka_bootstrap, "-t", topic, "-f", "avro",
            "--schema-registry", registry.url, "-e"]
    r = subprocess.run(base + ["-S", "schema_registry.basic_auth_user_info=reader:s3cret-pw"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    for row in rows:
        del row["_timestamp"]
    assert rows == [dict(id=1, kind="B", u="x", m={"a": 1}, t="01:02:03.004", fx="AP8="),
                    dict(id=2, kind="A", u=None, m={}, t="00:00:00.000", fx="YWI=")]
    denied = subprocess.run(base + ["-S", "schema_registry.basic_auth_user_info=reader:wrong-pw"],
                            capture_output=True, text=True, timeout=60)
    assert denied.returncode != 0
    assert "basic auth credentials were rejected" in denied.stderr
    assert "wrong-pw" not in denied.stderr and "s3cret-pw" not in denied.stderr
