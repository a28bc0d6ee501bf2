"""Reading Kafka topics into a Ray Dataset with karrow's reader, on many nodes.

``karrow.ray.read_kafka`` has the call shape of ``ray.data.read_kafka`` but
decodes values into typed columns (karrow's formats) and reads each range
with karrow's C++ reader. The dataset is a snapshot: ``start`` and ``end`` are
resolved to exact per-partition offsets once, when ``read_kafka`` is called,
so executing the dataset (once, again, or a read task retried after a lost
node) reads exactly those offsets. ``dataset.end_offsets`` says where the next
run starts (``start=previous.end_offsets``).

Needs ``ray[data]`` and, on the driver only, ``confluent-kafka`` (the offset
look-ups of the plan). Ray's workers need karrow installed (or on their
``PYTHONPATH``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Union

import ray.data
from ray.data.block import BlockMetadata
from ray.data.datasource import Datasource, ReadTask

# topic -> partition -> offset
TopicOffsets = Dict[str, Dict[int, int]]
# "earliest" / "latest", a datetime, one offset for every partition, or
# per-partition offsets ({partition: offset} for one topic, else
# {topic: {partition: offset}}); unlisted partitions take the default end.
Position = Union[str, datetime, int, Mapping[Any, Any]]

# A read task names its one partition p as task p of this many: karrow's
# reader owns the partitions q with q % parallelism == p, and no topic has
# this many partitions, so it owns p alone even if partitions are added to
# the topic after planning.
_ONE_PARTITION_PARALLELISM = 2**31 - 1

# Options that the plan decides; a caller setting them would break the
# exact ranges.
_PLANNED_OPTIONS = (
    "offset_mode", "start_offsets", "stop_offsets", "start_timestamp_ms", "stop_timestamp_ms",
    "stop_at_end", "task_index", "parallelism", "topic", "bootstrap_servers",
)


@dataclass(frozen=True)
class OffsetRange:
    """Offsets [start, stop) of one partition: what one read task reads."""

    topic: str
    partition: int
    start: int
    stop: int


def _admin_client(bootstrap_servers: str, client_configs: Mapping[str, str]) -> Any:
    try:
        from confluent_kafka.admin import AdminClient
    except ImportError as e:
        raise ImportError(
            "karrow.ray.read_kafka looks up offsets with confluent-kafka on the driver: "
            "pip install confluent-kafka") from e
    return AdminClient({**client_configs, "bootstrap.servers": bootstrap_servers})


def _per_topic(position: Mapping[Any, Any], topics: Sequence[str], name: str) -> TopicOffsets:
    """{partition: offset} (one topic) or {topic: {partition: offset}} as the latter."""
    if all(isinstance(k, int) for k in position):
        if len(topics) != 1:
            raise ValueError(f"{name}: with several topics, give offsets as "
                             "{topic: {partition: offset}}")
        return {topics[0]: {int(p): int(o) for p, o in position.items()}}
    out: TopicOffsets = {}
    for topic, offsets in position.items():
        if topic not in topics:
            raise ValueError(f"{name} names topic '{topic}', which is not read "
                             f"(topics: {', '.join(topics)})")
        out[topic] = {int(p): int(o) for p, o in offsets.items()}
    return out


class _Planner:
    """Resolves start and end to offsets with one admin client, once."""

    def __init__(self, topics: Sequence[str], bootstrap_servers: str,
                 client_configs: Mapping[str, str], read_committed: bool, timeout_s: float):
        self.topics = list(topics)
        self.timeout_s = timeout_s
        self.read_committed = read_committed
        self.admin = _admin_client(bootstrap_servers, client_configs)
        metadata = self.admin.list_topics(timeout=timeout_s)
        self.partitions: Dict[str, List[int]] = {}
        for topic in self.topics:
            t = metadata.topics.get(topic)
            if t is None or t.error is not None or not t.partitions:
                why = t.error if t is not None and t.error is not None else "it does not exist"
                raise ValueError(f"topic '{topic}' cannot be read from {bootstrap_servers}: {why}; "
                                 "check the name and bootstrap_servers")
            self.partitions[topic] = sorted(t.partitions)
        self.earliest = self._list_offsets(lambda spec: spec.earliest())
        self.latest = self._list_offsets(lambda spec: spec.latest())

    def _list_offsets(self, spec_of: Any) -> TopicOffsets:
        from confluent_kafka import IsolationLevel, TopicPartition
        from confluent_kafka.admin import OffsetSpec

        # read_committed: "latest" is the last stable offset, so that a read
        # never waits for a transaction that is still open.
        isolation = (IsolationLevel.READ_COMMITTED if self.read_committed
                     else IsolationLevel.READ_UNCOMMITTED)
        request = {TopicPartition(t, p): spec_of(OffsetSpec)
                   for t, ps in self.partitions.items() for p in ps}
        futures = self.admin.list_offsets(request, isolation_level=isolation,
                                          request_timeout=self.timeout_s)
        out: TopicOffsets = {t: {} for t in self.partitions}
        for tp, future in futures.items():
            out[tp.topic][tp.partition] = future.result().offset
        return out

    def resolve(self, position: Position, name: str) -> TopicOffsets:
        """Every partition's offset for a start or end position."""
        default = self.earliest if name == "start" else self.latest
        if isinstance(position, str):
            if position not in ("earliest", "latest"):
                raise ValueError(f"{name}={position!r}: use 'earliest', 'latest', a datetime "
                                 "or offsets")
            return self.earliest if position == "earliest" else self.latest
        if isinstance(position, datetime):
            ms = int(position.timestamp() * 1000)
            found = self._list_offsets(lambda spec: spec.for_timestamp(ms))
            # No record that late yet: the position is the end.
            return {t: {p: (o if o >= 0 else self.latest[t][p]) for p, o in ps.items()}
                    for t, ps in found.items()}
        if isinstance(position, bool) or not isinstance(position, (int, Mapping)):
            raise TypeError(f"{name} must be 'earliest', 'latest', a datetime, an offset or "
                            f"per-partition offsets, not {type(position).__name__}")
        if isinstance(position, int):
            return {t: {p: position for p in ps} for t, ps in self.partitions.items()}
        given = _per_topic(position, self.topics, name)
        out = {t: dict(ps) for t, ps in default.items()}
        for topic, offsets in given.items():
            for partition, offset in offsets.items():
                if partition not in out[topic]:
                    raise ValueError(f"{name} names partition {partition} of topic '{topic}', "
                                     f"which has partitions {self.partitions[topic]}")
                out[topic][partition] = offset
        return out

    def ranges(self, start: TopicOffsets, end: TopicOffsets) -> List[OffsetRange]:
        """One range per partition, checked against what the partition holds."""
        out = []
        for topic in self.topics:
            for p in self.partitions[topic]:
                s, e = start[topic][p], end[topic][p]
                low, high = self.earliest[topic][p], self.latest[topic][p]
                where = f"partition {p} of topic '{topic}'"
                if s < low:
                    raise ValueError(
                        f"start offset {s} of {where} is before its earliest retained offset "
                        f"{low}: retention removed those records; start at {low} or later")
                if e > high:
                    raise ValueError(
                        f"end offset {e} of {where} is past its end {high} "
                        f"({'last stable' if self.read_committed else 'high watermark'} offset): "
                        "a snapshot can end only at offsets already written")
                if s > e:
                    raise ValueError(f"start offset {s} of {where} is past its end offset {e}")
                out.append(OffsetRange(topic, p, s, e))
        return out


