"""Protobuf test helpers: message classes made from .proto text at test time
(through tests/support/proto_descriptor_set.cc, no protoc binary), and the
Arrow value karrow must produce for a parsed message, computed from Python's
protobuf by the mapping of the README's Protobuf table."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pyarrow as pa
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import FieldDescriptor as FD

from karrow_testing import built_file


def descriptor_set(tmp_path: Path, files: dict[str, str], main: str) -> bytes:
    """The serialized FileDescriptorSet of `main` (imports first) among `files`."""
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    tool = built_file("karrow_proto_descriptor_set", "KARROW_PROTO_DESCRIPTOR_SET")
    r = subprocess.run([tool, str(tmp_path), main], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout


def message_classes(set_bytes: bytes) -> dict:
    """Message classes by full name, from a fresh pool (tests do not collide)."""
    fds = descriptor_pb2.FileDescriptorSet.FromString(set_bytes)
    pool = descriptor_pool.DescriptorPool()
    for f in fds.file:
        pool.Add(f)
    classes = {}

    def walk(d):
        classes[d.full_name] = message_factory.GetMessageClass(d)
        for n in d.nested_types:
            walk(n)

    for f in fds.file:
        for m in pool.FindFileByName(f.name).message_types_by_name.values():
            walk(m)
    return classes


WRAPPERS = {f"google.protobuf.{n}Value" for n in
            ("Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes")}


def _value(field, v):
    if field.type == FD.TYPE_ENUM:
        known = field.enum_type.values_by_number.get(v)
        return known.name if known else str(v)
    if field.type == FD.TYPE_MESSAGE:
        name = field.message_type.full_name
        if name in ("google.protobuf.Timestamp", "google.protobuf.Duration"):
            return v.seconds * 1_000_000_000 + v.nanos
        if name in WRAPPERS:
            return v.value
        return row(v)
    return v


def _has_presence(field) -> bool:
    return field.has_presence


def row(msg) -> dict:
    """The Arrow row of `msg`: one entry per field, declaration order."""
    out = {}
    for field in msg.DESCRIPTOR.fields:
        v = getattr(msg, field.name)
        is_map = field.type == FD.TYPE_MESSAGE and field.message_type.GetOptions().map_entry
        if is_map:
            vf = field.message_type.fields_by_name["value"]
            out[field.name] = [(k, _value(vf, v[k])) for k in v]
        elif field.is_repeated:
            out[field.name] = [_value(field, x) for x in v]
        elif _has_presence(field) and not msg.HasField(field.name):
            out[field.name] = None
        else:
            out[field.name] = _value(field, v)
    return out


def expected_table(messages, schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist([row(m) for m in messages], schema=schema)


def _sorted_maps(column: pa.ChunkedArray) -> list:
    return [sorted(v, key=lambda kv: kv[0]) for v in column.to_pylist()]


def assert_same_rows(table: pa.Table, expected: pa.Table) -> None:
    """Column by column (for a readable failure): exactly equal, except that
    a map's entries are compared in key order (Python's protobuf keeps maps
    in hash order, karrow in the order they were written)."""
    assert table.schema == expected.schema
    assert table.num_rows == expected.num_rows
    for name, field in zip(table.schema.names, table.schema):
        if pa.types.is_map(field.type):
            assert _sorted_maps(table.column(name)) == _sorted_maps(expected.column(name)), name
        else:
            assert table.column(name).equals(expected.column(name)), name
