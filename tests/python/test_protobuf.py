"""format=protobuf (README, "Protobuf"): messages written by Python's
protobuf package, framed by confluent-kafka's ProtobufSerializer (which
registers the schema in the test registry) or bare with a local schema, read
into Arrow and compared field by field with what Python's protobuf parses
from the same bytes."""

from __future__ import annotations

import base64
import json
import random
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
