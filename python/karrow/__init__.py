"""karrow: read Apache Kafka topics into Apache Arrow record batches.

    import karrow, pyarrow as pa
    reader = karrow.read_kafka("orders", "localhost:9092", format="json",
                               metadata_fields=["key", "offset_id"], stop_at_end=True)
    table = pa.table(reader)          # via the Arrow PyCapsule stream protocol

With ``bad_data="drop", dead_letter=True``, ``reader.dead_letters()`` returns
the records dropped as bad data, as a pyarrow Table.
"""

from __future__ import annotations

import ctypes
import json
import os
from pathlib import Path
from typing import Iterable, Mapping, Optional

__all__ = ["KafkaReader", "read_kafka", "KarrowError"]


class KarrowError(RuntimeError):
    """Raised when karrow cannot open a source; the message says what to fix."""


class _ArrowArrayStream(ctypes.Structure):
    _fields_ = [
        ("get_schema", ctypes.c_void_p),
        ("get_next", ctypes.c_void_p),
        ("get_last_error", ctypes.c_void_p),
        ("release", ctypes.c_void_p),
        ("private_data", ctypes.c_void_p),
    ]


def _find_library() -> str:
    env = os.environ.get("KARROW_LIB")
    if env:
        return env
    here = Path(__file__).resolve().parent
    candidates = [here / "libkarrow.so"]
    root = here.parent.parent
    candidates += [root / "build" / p / "libkarrow.so" for p in ("release", "debug", "asan")]
    for c in candidates:
        if c.exists():
            return str(c)
    raise KarrowError("libkarrow.so not found: build karrow (./scripts/test builds it) or set KARROW_LIB")


_lib = None


def _library():
    global _lib
    if _lib is None:
        lib = ctypes.CDLL(_find_library())
        lib.karrow_kafka_stream_open.argtypes = [
            ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t,
            ctypes.c_int32, ctypes.c_int32, ctypes.POINTER(_ArrowArrayStream),
            ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p, ctypes.c_size_t]
        lib.karrow_kafka_stream_open.restype = ctypes.c_int
        lib.karrow_dead_letters_take.argtypes = [
            ctypes.c_void_p, ctypes.POINTER(_ArrowArrayStream), ctypes.c_char_p, ctypes.c_size_t]
        lib.karrow_dead_letters_take.restype = ctypes.c_int
        lib.karrow_dead_letters_free.argtypes = [ctypes.c_void_p]
        lib.karrow_dead_letters_free.restype = None
        lib.karrow_version.restype = ctypes.c_char_p
        _lib = lib
    return _lib


def _as_property(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


class KafkaReader:
    """One task's stream of record batches from a Kafka topic.

    Implements ``__arrow_c_stream__``, so ``pyarrow.table(reader)`` or
    ``pyarrow.RecordBatchReader.from_stream(reader)`` consume it. The stream can
    be taken once.

    With ``bad_data="drop", dead_letter=True``, :meth:`dead_letters` returns the
    records dropped as bad data.
    """

    def __init__(self, properties: Mapping[str, object], task_index: int = 0, parallelism: int = 1):
        items = [(k, _as_property(v)) for k, v in properties.items() if v is not None]
        keys = (ctypes.c_char_p * len(items))(*[k.encode() for k, _ in items])
        values = (ctypes.c_char_p * len(items))(*[v.encode() for _, v in items])
        self._stream = _ArrowArrayStream()
        self._dead_letters = ctypes.c_void_p()
        self._dead_letter_tables = []
        error = ctypes.create_string_buffer(4096)
        rc = _library().karrow_kafka_stream_open(keys, values, len(items), task_index, parallelism,
                                                 ctypes.byref(self._stream), ctypes.byref(self._dead_letters),
                                                 error, len(error))
        if rc != 0:
            raise KarrowError(error.value.decode(errors="replace"))
        self._taken = False

    def _take_address(self) -> int:
        if self._taken:
            raise KarrowError("this KafkaReader's stream was already consumed")
        self._taken = True
        return ctypes.addressof(self._stream)

    def to_pyarrow(self):
        """A pyarrow.RecordBatchReader that owns the stream."""
        import pyarrow as pa
        return pa.RecordBatchReader._import_from_c(self._take_address())

    def __arrow_c_stream__(self, requested_schema=None):
        if requested_schema is not None:
            raise NotImplementedError("karrow does not cast to a requested schema")
        return self.to_pyarrow().__arrow_c_stream__()

    def dead_letters(self, clear: bool = False):
        """A pyarrow.Table of the records dropped as bad data so far (every
        bad record before the last batch the stream returned, and all of them
        once it ended), also after close(). Columns: topic, partition,
        offset, timestamp, key, value (the raw bytes, or the one bad line with
        newline framing), line (that line's number; null without framing) and
        error (the reason). With ``clear=True`` they are forgotten, so the next
        call returns only newer ones.

        Needs ``bad_data="drop", dead_letter=True`` when opening."""
        import pyarrow as pa
        if not self._dead_letters:
            raise KarrowError("dead letters are only kept when the reader is opened with "
                              "bad_data=\"drop\", dead_letter=True")
        stream = _ArrowArrayStream()
        error = ctypes.create_string_buffer(4096)
        if _library().karrow_dead_letters_take(self._dead_letters, ctypes.byref(stream), error, len(error)) != 0:
            raise KarrowError(error.value.decode(errors="replace"))
        self._dead_letter_tables.append(pa.RecordBatchReader._import_from_c(ctypes.addressof(stream)).read_all())
        table = pa.concat_tables(self._dead_letter_tables)
        self._dead_letter_tables = [] if clear else [table]
        return table

    def close(self) -> None:
        """Closes the consumer unless the stream was handed to a consumer
        (pyarrow then owns it and closes it when done). Idempotent."""
        if not getattr(self, "_taken", True) and self._stream.release:
            self._taken = True
            release = ctypes.CFUNCTYPE(None, ctypes.POINTER(_ArrowArrayStream))(self._stream.release)
            release(ctypes.byref(self._stream))

    def __enter__(self) -> "KafkaReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        self.close()
        if getattr(self, "_dead_letters", None):
            _library().karrow_dead_letters_free(self._dead_letters)
            self._dead_letters = ctypes.c_void_p()


def read_kafka(topic: str, bootstrap_servers: str, *, task_index: int = 0, parallelism: int = 1,
               client_configs: Optional[Mapping[str, str]] = None,
               metadata_fields: Optional[Iterable[str]] = None, **options) -> KafkaReader:
    """Opens a KafkaReader. ``options`` take KafkaSourceConfig's field names
    (format, offset_mode, group_id, batch_size, linger_ms, stop_at_end,
    bad_data, dead_letter, ...)."""
    properties = {"topic": topic, "bootstrap_servers": bootstrap_servers, **options}
    if metadata_fields is not None:
        properties["metadata_fields"] = list(metadata_fields)
    for k, v in (client_configs or {}).items():
        properties["client_configs." + k] = v
    return KafkaReader(properties, task_index, parallelism)


def version() -> str:
    return _library().karrow_version().decode()
