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
    lib.karrow_stream_metrics.argtypes = [ctypes.POINTER(ArrowArrayStream), ctypes.POINTER(ctypes.c_void_p),
                                          ctypes.c_char_p, ctypes.c_size_t]
    lib.karrow_stream_metrics.restype = ctypes.c_int
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


GetSchema = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ArrowArrayStream), ctypes.c_void_p)
GetNext = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ArrowArrayStream), ctypes.c_void_p)
Release = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowArrayStream))


def stream_metrics(capi, stream) -> str:
    text = ctypes.c_void_p()
    error = ctypes.create_string_buffer(4096)
    rc = capi.karrow_stream_metrics(ctypes.byref(stream), ctypes.byref(text), error, len(error))
    assert rc == 0, error.value
    try:
        return ctypes.string_at(text.value).decode()
    finally:
        ctypes.CDLL(None).free(text)


def test_stream_metrics_while_and_after_reading(capi, kafka_bootstrap, new_topic):
    topic = new_topic(2)
    produce(kafka_bootstrap, topic, [{"value": b"a", "partition": 0}, {"value": b"bb", "partition": 0},
                                     {"value": b"ccc", "partition": 1}])
    rc, message, stream, _ = open_stream(capi, {"topic": topic, "bootstrap_servers": kafka_bootstrap,
                                                "stop_at_end": "true", "linger_ms": "20"})
    assert rc == 0, message
    labels = f'topic="{topic}",task="0"'
    before = stream_metrics(capi, stream)
    assert f"karrow_records_read_total{{{labels}}} 0\n" in before
    # Read through the stream's own functions (as a C program does), so that
    # the stream stays this test's to ask for metrics.
    schema_buffer = ctypes.create_string_buffer(72)  # struct ArrowSchema
    assert GetSchema(stream.get_schema)(ctypes.byref(stream), ctypes.addressof(schema_buffer)) == 0
    schema = pa.Schema._import_from_c(ctypes.addressof(schema_buffer))
    rows = 0
    while True:
        array_buffer = ctypes.create_string_buffer(80)  # struct ArrowArray
        assert GetNext(stream.get_next)(ctypes.byref(stream), ctypes.addressof(array_buffer)) == 0
        if ctypes.c_void_p.from_buffer(array_buffer, 64).value is None:  # release == NULL: the end
            break
        batch = pa.RecordBatch._import_from_c(ctypes.addressof(array_buffer), schema)
        batch.validate(full=True)
        rows += batch.num_rows
    assert rows == 3
    after = stream_metrics(capi, stream)
    for line in (f"karrow_records_read_total{{{labels}}} 3", f"karrow_rows_emitted_total{{{labels}}} 3",
                 f"karrow_value_bytes_read_total{{{labels}}} 6",
                 f'karrow_partition_lag_records{{topic="{topic}",partition="0"}} 0',
                 f'karrow_partition_next_offset{{topic="{topic}",partition="0"}} 2',
                 f'karrow_partition_next_offset{{topic="{topic}",partition="1"}} 1',
                 "# TYPE karrow_partition_lag_records gauge", "# TYPE karrow_records_read_total counter"):
        assert line + "\n" in after, after
    Release(stream.release)(ctypes.byref(stream))
    assert not stream.release
    error = ctypes.create_string_buffer(4096)
    text = ctypes.c_void_p()
    assert capi.karrow_stream_metrics(ctypes.byref(stream), ctypes.byref(text), error, len(error)) == errno.EINVAL
    assert error.value.decode() == "karrow_stream_metrics: not a stream of karrow_kafka_stream_open, or released"
    assert text.value is None
