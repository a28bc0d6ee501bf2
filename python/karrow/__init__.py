"""karrow: read Apache Kafka topics into Apache Arrow record batches.

    import karrow
    with karrow.read_kafka("orders", "localhost:9092", format="json",
                           metadata_fields=["key", "offset_id"], stop_at_end=True) as reader:
        table = pyarrow.table(reader)   # or polars.DataFrame(reader), duckdb.sql("... from reader")

A KafkaReader implements the Arrow PyCapsule interface (``__arrow_c_schema__``
and ``__arrow_c_stream__``), so any Arrow library reads it; pyarrow, Polars
and DuckDB are optional. Waiting for records releases the GIL, and Ctrl-C
interrupts it. See docs/python.md.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, Iterable, Iterator, Literal, Mapping, Optional, Union

from . import _karrow
from ._karrow import Batch, KarrowError, __version__

if TYPE_CHECKING:  # pyarrow is optional: imported only where a method needs it
    import polars
    import pyarrow  # type: ignore[import-untyped]

__all__ = ["Batch", "KafkaReader", "KarrowError", "read_kafka", "__version__"]

# Keys whose mapping value is partition -> offset ("0:100,3:250").
_OFFSET_MAPS = ("start_offsets", "stop_offsets")

_NOT_LOOKED_UP = object()
_pyarrow_module: Any = _NOT_LOOKED_UP


def _pyarrow_or_none() -> Any:
    """pyarrow when it can be imported, else None; looked up once, on first
    use, so that ``import karrow`` never imports pyarrow."""
    global _pyarrow_module
    if _pyarrow_module is _NOT_LOOKED_UP:
        try:
            import pyarrow
        except ImportError:
            pyarrow = None
        _pyarrow_module = pyarrow
    return _pyarrow_module


def _require_pyarrow(what: str) -> Any:
    pa = _pyarrow_or_none()
    if pa is None:
        raise ImportError(f"{what} needs pyarrow (pip install pyarrow); without it, read the reader "
                          "through its Arrow PyCapsule interface (Polars, DuckDB, iteration)")
    return pa


def _as_property(key: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        if key in _OFFSET_MAPS:
            return ",".join(f"{int(p)}:{int(o)}" for p, o in value.items())
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


class _StreamCapsule:
    """Hands a ready "arrow_array_stream" capsule to a consumer once."""

    def __init__(self, capsule: object):
        self._capsule = capsule

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        if requested_schema is not None:
            raise NotImplementedError("karrow does not cast to a requested_schema")
        return self._capsule


class KafkaReader:
    """One task's stream of record batches from a Kafka topic (open it with
    :func:`read_kafka`).

    Any Arrow consumer reads it through the Arrow PyCapsule interface:
    ``pyarrow.table(reader)``, ``pyarrow.RecordBatchReader.from_stream(reader)``,
    ``polars.DataFrame(reader)``, ``duckdb.sql("select ... from reader")``,
    ``duckdb.from_arrow(reader)``; or iterate ``for batch in reader``.

    The schema can be asked for at any time, as often as wanted. The rows
    can be read once: the first consumer that reads a batch owns the reader,
    and another one then fails with KarrowError (a stream that a consumer
    released without reading, as DuckDB and Polars do to learn the schema,
    leaves the reader free). See docs/python.md.

    With ``bad_data="drop", dead_letter=True``, :meth:`dead_letters` returns
    the records dropped as bad data.
    """

    def __init__(self, properties: Mapping[str, object], task_index: int = 0, parallelism: int = 1):
        """Opens a reader from KafkaSourceConfig properties (``topic``,
        ``bootstrap_servers``, ``format``, ...; ``client_configs.<name>`` for
        librdkafka). Prefer :func:`read_kafka`. Raises KarrowError."""
        pairs = [(str(k), _as_property(str(k), v)) for k, v in properties.items() if v is not None]
        self._native = _karrow.open(pairs, task_index, parallelism)
        self._dead_letter_tables: list[Any] = []

    # --- the Arrow PyCapsule interface ---------------------------------------

    def __arrow_c_schema__(self) -> object:
        """The schema as an "arrow_schema" PyCapsule; before any read, any
        number of times."""
        return self._native.__arrow_c_schema__()

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        """An "arrow_array_stream" PyCapsule of the batches to come.

        ``requested_schema`` may be None or the reader's own schema (compared
        by formats, names, nullability and children; metadata is ignored):
        karrow does not cast, and raises NotImplementedError naming the
        difference for any other."""
        return self._native.__arrow_c_stream__(requested_schema)

    # --- reading from Python -------------------------------------------------

    @property
    def schema(self) -> "pyarrow.Schema":
        """The schema as a pyarrow.Schema (needs pyarrow)."""
        pa = _require_pyarrow("KafkaReader.schema")
        return pa.schema(self)

    def read_next_batch(self) -> Union["pyarrow.RecordBatch", Batch]:
        """The next batch: a pyarrow.RecordBatch when pyarrow can be imported,
        else a :class:`karrow.Batch` (``num_rows``, ``__arrow_c_array__``).
        Waits for it, releasing the GIL; Ctrl-C raises KeyboardInterrupt.
        Raises StopIteration at the end of a bounded run (stop_at_end, ...),
        KarrowError on a read failure."""
        batch = self._native.read_next()
        if batch is None:
            raise StopIteration
        pa = _pyarrow_or_none()
        return batch if pa is None else pa.record_batch(batch)

    def __iter__(self) -> Iterator[Union["pyarrow.RecordBatch", Batch]]:
        """Yields batches as :meth:`read_next_batch` returns them."""
        while True:
            try:
                batch = self.read_next_batch()
            except StopIteration:
                return
            yield batch

    def read_all(self) -> "pyarrow.Table":
        """Every remaining batch as a pyarrow.Table (needs pyarrow and a
        bounded run, else it waits for ever; Ctrl-C interrupts it)."""
        pa = _require_pyarrow("KafkaReader.read_all()")
        return pa.Table.from_batches(list(self), schema=self.schema)

    def to_pyarrow(self) -> "pyarrow.RecordBatchReader":
        """A pyarrow.RecordBatchReader reading this reader's stream."""
        pa = _require_pyarrow("KafkaReader.to_pyarrow()")
        return pa.RecordBatchReader.from_stream(self)

    def to_polars(self) -> "polars.DataFrame":
        """Every remaining batch as a polars.DataFrame (``polars.DataFrame(reader)``;
        note that ``polars.from_arrow(reader)`` gives a struct Series, as
        Polars does for any Arrow stream)."""
        import polars

        return polars.DataFrame(self)

    def dead_letters(self, clear: bool = False) -> "pyarrow.Table":
        """A pyarrow.Table of the records dropped as bad data so far (every
        bad record before the last batch read, and all of them once the run
        ended), also after close(). Columns: topic, partition, offset,
        timestamp, key, value (the raw bytes, or the one bad line with
        newline framing), line (that line's number; null without framing)
        and error (the reason). With ``clear=True`` they are forgotten, so
        the next call returns only newer ones.

        Needs ``bad_data="drop", dead_letter=True`` when opening, and pyarrow."""
        capsule = self._native.dead_letters_stream()  # raises KarrowError when not kept
        pa = _require_pyarrow("KafkaReader.dead_letters()")
        self._dead_letter_tables.append(pa.RecordBatchReader.from_stream(_StreamCapsule(capsule)).read_all())
        table = pa.concat_tables(self._dead_letter_tables)
        self._dead_letter_tables = [] if clear else [table]
        return table

    # --- life ---------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._native.closed

    @property
    def watermark(self) -> Optional[Union[int, float]]:
        """The newest event-time watermark (docs/semantics.md §13): no row
        read later has an event time at or before it. Nanoseconds since the
        epoch (as the ``_timestamp`` column's values), ``math.inf`` once a
        bounded read has ended, None before the first."""
        return self._native.watermark

    def stats(self) -> Dict[str, int]:
        """The reader's counters so far, also after :meth:`close`: messages
        (Kafka records read, tombstones and bad ones included), rows,
        value_bytes, batches, tombstones, bad_records (dropped as bad data),
        commits and commit_failures (offset commits to the group),
        offset_gaps and skipped_offsets (out-of-range positions skipped),
        fetch_wakeups."""
        return self._native.stats()

    def metrics(self) -> Dict[str, Any]:
        """The metrics of docs/metrics.md so far, also after :meth:`close`,
        named as there less the ``karrow_`` prefix: e.g.
        ``records_read_total`` (int), ``rate_limit_wait_seconds_total``
        (float). Per-partition metrics map each partition to its value
        (``m["partition_lag_records"][3]``), labelled ones each label value
        (``m["bad_records_total"]["decode_error"]``)."""
        return self._native.metrics()

    def close(self) -> None:
        """Stops reading and closes the Kafka consumer, also under a stream
        a consumer still holds (its next read fails). Idempotent. Without
        it, the consumer closes when the reader and every stream it lent
        are gone."""
        self._native.close()

    def __enter__(self) -> "KafkaReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<karrow.KafkaReader{' (closed)' if self.closed else ''}>"


