"""format=protobuf (README, "Protobuf"): messages written by Python's
protobuf package, framed by confluent-kafka's ProtobufSerializer (which
registers the schema in the test registry) or bare with a local schema, read
into Arrow and compared field by field with what Python's protobuf parses
from the same bytes."""

from __future__ import annotations

import base64
import json
import random
import re
import subprocess

import pyarrow as pa
import pytest

from kafka_helpers import produce
from karrow_testing import built_file, open_reader, read_table
from protobuf_helpers import assert_same_rows, descriptor_set, expected_table, message_classes, row
from schema_registry_server import SchemaRegistryServer

ALL_PROTO = """
syntax = "proto3";
package t.v1;
import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/wrappers.proto";

enum Color { COLOR_UNSPECIFIED = 0; RED = 1; GREEN = 2; }

message All {
  int32 i32 = 1; sint32 s32 = 2; sfixed32 sf32 = 3;
  uint32 u32 = 4; fixed32 f32 = 5;
  int64 i64 = 6; sint64 s64 = 7; sfixed64 sf64 = 8;
  uint64 u64 = 9; fixed64 f64 = 10;
  float fl = 11; double db = 12; bool b = 13; string s = 14; bytes by = 15;
  Color color = 16;
  Inner inner = 17;
  repeated int32 packed_i32 = 18;
  repeated sint64 packed_s64 = 19;
  repeated double packed_d = 20;
  repeated string names = 21;
  repeated Inner inners = 22;
  map<string, int64> counts = 23;
  map<int32, Inner> by_id = 24;
  oneof choice { string text = 25; int64 number = 26; Inner nested = 27; }
  optional int32 maybe = 28;
  google.protobuf.Timestamp at = 29;
  google.protobuf.Duration took = 30;
  google.protobuf.Int64Value wrapped_i64 = 31;
  google.protobuf.StringValue wrapped_s = 32;
  repeated Color colors = 33;
  repeated int32 unpacked = 34 [packed = false];
  uint64 far = 100000;
}

message Inner {
  int32 a = 1;
  repeated string tags = 2;
}

message Other {
  string id = 1;
  message Deep { double x = 1; }
  Deep deep = 2;
}
"""

INNER_T = pa.struct([pa.field("a", pa.int32(), False), pa.field("tags", pa.list_(pa.field("item", pa.utf8(), False)), False)])

ALL_SCHEMA = pa.schema([
    pa.field("i32", pa.int32(), False), pa.field("s32", pa.int32(), False), pa.field("sf32", pa.int32(), False),
    pa.field("u32", pa.uint32(), False), pa.field("f32", pa.uint32(), False),
    pa.field("i64", pa.int64(), False), pa.field("s64", pa.int64(), False), pa.field("sf64", pa.int64(), False),
    pa.field("u64", pa.uint64(), False), pa.field("f64", pa.uint64(), False),
    pa.field("fl", pa.float32(), False), pa.field("db", pa.float64(), False), pa.field("b", pa.bool_(), False),
    pa.field("s", pa.utf8(), False), pa.field("by", pa.binary(), False), pa.field("color", pa.utf8(), False),
    pa.field("inner", INNER_T, True),
    pa.field("packed_i32", pa.list_(pa.field("item", pa.int32(), False)), False),
    pa.field("packed_s64", pa.list_(pa.field("item", pa.int64(), False)), False),
    pa.field("packed_d", pa.list_(pa.field("item", pa.float64(), False)), False),
    pa.field("names", pa.list_(pa.field("item", pa.utf8(), False)), False),
    pa.field("inners", pa.list_(pa.field("item", INNER_T, False)), False),
    pa.field("counts", pa.map_(pa.field("key", pa.utf8(), False), pa.field("value", pa.int64())), False),
    pa.field("by_id", pa.map_(pa.field("key", pa.int32(), False), pa.field("value", INNER_T)), False),
    pa.field("text", pa.utf8(), True), pa.field("number", pa.int64(), True), pa.field("nested", INNER_T, True),
    pa.field("maybe", pa.int32(), True),
    pa.field("at", pa.timestamp("ns", "UTC"), True), pa.field("took", pa.duration("ns"), True),
    pa.field("wrapped_i64", pa.int64(), True), pa.field("wrapped_s", pa.utf8(), True),
    pa.field("colors", pa.list_(pa.field("item", pa.utf8(), False)), False),
    pa.field("unpacked", pa.list_(pa.field("item", pa.int32(), False)), False),
    pa.field("far", pa.uint64(), False),
])