def split_ranges(ranges: Iterable[OffsetRange], target_rows_per_task: int) -> List[OffsetRange]:
    """Cuts each range into near-equal pieces of at most target_rows_per_task
    offsets (an offset is a row, except for transaction markers, aborted and
    compacted records, which take offsets but give none); empty ranges go."""
    if target_rows_per_task < 1:
        raise ValueError(f"target_rows_per_task must be at least 1, not {target_rows_per_task}")
    out = []
    for r in ranges:
        size = r.stop - r.start
        pieces = math.ceil(size / target_rows_per_task)
        for i in range(pieces):
            out.append(OffsetRange(r.topic, r.partition, r.start + size * i // pieces,
                                   r.start + size * (i + 1) // pieces))
    return out


def _read_range(r: OffsetRange, bootstrap_servers: str, reader_options: Dict[str, Any],
                max_block_bytes: int) -> Iterator[Any]:
    """Reads exactly [r.start, r.stop) of one partition with karrow's reader,
    as Arrow tables of about max_block_bytes. Runs on a Ray worker."""
    import pyarrow as pa

    with _open_range(r, bootstrap_servers, reader_options) as reader:
        pending: list = []
        pending_bytes = 0
        produced = False
        for batch in reader:
            pending.append(batch)
            pending_bytes += batch.nbytes
            if pending_bytes >= max_block_bytes:
                yield pa.Table.from_batches(pending)
                produced = True
                pending, pending_bytes = [], 0
        if pending or not produced:
            # A range of only markers or aborted records still has a schema.
            yield pa.Table.from_batches(pending, schema=reader.schema)


def _open_range(r: OffsetRange, bootstrap_servers: str, reader_options: Mapping[str, Any]) -> Any:
    """A karrow reader of exactly [r.start, r.stop) of partition r.partition."""
    import karrow

    return karrow.read_kafka(r.topic, bootstrap_servers, offset_mode="offsets",
                             start_offsets={r.partition: r.start},
                             stop_offsets={r.partition: r.stop}, task_index=r.partition,
                             parallelism=_ONE_PARTITION_PARALLELISM, **reader_options)


def _check_options(topics: Sequence[str], earliest: TopicOffsets, bootstrap_servers: str,
                   reader_options: Mapping[str, Any]) -> Any:
    """Opens a reader on an empty range of each topic, on the driver: a bad
    option, value schema or registry fails here with karrow's message, before
    any task runs. Returns the rows' schema (that of the first topic)."""
    schema = None
    for topic in topics:
        p, offset = min(earliest[topic].items())
        empty = OffsetRange(topic, p, offset, offset)
        with _open_range(empty, bootstrap_servers, reader_options) as reader:
            schema = schema if schema is not None else reader.schema
    return schema


class KafkaDatasource(Datasource):
    """A planned snapshot of Kafka topics: fixed offset ranges, read by karrow."""

    def __init__(self, ranges: Sequence[OffsetRange], bootstrap_servers: str,
                 reader_options: Mapping[str, Any], target_rows_per_task: int,
                 start_offsets: TopicOffsets, end_offsets: TopicOffsets, schema: Any = None):
        super().__init__()
        self.schema = schema
        self.ranges = list(ranges)
        self.bootstrap_servers = bootstrap_servers
        self.reader_options = dict(reader_options)
        self.target_rows_per_task = target_rows_per_task
        self.start_offsets = start_offsets
        self.end_offsets = end_offsets

    def get_name(self) -> str:
        return "KarrowKafka"

    def estimate_inmemory_data_size(self) -> Optional[int]:
        return None  # row sizes depend on the data and the format

    def get_read_tasks(self, parallelism: int, per_task_row_limit: Optional[int] = None,
                       data_context: Any = None) -> List[ReadTask]:
        # The plan, not Ray's parallelism, decides the tasks: their ranges
        # must stay the same on every execution.
        max_block_bytes = 128 * 1024 * 1024
        if data_context is not None and getattr(data_context, "target_max_block_size", None):
            max_block_bytes = data_context.target_max_block_size
        tasks = []
        bootstrap_servers, reader_options = self.bootstrap_servers, self.reader_options
        # An empty snapshot still has one task, of an empty range: it gives
        # an empty block, so the dataset has its columns.
        pieces = split_ranges(self.ranges, self.target_rows_per_task) or [
            OffsetRange(r.topic, r.partition, r.stop, r.stop) for r in self.ranges[:1]]
        for r in pieces:
            # Binds this task's values only, so a task ships its range, not the plan.
            def read(r: OffsetRange = r) -> Iterator[Any]:
                return _read_range(r, bootstrap_servers, reader_options, max_block_bytes)

            # num_rows stays unknown: markers, aborted and compacted records
            # take offsets without giving rows.
            metadata = BlockMetadata(num_rows=None, size_bytes=None, exec_stats=None,
                                     input_files=(f"kafka://{r.topic}/{r.partition}/"
                                                  f"{r.start}-{r.stop}",))
            tasks.append(ReadTask(read, metadata, schema=self.schema,
                                  per_task_row_limit=per_task_row_limit))
        return tasks


def read_kafka(
    topics: Union[str, Sequence[str]],
    bootstrap_servers: str,
    *,
    format: Optional[str] = None,
    value_schema: Optional[Union[str, Mapping[str, Any]]] = None,
    metadata_fields: Optional[Iterable[str]] = None,
    start: Position = "earliest",
    end: Position = "latest",
    client_configs: Optional[Mapping[str, str]] = None,
    read_committed: bool = True,
    target_rows_per_task: int = 1_000_000,
    ray_remote_args: Optional[Dict[str, Any]] = None,
    plan_timeout_s: float = 30.0,
    **options: Any,
) -> "ray.data.Dataset":
    """Reads offset ranges of Kafka topics into a Ray Dataset with karrow.

    ``start`` and ``end`` are resolved here, once, to exact offsets of every
    partition: the dataset is a snapshot, records produced later are not in
    it, and executing it again (or Ray retrying a task) reads the same rows.
    Each partition's range is cut into read tasks of about
    ``target_rows_per_task`` offsets; each task reads its range with karrow's
    reader (transaction markers and aborted records handled as
    ``read_committed`` says) and yields Arrow tables.

    Args:
        topics: one topic or a list of topics (their columns must agree).
        bootstrap_servers: comma-separated host:port list of brokers.
        format, value_schema, metadata_fields: as in :func:`karrow.read_kafka`.
        start: "earliest" (default), "latest", a datetime (the first record at
            or after it; a naive datetime is local time), one offset for every partition, or per-partition
            offsets, ``{partition: offset}`` for one topic or ``{topic:
            {partition: offset}}`` (e.g. a previous dataset's
            ``end_offsets``); unlisted partitions start at their earliest.
        end: the first offset not read, given the same ways: "latest"
            (default: the end now; with read_committed the last stable
            offset), a datetime (the first record at or after it is not
            read), offsets; unlisted partitions end at their latest.
        client_configs: librdkafka properties (security, ...), used both for
            the plan's look-ups and by the readers.
        read_committed: skip aborted transactional records (default True).
        target_rows_per_task: offsets per read task at most (default 1,000,000).
        ray_remote_args: passed to the read tasks (num_cpus, resources, ...).
        plan_timeout_s: how long the plan's look-ups may take.
        **options: any other property of :func:`karrow.read_kafka`
            (schema_registry.url, value_subject, bad_data, batch_size, ...).

    Returns:
        a ``ray.data.Dataset`` with attributes ``start_offsets`` and
        ``end_offsets`` (``{topic: {partition: offset}}``).

    Raises:
        ValueError: a topic or partition does not exist, or an offset lies
            outside what the partition holds.
        karrow.KarrowError: an option, the value schema or the schema
            registry is wrong (a reader is opened on the driver to check).
    """
    topic_list = [topics] if isinstance(topics, str) else list(topics)
    if not topic_list:
        raise ValueError("topics is empty: name at least one topic")
    planned = sorted(k for k in options if k in _PLANNED_OPTIONS)
    if planned:
        raise ValueError(f"{', '.join(planned)}: karrow.ray.read_kafka plans the offsets "
                         "itself; give start and end instead")
    client_configs = dict(client_configs or {})
    planner = _Planner(topic_list, bootstrap_servers, client_configs, read_committed,
                       plan_timeout_s)
    start_offsets = planner.resolve(start, "start")
    end_offsets = planner.resolve(end, "end")
    ranges = planner.ranges(start_offsets, end_offsets)

    reader_options: Dict[str, Any] = dict(options)
    reader_options["read_committed"] = read_committed
    for key, value in (("format", format), ("value_schema", value_schema),
                       ("metadata_fields", metadata_fields)):
        if value is not None:
            reader_options[key] = list(value) if key == "metadata_fields" else value
    if client_configs:
        reader_options["client_configs"] = client_configs

    schema = _check_options(topic_list, planner.earliest, bootstrap_servers, reader_options)
    source = KafkaDatasource(ranges, bootstrap_servers, reader_options, target_rows_per_task,
                             start_offsets, end_offsets, schema)
    # One block per planned task: Ray would otherwise cut each task's output
    # into several small blocks to reach its default parallelism, which also
    # keeps the next map from running in the read task.
    tasks = len(split_ranges(ranges, target_rows_per_task))
    dataset = ray.data.read_datasource(source, override_num_blocks=max(1, tasks),
                                       ray_remote_args=ray_remote_args or {})
    dataset.start_offsets = start_offsets
    dataset.end_offsets = end_offsets
    return dataset
