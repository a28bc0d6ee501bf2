"""The C API (include/karrow/karrow.h, libkarrow.so) through ctypes, as a C
program would call it: the Python package no longer uses it, so these are
its tests. Streams are imported by pyarrow and validated in full."""

from __future__ import annotations

import base64
import ctypes
import errno
import uuid

import pyarrow as pa
import pytest

from kafka_helpers import produce
from karrow_testing import built_file, karrow


class ArrowArrayStream(ctypes.Structure):
    _fields_ = [("get_schema", ctypes.c_void_p), ("get_next", ctypes.c_void_p),
                ("get_last_error", ctypes.c_void_p), ("release", ctypes.c_void_p),
                ("private_data", ctypes.c_void_p)]


@pytest.fixture(scope="module")
def capi():
    lib = ctypes.CDLL(built_file("libkarrow.so", "KARROW_LIB"))
    lib.karrow_version.restype = ctypes.c_char_p
    lib.karrow_kafka_stream_open.argtypes = [
        ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t, ctypes.c_int32,
        ctypes.c_int32, ctypes.POINTER(ArrowArrayStream), ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p,
        ctypes.c_size_t]
    lib.karrow_kafka_stream_open.restype = ctypes.c_int
    lib.karrow_dead_letters_take.argtypes = [ctypes.c_void_p, ctypes.POINTER(ArrowArrayStream), ctypes.c_char_p,
                                             ctypes.c_size_t]
    lib.karrow_dead_letters_take.restype = ctypes.c_int
    lib.karrow_dead_letters_free.argtypes = [ctypes.c_void_p]
    lib.karrow_dead_letters_free.restype = None
    return lib


def open_stream(capi, properties: dict[str, str]):
    """(rc, error message, stream, dead-letter handle)."""
    keys = (ctypes.c_char_p * len(properties))(*[k.encode() for k in properties])
    values = (ctypes.c_char_p * len(properties))(*[v.encode() for v in properties.values()])
    stream = ArrowArrayStream()
    dead_letters = ctypes.c_void_p()
    error = ctypes.create_string_buffer(4096)
    rc = capi.karrow_kafka_stream_open(keys, values, len(properties), 0, 1, ctypes.byref(stream),
                                       ctypes.byref(dead_letters), error, len(error))
    return rc, error.value.decode(), stream, dead_letters


def read(stream: ArrowArrayStream) -> pa.Table:
    reader = pa.RecordBatchReader._import_from_c(ctypes.addressof(stream))
    batches = list(reader)
    for batch in batches:
        batch.validate(full=True)
    return pa.Table.from_batches(batches, schema=reader.schema)


def test_version_is_the_packages(capi):
    assert capi.karrow_version().decode() == karrow.__version__


def test_stream_and_dead_letters(capi, kafka_bootstrap, new_topic):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": v} for v in (b"ok-0", b"\xff", b"ok-2")])
    rc, message, stream, dead_letters = open_stream(capi, {
        "topic": topic, "bootstrap_servers": kafka_bootstrap, "stop_at_end": "true", "linger_ms": "20",
        "bad_data": "drop", "dead_letter": "true", "metadata_fields": "offset_id",
        "connect_timeout_ms": "60000"})
    assert rc == 0, message
    assert dead_letters.value
    try:
        table = read(stream)
        assert table.column("value").to_pylist() == ["ok-0", "ok-2"]
        assert table.column("offset_id").to_pylist() == [0, 2]
        letters_stream = ArrowArrayStream()
        error = ctypes.create_string_buffer(4096)
        assert capi.karrow_dead_letters_take(dead_letters, ctypes.byref(letters_stream), error, len(error)) == 0
        letters = read(letters_stream)
        assert letters.column("offset").to_pylist() == [1]
        assert letters.column("value").to_pylist() == [b"\xff"]
    finally:
        capi.karrow_dead_letters_free(dead_letters)


def test_bad_configuration_is_einval_with_a_message(capi):
    rc, message, stream, _ = open_stream(capi, {"topic": "t", "bootstrap_servers": "127.0.0.1:1",
                                                "batch_size": "0"})
    assert rc == errno.EINVAL
    assert "batch_size=0" in message
    assert not stream.release  # left untouched


def test_a_refused_secret_is_not_in_the_error(capi):
    # README, "Secrets"; test_secrets.py plants sentinels through the CLI and Python.
    secret = "S" + uuid.uuid4().hex
    rc, message, _, _ = open_stream(capi, {"topic": "t", "bootstrap_servers": "127.0.0.1:1",
                                           "client_configs.sasl.jaas.config": f"password={secret}"})
    assert rc == errno.EINVAL
    assert "client_configs.sasl.jaas.config=<redacted>" in message
    assert secret not in message
    assert base64.b64encode(secret.encode()).decode().rstrip("=") not in message