@pytest.fixture
def registry():
    server = SchemaRegistryServer(prefix="/registry/v1")
    yield server
    server.close()


@pytest.fixture
def all_classes(tmp_path):
    fds = descriptor_set(tmp_path, {"t/v1/all.proto": ALL_PROTO}, "t/v1/all.proto")
    return fds, message_classes(fds)


def random_all(cls, inner_cls, rng: random.Random, i: int):
    """A message with every field drawn from its edge values, or left unset."""
    m = cls()
    ints32 = [0, 1, -1, 2**31 - 1, -(2**31), 300]
    ints64 = [0, 1, -1, 2**63 - 1, -(2**63), 2**40]
    pick = rng.choice
    if rng.random() < 0.8:
        m.i32, m.s32, m.sf32 = pick(ints32), pick(ints32), pick(ints32)
        m.u32, m.f32 = pick([0, 1, 2**32 - 1]), pick([0, 7, 2**32 - 1])
        m.i64, m.s64, m.sf64 = pick(ints64), pick(ints64), pick(ints64)
        m.u64, m.f64 = pick([0, 2**64 - 1, 5]), pick([0, 2**64 - 1, 9])
        m.fl, m.db = pick([0.0, 1.5, -2.25, 3.0e38]), pick([0.0, -1e308, 2.5, 1e-300])
        m.b = pick([True, False])
        m.s = pick(["", "plain", "h\u00e9llo \u2603", "\U0001f600" * 3])
        m.by = pick([b"", b"\x00\xff\x80", bytes(range(256))])
        m.color = pick([0, 1, 2, 7])  # 7: a number the enum does not name
    if rng.random() < 0.6:
        m.inner.a = pick(ints32)
        m.inner.tags.extend(rng.sample(["x", "y", "z\u00e9"], rng.randint(0, 3)))
    m.packed_i32.extend(pick(ints32) for _ in range(rng.randint(0, 5)))
    m.packed_s64.extend(pick(ints64) for _ in range(rng.randint(0, 4)))
    m.packed_d.extend(rng.uniform(-1e6, 1e6) for _ in range(rng.randint(0, 3)))
    m.names.extend(f"n{i}-{k}" for k in range(rng.randint(0, 3)))
    for k in range(rng.randint(0, 3)):
        it = m.inners.add()
        it.a = k
        it.tags.append(f"t{k}")
    for k in range(rng.randint(0, 3)):
        m.counts[f"k{k}"] = pick(ints64)
    for k in range(rng.randint(0, 2)):
        m.by_id[pick(ints32)].a = k
    c = rng.randint(0, 3)
    if c == 1:
        m.text = pick(["", "chosen"])
    elif c == 2:
        m.number = pick(ints64)
    elif c == 3:
        m.nested.a = 5
    if rng.random() < 0.5:
        m.maybe = pick([0, -3])
    if rng.random() < 0.7:
        m.at.seconds, m.at.nanos = pick([0, 1700000000, -86400 * 365 * 100]), pick([0, 1, 999999999])
    if rng.random() < 0.7:
        m.took.seconds, m.took.nanos = pick([0, 3600, -5]), pick([0, 250, -1]) if rng.random() < 0.5 else 0
        if m.took.seconds > 0 and m.took.nanos < 0:
            m.took.nanos = 0
    if rng.random() < 0.5:
        m.wrapped_i64.value = pick(ints64)
    if rng.random() < 0.5:
        m.wrapped_s.value = pick(["", "w"])
    m.colors.extend(pick([0, 1, 2, 9]) for _ in range(rng.randint(0, 3)))
    m.unpacked.extend(pick(ints32) for _ in range(rng.randint(0, 3)))
    if rng.random() < 0.5:
        m.far = pick([1, 2**64 - 1])
    return m