Format = Literal["raw_string", "raw_bytes", "json", "avro", "protobuf"]
OffsetMode = Literal["earliest", "latest", "group", "timestamp", "offsets"]


def read_kafka(
    topic: str,
    bootstrap_servers: str,
    *,
    format: Optional[Format] = None,
    value_schema: Optional[Union[str, Mapping[str, Any]]] = None,
    framing: Optional[Literal["none", "newline"]] = None,
    metadata_fields: Optional[Iterable[str]] = None,
    event_time_column: Optional[str] = None,
    offset_mode: Optional[OffsetMode] = None,
    start_timestamp_ms: Optional[int] = None,
    start_offsets: Optional[Mapping[int, int]] = None,
    stop_at_end: Optional[bool] = None,
    stop_timestamp_ms: Optional[int] = None,
    stop_offsets: Optional[Mapping[int, int]] = None,
    group_id: Optional[str] = None,
    group_id_prefix: Optional[str] = None,
    batch_size: Optional[int] = None,
    linger_ms: Optional[int] = None,
    bad_data: Optional[Literal["fail", "drop"]] = None,
    dead_letter: Optional[bool] = None,
    tombstones: Optional[Literal["skip", "emit"]] = None,
    messages_per_second: Optional[float] = None,
    client_configs: Optional[Mapping[str, str]] = None,
    task_index: int = 0,
    parallelism: int = 1,
    connect_timeout_ms: Optional[int] = None,
    **options: object,
) -> KafkaReader:
    """Opens a KafkaReader on task ``task_index`` of ``parallelism`` of a topic.

    A parameter left at None takes karrow's default (given below), so the
    defaults live in one place, KafkaSourceConfig.

    Args:
        topic: the topic to read.
        bootstrap_servers: comma-separated host:port list of brokers.
        format: how values become columns: "raw_string" (default; one utf8
            column ``value``, invalid UTF-8 is bad data), "raw_bytes" (one
            binary column), "json" (typed columns with ``value_schema``, else
            one ``value`` column), "avro" (the reader schema's columns),
            "protobuf" (the reader message's columns).
        value_schema: format="json": the declared schema (JSON text or a
            dict); format="avro": the reader schema (Avro JSON);
            format="protobuf": .proto text, or a descriptor set in base64
            (pick the message with ``protobuf_message``).
        framing: "none" (default: one record is one row) or "newline" (one
            record holds rows separated by newlines).
        metadata_fields: Kafka attributes to add as columns, each ``kind`` or
            ``column:kind``, kinds key, offset_id, partition, topic,
            timestamp, headers. Default none.
        event_time_column: the name of the last column, the record's event
            time as timestamp[ns, UTC] (default "_timestamp"); "" leaves the
            column out.
        offset_mode: where to start: "earliest" (default), "latest", "group"
            (committed offsets of the consumer group, else earliest),
            "timestamp" (needs start_timestamp_ms), "offsets" (needs
            start_offsets), "offset" (needs start_offset: one offset for every
            partition), "tail" (needs tail_records: the last N of each
            partition).
        start_timestamp_ms: offset_mode="timestamp": ms since the epoch.
        start_offsets: offset_mode="offsets": partition -> first offset.
        stop_at_end: end the run at each partition's end as seen when opening
            (default False: read for ever).
        stop_timestamp_ms: end the run at the first record at or after this
            timestamp (ms since the epoch).
        stop_offsets: end the run at these offsets: partition -> first
            offset not read.
        group_id: the consumer group (default "<group_id_prefix>-karrow-<topic>",
            or "karrow-<topic>").
        group_id_prefix: prefix of the default group id.
        batch_size: rows per batch at most (default 8192).
        linger_ms: a batch is handed out at most this long after its first
            row (default 100).
        bad_data: "fail" (default: the read fails, naming the record) or
            "drop" (skip and count bad records).
        dead_letter: with bad_data="drop", keep the dropped records for
            :meth:`KafkaReader.dead_letters` (default False).
        tombstones: what a record with a null value becomes: "skip" (default:
            no row, counted in ``stats()["tombstones"]``) or "emit" (a row
            whose value columns are all null; they become nullable).
        messages_per_second: rate limit over this task's partitions (default
            unlimited).
        client_configs: librdkafka properties, passed through (e.g.
            {"security.protocol": "ssl"}).
        task_index: this task's index, 0 <= task_index < parallelism; it reads
            the partitions p with p % parallelism == task_index.
        parallelism: the number of tasks sharing the topic (default 1).
        connect_timeout_ms: how long to wait for the cluster's first answer
            (default 10000).
        **options: any other KafkaSourceConfig property: start_offset,
            tail_records, partitions ("0,2": only these), key_format
            ("raw_bytes", "raw_string", "json"), on_out_of_range,
            read_committed, idle_timeout_ms, partition_discovery_interval_ms,
            topic_missing_timeout_ms, max_line_length, json_epoch_unit,
            confluent_framing, value_subject, schema_registry.<field>, ...

    Raises:
        KarrowError: the configuration is invalid or the cluster or topic
            cannot be reached; the message says what to fix.
    """
    named = {
        "format": format, "value_schema": value_schema, "framing": framing,
        "metadata_fields": None if metadata_fields is None else list(metadata_fields),
        "event_time_column": event_time_column,
        "offset_mode": offset_mode, "start_timestamp_ms": start_timestamp_ms,
        "start_offsets": start_offsets, "stop_at_end": stop_at_end,
        "stop_timestamp_ms": stop_timestamp_ms, "stop_offsets": stop_offsets,
        "group_id": group_id, "group_id_prefix": group_id_prefix, "batch_size": batch_size,
        "linger_ms": linger_ms, "bad_data": bad_data, "dead_letter": dead_letter, "tombstones": tombstones,
        "messages_per_second": messages_per_second, "connect_timeout_ms": connect_timeout_ms,
    }
    properties: dict[str, object] = {"topic": topic, "bootstrap_servers": bootstrap_servers}
    properties.update((k, v) for k, v in named.items() if v is not None)
    properties.update(options)
    for k, v in (client_configs or {}).items():
        properties["client_configs." + k] = v
    return KafkaReader(properties, task_index, parallelism)


def version() -> str:
    """karrow's version (also ``karrow.__version__``)."""
    return __version__
