"""Reading karrow streams in tests: every batch goes through pyarrow's full
validation before any value is looked at."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from pathlib import Path

import pyarrow as pa

REPO = Path(__file__).resolve().parents[2]


def package_dir() -> str:
    """The folder holding the built karrow package (karrow/_karrow.abi3.so
    beside links to python/karrow/*.py): $KARROW_PYTHONPATH (set by ctest),
    else the first preset build folder that has it."""
    if os.environ.get("KARROW_PYTHONPATH"):
        return os.environ["KARROW_PYTHONPATH"]
    for preset in ("release", "debug", "asan"):
        path = REPO / "build" / preset / "python"
        if list((path / "karrow").glob("_karrow*.so")):
            return str(path)
    raise RuntimeError("the karrow Python package is not built; run ./scripts/test "
                       "or cmake --build --preset release")


sys.path.insert(0, package_dir())

import karrow  # noqa: E402


def built_file(name: str, env_var: str) -> str:
    """Path of a build product: from env_var (set by ctest), else the newest
    preset build folder that has it."""
    import os

    import pytest

    if os.environ.get(env_var):
        return os.environ[env_var]
    for preset in ("release", "debug", "asan"):
        path = REPO / "build" / preset / name
        if path.exists():
            return str(path)
    pytest.fail(f"{name} is not built; run ./scripts/test")


ALL_METADATA = ["key", "offset_id", "partition", "topic", "timestamp", "headers"]


def read_batches(reader) -> list[pa.RecordBatch]:
    """Reads a stream to its end, validating every batch in full."""
    stream = pa.RecordBatchReader.from_stream(reader)
    batches = []
    for batch in stream:
        batch.validate(full=True)
        assert batch.schema == stream.schema
        batches.append(batch)
    return batches


def read_table(reader) -> pa.Table:
    stream = pa.RecordBatchReader.from_stream(reader)
    batches = []
    for batch in stream:
        batch.validate(full=True)
        batches.append(batch)
    table = pa.Table.from_batches(batches, schema=stream.schema)
    table.validate(full=True)
    return table


def open_reader(topic: str, bootstrap: str, **options) -> "karrow.KafkaReader":
    options.setdefault("stop_at_end", True)
    options.setdefault("linger_ms", 20)
    # The broker's first answers may be slow on a busy machine: the default
    # 10 s is the product's choice, not a bound tests should put on the broker.
    options.setdefault("connect_timeout_ms", 60000)
    return karrow.read_kafka(topic, bootstrap, **options)


@contextlib.contextmanager
def fails_after(seconds: float, what: str):
    """Raises TimeoutError inside the block once `seconds` have passed, so a
    wait that should end (a linger, a read bounded by stop offsets) fails the
    test instead of hanging it. karrow's reads check for signals while they
    wait (interruptible_read.cc), so the alarm gets through a blocked read."""

    def expire(signum, frame):
        raise TimeoutError(f"{what}: not done within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