def serializer_for(registry, cls):
    from confluent_kafka.schema_registry import SchemaRegistryClient
    from confluent_kafka.schema_registry.protobuf import ProtobufSerializer
    client = SchemaRegistryClient({"url": registry.url})
    return ProtobufSerializer(cls, client, {"use.deprecated.format": False})


def serialize_all(topic, serializer, messages) -> list[bytes]:
    from confluent_kafka.serialization import MessageField, SerializationContext
    ctx = SerializationContext(topic, MessageField.VALUE)
    return [serializer(m, ctx) for m in messages]


def read_protobuf(topic, bootstrap, **options) -> pa.Table:
    with open_reader(topic, bootstrap, format="protobuf", **options) as r:
        return read_table(r).drop_columns(["_timestamp"])


def test_confluent_serializer_output_reads_exactly(kafka_bootstrap, new_topic, registry, all_classes):
    _, classes = all_classes
    cls, inner = classes["t.v1.All"], classes["t.v1.Inner"]
    rng = random.Random(7)
    messages = [random_all(cls, inner, rng, i) for i in range(300)] + [cls()]
    topic = new_topic()
    values = serialize_all(topic, serializer_for(registry, cls), messages)
    assert all(v[5] == 0 for v in values)  # the one-byte path [0]
    produce(kafka_bootstrap, topic, [{"value": v} for v in values])
    table = read_protobuf(topic, kafka_bootstrap, **{"schema_registry.url": registry.url})
    assert table.schema == ALL_SCHEMA
    expected = expected_table([cls.FromString(v[6:]) for v in values], ALL_SCHEMA)
    assert table.num_rows == len(messages)
    assert_same_rows(table, expected)


def test_a_nested_message_type_and_a_local_schema(kafka_bootstrap, new_topic, registry, all_classes):
    fds, classes = all_classes
    other = classes["t.v1.Other"]
    messages = [other(id="a", deep=other.Deep(x=1.5)), other(id=""), other(deep=other.Deep())]
    topic = new_topic()
    values = serialize_all(topic, serializer_for(registry, other), messages)
    # Other is the third message of the file: path [2], written as count 1 then index 2 (zig-zag).
    assert all(v[5:7] == b"\x02\x04" for v in values)
    produce(kafka_bootstrap, topic, [{"value": v} for v in values])
    want = [dict(id="a", deep=dict(x=1.5)), dict(id="", deep=None), dict(id="", deep=dict(x=0.0))]
    # The reader is the registry's latest schema, with the message named.
    table = read_protobuf(topic, kafka_bootstrap, protobuf_message="t.v1.Other",
                          **{"schema_registry.url": registry.url})
    assert table.to_pylist() == want
    # The reader is local .proto text; and a descriptor set, in base64.
    for schema in (ALL_PROTO, base64.b64encode(fds).decode()):
        table = read_protobuf(topic, kafka_bootstrap, protobuf_message="t.v1.Other", value_schema=schema,
                              **{"schema_registry.url": registry.url})
        assert table.to_pylist() == want
    # Read as All, they are records of another message: bad data.
    with pytest.raises(Exception, match=r"the record's message is t\.v1\.Other, not t\.v1\.All"):
        read_protobuf(topic, kafka_bootstrap, **{"schema_registry.url": registry.url})


def test_bare_messages_with_a_local_schema(kafka_bootstrap, new_topic, all_classes):
    _, classes = all_classes
    cls = classes["t.v1.All"]
    rng = random.Random(11)
    messages = [random_all(cls, classes["t.v1.Inner"], rng, i) for i in range(50)]
    topic = new_topic()
    produce(kafka_bootstrap, topic, [{"value": m.SerializeToString()} for m in messages])
    table = read_protobuf(topic, kafka_bootstrap, value_schema=ALL_PROTO, confluent_framing=False)
    assert_same_rows(table, expected_table(messages, ALL_SCHEMA))


PROTO2 = """
syntax = "proto2";
package p2;
message Rec {
  required int64 id = 1;
  optional string name = 2;
  optional int32 n = 3 [default = 42];
  optional Sub sub = 4;
  repeated int32 xs = 5;
  enum Kind { A = 1; B = 2; }
  optional Kind kind = 6;
}
message Sub { optional bool flag = 1; }
"""


def test_proto2_presence_and_required_fields(kafka_bootstrap, new_topic, tmp_path):
    classes = message_classes(descriptor_set(tmp_path, {"p2.proto": PROTO2}, "p2.proto"))
    rec = classes["p2.Rec"]
    messages = [rec(id=1), rec(id=2, name="", n=0, sub=classes["p2.Sub"](), xs=[1, 2], kind=2),
                rec(id=3, name="x", sub=classes["p2.Sub"](flag=False))]
    topic = new_topic()
    # The third value lacks the required id (written by hand: Python refuses to).
    produce(kafka_bootstrap, topic, [{"value": m.SerializeToString()} for m in messages] +
            [{"value": b"\x12\x01y"}])
    table = read_protobuf(topic, kafka_bootstrap, value_schema=PROTO2, confluent_framing=False,
                          bad_data="drop", metadata_fields=["offset_id"])
    assert table.schema.field("id").nullable is False
    assert table.schema.field("name").nullable is True
    assert table.drop_columns(["offset_id"]).to_pylist() == [row(m) for m in messages]
    assert table.to_pylist()[1]["n"] == 0 and table.to_pylist()[0]["n"] is None  # absent is null, not 42
    assert table.column("offset_id").to_pylist() == [0, 1, 2]
    with pytest.raises(Exception, match=r"at byte|in field id: required field is missing"):
        read_protobuf(topic, kafka_bootstrap, value_schema=PROTO2, confluent_framing=False)


EVOLVE_V1 = """
syntax = "proto3";
package ev;
message E { int64 id = 1; string gone = 2; repeated Part parts = 3; }
message Part { int32 x = 1; }
"""
EVOLVE_V2 = """
syntax = "proto3";
package ev;
message E { int64 id = 1; repeated Part parts = 3; optional double added = 4; string note = 5; }
message Part { int64 x = 1; bool y = 2; }
"""


def test_writer_and_reader_schemas_evolve(kafka_bootstrap, new_topic, registry, tmp_path):
    v1 = message_classes(descriptor_set(tmp_path / "1", {"ev.proto": EVOLVE_V1}, "ev.proto"))["ev.E"]
    v2 = message_classes(descriptor_set(tmp_path / "2", {"ev.proto": EVOLVE_V2}, "ev.proto"))["ev.E"]
    topic = new_topic()
    old = [v1(id=1, gone="dropped", parts=[dict(x=-1)]), v1(id=2)]
    new = [v2(id=3, parts=[dict(x=2**40, y=True)], added=0.5, note="n"), v2(id=4)]
    values = (serialize_all(topic, serializer_for(registry, v1), old) +
              serialize_all(topic, serializer_for(registry, v2), new))
    assert values[0][1:5] != values[2][1:5]  # two schema ids
    produce(kafka_bootstrap, topic, [{"value": v} for v in values])
    # The reader is the latest (v2): v1's `gone` is skipped, v2's new fields are absent in v1.
    table = read_protobuf(topic, kafka_bootstrap, **{"schema_registry.url": registry.url})
    assert table.to_pylist() == [row(v2.FromString(v[6:])) for v in values]
    assert table.to_pylist()[0] == dict(id=1, parts=[dict(x=-1, y=False)], added=None, note="")
    # The reader is v1: v2's fields are unknown, skipped.
    table = read_protobuf(topic, kafka_bootstrap, value_schema=EVOLVE_V1, **{"schema_registry.url": registry.url})
    assert table.to_pylist() == [row(v1.FromString(v[6:])) for v in values]


def test_a_type_change_that_reads_wrong_is_bad_data(kafka_bootstrap, new_topic, registry, tmp_path):
    writer = message_classes(descriptor_set(tmp_path, {"w.proto": "syntax = 'proto3'; package c; "
                                                        "message M { sint64 v = 1; }"}, "w.proto"))["c.M"]
    topic = new_topic()
    values = serialize_all(topic, serializer_for(registry, writer), [writer(v=-2)])
    produce(kafka_bootstrap, topic, [{"value": v} for v in values])
    reader = "syntax = 'proto3'; package c; message M { int64 v = 1; }"
    with pytest.raises(Exception, match=r"cannot be read as the reader's c\.M: field v \(number 1\) is sint64 "
                                        r"in the writer's c\.M and int64 in the reader's"):
        read_protobuf(topic, kafka_bootstrap, value_schema=reader, **{"schema_registry.url": registry.url})


def test_registered_proto_text_with_references(kafka_bootstrap, new_topic, registry, tmp_path):
    common = 'syntax = "proto3";\npackage shop.common;\nmessage Money { string currency = 1; int64 units = 2; }\n'
    order = ('syntax = "proto3";\npackage shop;\nimport "shop/common/money.proto";\n'
             'import "google/protobuf/timestamp.proto";\n'
             'message Order { string id = 1; shop.common.Money total = 2; google.protobuf.Timestamp at = 3; }\n')
    classes = message_classes(descriptor_set(tmp_path, {"shop/common/money.proto": common, "shop/order.proto": order},
                                             "shop/order.proto"))
    topic = new_topic()
    registry.register("money", common, "PROTOBUF")
    schema_id = registry.register(f"{topic}-value", order, "PROTOBUF",
                                  [{"name": "shop/common/money.proto", "subject": "money", "version": 1}])
    m = classes["shop.Order"](id="o1")
    m.total.currency, m.total.units = "EUR", 12
    m.at.seconds, m.at.nanos = 1700000000, 123456789
    produce(kafka_bootstrap, topic, [{"value": b"\x00" + schema_id.to_bytes(4, "big") + b"\x00" +
                                      m.SerializeToString()}])
    table = read_protobuf(topic, kafka_bootstrap, **{"schema_registry.url": registry.url})
    assert table.schema.field("at").type == pa.timestamp("ns", "UTC")
    assert_same_rows(table, expected_table([m], table.schema))
    assert table.column("at").cast(pa.int64()).to_pylist() == [1700000000123456789]
    # A reference the registry does not have: the reader schema cannot be built.
    bad_topic = new_topic()
    registry.register(f"{bad_topic}-value", order, "PROTOBUF",
                      [{"name": "shop/common/money.proto", "subject": "money", "version": 9}])
    with pytest.raises(Exception, match=r"its reference 'shop/common/money.proto'.*version 9"):
        read_protobuf(bad_topic, kafka_bootstrap, **{"schema_registry.url": registry.url})


HOSTILE_PROTO = "syntax = 'proto3'; package h; message H { int32 a = 1; string s = 2; repeated fixed32 f = 3; Sub sub = 4; }" \
                " message Sub { int32 b = 1; }"


@pytest.mark.parametrize("value,error", [
    (b"\x08", "varint is cut off"),
    (b"\x08" + b"\xff" * 10 + b"\x01", "varint is longer than 10 bytes"),
    (b"\x12\x05ab", "length 5 of field 2 exceeds the 2 bytes left"),
    (b"\x12\x02\xc3\x28", "in field s: string is not valid UTF-8"),
    (b"\x0b\x0c", "group wire type"),
    (b"\x0d\x01\x02\x03\x04", "in field a: wire type 5 where the schema's type has wire type 0"),
    (b"\x1a\x03\x01\x02\x03", "not a multiple of their 4-byte width"),
    (b"\x22\x01\x08", "in field sub: varint is cut off"),
    (b"\x0f", "field 1 has invalid wire type 7"),
    (b"\x00\x00", "field number 0 is out of range"),
])
def test_hostile_messages_are_bad_data(kafka_bootstrap, new_topic, value, error):
    topic = new_topic()
    produce(kafka_bootstrap, topic, [{"value": value}, {"value": b"\x08\x05"}])
    with pytest.raises(Exception, match=error):
        read_protobuf(topic, kafka_bootstrap, value_schema=HOSTILE_PROTO, confluent_framing=False)
    table = read_protobuf(topic, kafka_bootstrap, value_schema=HOSTILE_PROTO, confluent_framing=False,
                          bad_data="drop")
    assert table.to_pylist() == [dict(a=5, s="", f=[], sub=None)]


def test_wire_rules_last_wins_merge_and_packing(kafka_bootstrap, new_topic):
    proto = ("syntax = 'proto3'; package w; message W { int32 a = 1; Sub sub = 2; repeated int32 r = 3;"
             " oneof o { int32 x = 4; Sub y = 5; } }  message Sub { int32 b = 1; int32 c = 2; repeated int32 l = 3; }")
    value = (b"\x08\x01" b"\x12\x04\x08\x07\x18\x01" b"\x08\x02"  # a=1, sub{b=7,l=[1]}, a=2
             b"\x1a\x02\x05\x06" b"\x18\x07" b"\x1a\x01\x08"      # r packed [5,6], unpacked 7, packed [8]
             b"\x12\x04\x10\x09\x18\x02"                          # sub again: {c=9, l=[2]} merges
             b"\x2a\x02\x08\x01" b"\x20\x03"                      # oneof: y{b=1} then x=3: x wins
             b"\x98\x06\x01")                                     # unknown field 99: skipped
    topic = new_topic()
    produce(kafka_bootstrap, topic, [{"value": value}, {"value": b"\x20\x03\x2a\x02\x08\x01\x2a\x02\x10\x02"}])
    table = read_protobuf(topic, kafka_bootstrap, value_schema=proto, confluent_framing=False)
    assert table.to_pylist() == [
        dict(a=2, sub=dict(b=7, c=9, l=[1, 2]), r=[5, 6, 7, 8], x=3, y=None),
        # x then y twice: y wins, its two occurrences merged.
        dict(a=0, sub=None, r=[], x=None, y=dict(b=1, c=2, l=[])),
    ]


def test_cli_reads_what_the_serializer_wrote(kafka_bootstrap, new_topic, registry, all_classes, tmp_path):
    fds, classes = all_classes
    other = classes["t.v1.Other"]
    topic = new_topic()
    values = serialize_all(topic, serializer_for(registry, other), [other(id="c1", deep=other.Deep(x=2.5)),
                                                                    other(id="c2")])
    produce(kafka_bootstrap, topic, [{"value": v} for v in values])
    cli = built_file("karrow", "KARROW_CLI")
    base = [cli, "consume", "-b", kafka_bootstrap, "-t", topic, "-f", "protobuf", "-e",
            "--schema-registry", registry.url, "--proto-message", "t.v1.Other"]
    want = [dict(id="c1", deep=dict(x=2.5)), dict(id="c2", deep=None)]
    (tmp_path / "all.proto").write_text(ALL_PROTO)
    (tmp_path / "all.pb").write_bytes(fds)
    for extra in ([], ["--schema", str(tmp_path / "all.proto")], ["--schema", str(tmp_path / "all.pb")]):
        r = subprocess.run(base + extra, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        rows = [json.loads(line) for line in r.stdout.splitlines()]
        assert [{k: v for k, v in x.items() if k != "_timestamp"} for x in rows] == want, extra
    r = subprocess.run([cli, "consume", "-b", kafka_bootstrap, "-t", topic, "-f", "protobuf", "-e",
                        "--property", f"schema_registry.url={registry.url}",
                        "--property", "protobuf_message=t.v1.Nope"], capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert "no message named 't.v1.Nope'" in r.stderr


@pytest.mark.parametrize("schema,error", [
    ("syntax = 'proto3'; message M { int32 a = 1 }", "value_schema.proto line 1 column 44: Expected \";\""),
    ("syntax = 'proto3';\nmessage M {\n  Missing a = 1;\n}", "line 3 column 3 (M.a): \"Missing\" is not defined"),
    ("syntax = 'proto3'; message N { N child = 1; }", "message N contains itself"),
    ("syntax = 'proto3'; import 'nowhere.proto'; message M {}", "nowhere.proto"),
    ("syntax = 'proto2'; message G { optional group Grp = 1 { optional int32 a = 2; } }", "is a group"),
])
def test_schema_errors_name_the_line(kafka_bootstrap, new_topic, schema, error):
    topic = new_topic()
    with pytest.raises(Exception, match=re.escape(error)):
        read_protobuf(topic, kafka_bootstrap, value_schema=schema, confluent_framing=False)


def test_framing_errors_are_bad_data(kafka_bootstrap, new_topic, registry):
    proto = "syntax = 'proto3'; package fr; message M { int32 a = 1; }"
    topic = new_topic()
    good = registry.register(f"{topic}-value", proto, "PROTOBUF")
    avro = registry.register("avro-value", json.dumps({"type": "record", "name": "R", "fields": []}))
    head = b"\x00" + good.to_bytes(4, "big")
    cases = [
        (head, "the message-index path after the schema id is cut off"),
        (head + b"\x02", "the message-index path after the schema id is cut off"),
        (head + b"\x01", "the message-index path has -1 indexes"),
        (head + b"\x02\x02\x08\x01", "message index [1] names no message of schema id"),
        (b"\x00" + (9999).to_bytes(4, "big") + b"\x00", "schema id 9999 is not in the schema registry"),
        (b"\x00" + avro.to_bytes(4, "big") + b"\x00", f"schema id {avro} is a AVRO schema, not Protobuf"),
        (b"\x01" + head[1:] + b"\x00", "not the Confluent magic byte 0"),
    ]
    produce(kafka_bootstrap, topic, [{"value": v} for v, _ in cases] + [{"value": head + b"\x00\x08\x05"}])
    for i, (value, error) in enumerate(cases):
        single = new_topic()
        produce(kafka_bootstrap, single, [{"value": value}])
        with pytest.raises(Exception, match=re.escape(error)):
            read_protobuf(single, kafka_bootstrap, value_schema=proto, **{"schema_registry.url": registry.url})
    table = read_protobuf(topic, kafka_bootstrap, bad_data="drop", **{"schema_registry.url": registry.url})
    assert table.to_pylist() == [dict(a=5)]


def test_options_are_checked_before_connecting(kafka_bootstrap, new_topic):
    import karrow
    topic = new_topic()
    with pytest.raises(karrow.KarrowError, match="format=protobuf reads the Confluent wire format"):
        read_protobuf(topic, kafka_bootstrap)
    with pytest.raises(karrow.KarrowError, match="confluent_framing=false reads bare messages, which needs"):
        read_protobuf(topic, kafka_bootstrap, confluent_framing=False)
    with pytest.raises(karrow.KarrowError, match="protobuf_message: only format=protobuf"):
        with open_reader(topic, kafka_bootstrap, format="json", protobuf_message="a.B"):
            pass


def test_an_unreachable_registry_stops_the_task_instead_of_dropping(kafka_bootstrap, new_topic, registry):
    proto = "syntax = 'proto3'; package un; message M { int32 a = 1; }"
    topic = new_topic()
    # A reference the registry fails to serve (HTTP 500, every time) stops the task too.
    base = registry.register("un-base", "syntax = 'proto3'; package un.base; message B {}", "PROTOBUF")
    with_ref = registry.register(f"{topic}-value", "syntax = 'proto3'; package un; import 'b.proto'; "
                                 "message M { int32 a = 1; }", "PROTOBUF",
                                 [{"name": "b.proto", "subject": "un-base", "version": 1}])
    assert base != with_ref
    registry.set_fault("/subjects/un-base/versions/1", status=500)
    produce(kafka_bootstrap, topic, [{"value": b"\x00" + with_ref.to_bytes(4, "big") + b"\x00\x08\x01"}])
    options = {"schema_registry.max_retries": "1", "schema_registry.timeout_ms": "2000",
               "schema_registry.retry_backoff_ms": "10"}
    with pytest.raises(OSError, match=r"fetching the writer schema of schema id \d+: its reference 'b.proto': "
                                      r".*HTTP 500"):
        read_protobuf(topic, kafka_bootstrap, bad_data="drop", value_schema=proto,
                      **{"schema_registry.url": registry.url}, **options)
    gone = SchemaRegistryServer()
    url = gone.url
    gone.close()
    with pytest.raises(OSError, match="fetching the writer schema of schema id"):
        read_protobuf(topic, kafka_bootstrap, bad_data="drop", value_schema=proto,
                      **{"schema_registry.url": url}, **options)
