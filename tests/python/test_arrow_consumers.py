"""The Python KafkaReader through the Arrow PyCapsule interface, against a
real broker: pyarrow, Polars and DuckDB read it directly, the schema can be
asked for any number of times before reading, requested_schema is accepted
only when it is the reader's own, a stream released unread leaves the
reader free (the lease rule, docs/python.md), and Polars and DuckDB read it
with pyarrow impossible to import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pyarrow as pa
import pytest

from kafka_helpers import create_topic, delete_topics, produce
from karrow_testing import karrow, open_reader, package_dir

N = 10_000
PARTITIONS = 3
SCHEMA = {"fields": [
    {"name": "id", "type": "int64", "nullable": False},
    {"name": "name", "type": "utf8", "nullable": False},
    {"name": "x", "type": "float64", "nullable": False},
    {"name": "tag", "type": "utf8"},
]}
EXPECTED_SCHEMA = pa.schema([
    pa.field("id", pa.int64(), nullable=False),
    pa.field("name", pa.string(), nullable=False),
    pa.field("x", pa.float64(), nullable=False),
    pa.field("tag", pa.string()),
    pa.field("_timestamp", pa.timestamp("ns", tz="UTC"), nullable=False),
])


def value(i: int) -> dict:
    return {"id": i, "name": f"n{i}", "x": i * 0.5, "tag": None if i % 7 == 0 else f"t{i % 5}"}


EXPECTED_ROWS = sorted((v["id"], v["name"], v["x"], v["tag"]) for v in map(value, range(N)))
SUM_ID = N * (N - 1) // 2
TAGGED = sum(1 for i in range(N) if i % 7 != 0)


@pytest.fixture(scope="module")
def topic(kafka_bootstrap):
    """One topic of N JSON records over three partitions, shared by the
    tests here (each opens its own readers)."""
    name = f"arrow-consumers-{uuid.uuid4().hex[:10]}"
    create_topic(kafka_bootstrap, name, PARTITIONS)
    produce(kafka_bootstrap, name, [{"value": json.dumps(value(i)).encode(), "partition": i % PARTITIONS}
                                    for i in range(N)])
    yield name
    delete_topics(kafka_bootstrap, [name])


def reader_of(topic: str, bootstrap: str) -> "karrow.KafkaReader":
    return open_reader(topic, bootstrap, format="json", value_schema=SCHEMA)


def check_batches(batches) -> None:
    """Every batch valid in full with the reader's schema, and the rows,
    over all batches, exactly the ones produced."""
    rows = []
    for batch in batches:
        assert isinstance(batch, pa.RecordBatch)
        batch.validate(full=True)
        assert batch.schema == EXPECTED_SCHEMA
        cols = batch.to_pydict()
        rows += zip(cols["id"], cols["name"], cols["x"], cols["tag"])
    assert sorted(rows) == EXPECTED_ROWS


def test_pa_table(kafka_bootstrap, topic):
    with reader_of(topic, kafka_bootstrap) as reader:
        table = pa.table(reader)
    table.validate(full=True)
    check_batches(table.to_batches())


def test_record_batch_reader_from_stream(kafka_bootstrap, topic):
    with reader_of(topic, kafka_bootstrap) as reader:
        stream = pa.RecordBatchReader.from_stream(reader)
        assert stream.schema == EXPECTED_SCHEMA
        check_batches(list(stream))


def test_iteration_yields_pyarrow_batches(kafka_bootstrap, topic):
    with reader_of(topic, kafka_bootstrap) as reader:
        check_batches(list(reader))
        with pytest.raises(StopIteration):
            reader.read_next_batch()  # the end stays the end


def test_read_all_and_to_pyarrow(kafka_bootstrap, topic):
    with reader_of(topic, kafka_bootstrap) as reader:
        table = reader.read_all()
        assert table.schema == EXPECTED_SCHEMA
        check_batches(table.to_batches())
    with reader_of(topic, kafka_bootstrap) as reader:
        check_batches(list(reader.to_pyarrow()))


def test_schema_before_any_read_as_often_as_asked(kafka_bootstrap, topic):
    with reader_of(topic, kafka_bootstrap) as reader:
        for _ in range(3):
            capsule = reader.__arrow_c_schema__()
            assert pa.Schema._import_from_c_capsule(capsule) == EXPECTED_SCHEMA
        assert reader.schema == EXPECTED_SCHEMA
        # An unconsumed capsule is released by its destructor.
        del capsule
        check_batches(list(pa.RecordBatchReader.from_stream(reader)))
        assert reader.schema == EXPECTED_SCHEMA  # also after reading


def test_requested_schema_equal_is_accepted(kafka_bootstrap, topic):
    with reader_of(topic, kafka_bootstrap) as reader:
        # Metadata is ignored in the comparison.
        requested = EXPECTED_SCHEMA.with_metadata({"origin": "test"})
        check_batches(list(pa.RecordBatchReader.from_stream(reader, schema=requested)))


@pytest.mark.parametrize("requested,difference", [
    (EXPECTED_SCHEMA.set(0, pa.field("id", pa.int32(), nullable=False)),
     "field 'id' has format 'i' in requested_schema but 'l' in the reader's schema"),
    (EXPECTED_SCHEMA.set(1, pa.field("label", pa.string(), nullable=False)),
     "field 'name' is named 'label' in requested_schema but the reader's column there is 'name'"),
    (EXPECTED_SCHEMA.set(3, pa.field("tag", pa.string(), nullable=False)),
     "field 'tag' is not nullable in requested_schema but nullable in the reader's schema"),
    (pa.schema([pa.field("id", pa.int64(), nullable=False)]),
     "the schema has 1 columns in requested_schema but 5 in the reader's"),
])
def test_requested_schema_different_is_refused_naming_the_difference(kafka_bootstrap, topic, requested,
                                                                     difference):
    with reader_of(topic, kafka_bootstrap) as reader:
        with pytest.raises(NotImplementedError) as refused:
            reader.__arrow_c_stream__(requested.__arrow_c_schema__())
        assert difference in str(refused.value)
        assert "karrow does not cast" in str(refused.value)
        with pytest.raises(NotImplementedError):
            pa.RecordBatchReader.from_stream(reader, schema=requested)
        with pytest.raises(TypeError, match="arrow_schema"):
            reader.__arrow_c_stream__("not a capsule")
        # A refused request takes nothing: the reader is still whole.
        check_batches(list(pa.RecordBatchReader.from_stream(reader)))


def test_stream_released_unread_leaves_the_reader_free(kafka_bootstrap, topic):
    with reader_of(topic, kafka_bootstrap) as reader:
        for _ in range(3):
            probe = pa.RecordBatchReader.from_stream(reader)
            assert probe.schema == EXPECTED_SCHEMA
            probe.close()  # released unread, as a schema probe does
        del probe
        unused = reader.__arrow_c_stream__()  # a capsule never consumed
        del unused
        check_batches(list(pa.RecordBatchReader.from_stream(reader)))


def test_second_consumer_fails_clearly(kafka_bootstrap, topic):
    message = "this KafkaReader was already read by another consumer; open a new reader"
    with reader_of(topic, kafka_bootstrap) as reader:
        first = pa.RecordBatchReader.from_stream(reader)
        second = pa.RecordBatchReader.from_stream(reader)
        first.read_next_batch().validate(full=True)
        with pytest.raises(OSError, match=message):
            second.read_next_batch()
        with pytest.raises(karrow.KarrowError, match=message):
            reader.read_next_batch()
        assert second.schema == EXPECTED_SCHEMA  # the schema stays available
    with reader_of(topic, kafka_bootstrap) as reader:
        reader.read_next_batch().validate(full=True)
        with pytest.raises(OSError, match=message):
            pa.table(reader)


def test_close_ends_a_stream_held_by_a_consumer(kafka_bootstrap, topic):
    reader = reader_of(topic, kafka_bootstrap)
    stream = pa.RecordBatchReader.from_stream(reader)
    stream.read_next_batch().validate(full=True)
    reader.close()
    reader.close()  # idempotent
    assert reader.closed
    with pytest.raises(OSError, match="this KafkaReader is closed"):
        stream.read_next_batch()
    with pytest.raises(karrow.KarrowError, match="closed"):
        reader.__arrow_c_stream__()
    assert reader.schema == EXPECTED_SCHEMA


def test_polars_dataframe(kafka_bootstrap, topic):
    pl = pytest.importorskip("polars")
    with reader_of(topic, kafka_bootstrap) as reader:
        df = pl.DataFrame(reader)
    assert isinstance(df, pl.DataFrame)
    assert df.columns == EXPECTED_SCHEMA.names
    rows = sorted(df.select("id", "name", "x", "tag").iter_rows())
    assert rows == EXPECTED_ROWS
    with reader_of(topic, kafka_bootstrap) as reader:
        assert sorted(reader.to_polars().select("id", "name", "x", "tag").iter_rows()) == EXPECTED_ROWS


def test_polars_from_arrow_gives_a_struct_series(kafka_bootstrap, topic):
    """Polars' from_arrow turns any object with __arrow_c_stream__ that is
    not a pyarrow type into a Series of structs (its branch for PyCapsule objects);
    a KafkaReader cannot change that, and this pins it so that a Polars
    change that makes it a DataFrame is noticed. pl.DataFrame(reader) and
    reader.to_polars() give the DataFrame."""
    pl = pytest.importorskip("polars")
    with reader_of(topic, kafka_bootstrap) as reader:
        out = pl.from_arrow(reader)
    assert isinstance(out, pl.Series)
    df = out.struct.unnest()
    assert df.columns == EXPECTED_SCHEMA.names
    assert sorted(df.select("id", "name", "x", "tag").iter_rows()) == EXPECTED_ROWS


def test_duckdb_sql(kafka_bootstrap, topic):
    duckdb = pytest.importorskip("duckdb")
    with reader_of(topic, kafka_bootstrap) as reader:
        # DuckDB asks for a stream to learn the schema, releases it, and asks
        # again to scan: the lease rule makes that work.
        result = duckdb.sql("select count(*), sum(id), sum(x), count(tag), count(distinct name) "
                            "from reader").fetchall()
    assert result == [(N, SUM_ID, SUM_ID * 0.5, TAGGED, N)]


def test_duckdb_from_arrow(kafka_bootstrap, topic):
    duckdb = pytest.importorskip("duckdb")
    with reader_of(topic, kafka_bootstrap) as reader:
        rows = duckdb.from_arrow(reader).order("id").fetchall()
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == EXPECTED_ROWS


def test_import_karrow_does_not_import_pyarrow():
    code = "import sys, karrow; assert 'pyarrow' not in sys.modules, 'pyarrow imported'; print(karrow.__version__)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "PYTHONPATH": package_dir()})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == karrow.__version__


# A child that cannot import pyarrow: a finder first in sys.meta_path says
# it does not exist, as if it were not installed.
WITHOUT_PYARROW = r"""
import importlib.abc, json, sys

class NoPyarrow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "pyarrow" or name.startswith("pyarrow."):
            raise ModuleNotFoundError(f"No module named {name!r} (hidden by the test)", name=name)
        return None

sys.meta_path.insert(0, NoPyarrow())
try:
    import pyarrow
    sys.exit("pyarrow could still be imported")
except ImportError:
    pass

import karrow
consumer, topic, bootstrap, schema = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
reader = karrow.read_kafka(topic, bootstrap, format="json", value_schema=schema, stop_at_end=True,
                           linger_ms=20, connect_timeout_ms=60000)
with reader:
    if consumer == "polars":
        import polars as pl
        df = pl.DataFrame(reader)
        out = df.select(pl.len(), pl.col("id").sum(), pl.col("x").sum(), pl.col("tag").count(),
                        pl.col("name").n_unique()).row(0)
    elif consumer == "duckdb":
        import duckdb
        out = duckdb.sql("select count(*), sum(id), sum(x), count(tag), count(distinct name) "
                         "from reader").fetchall()[0]
    elif consumer == "iterate":
        batches = list(reader)
        assert all(type(b) is karrow.Batch for b in batches), [type(b) for b in batches]
        import polars as pl  # each batch is an Arrow array on its own
        df = pl.concat([pl.DataFrame(pl.Series(b).struct.unnest()) for b in batches])
        out = df.select(pl.len(), pl.col("id").sum(), pl.col("x").sum(), pl.col("tag").count(),
                        pl.col("name").n_unique()).row(0)
    schema_capsule = reader.__arrow_c_schema__()
assert "pyarrow" not in sys.modules, "pyarrow got imported"
print(json.dumps(list(out)))
"""


@pytest.mark.parametrize("consumer", ["polars", "duckdb", "iterate"])
def test_without_pyarrow(kafka_bootstrap, topic, consumer):
    pytest.importorskip("polars" if consumer != "duckdb" else "duckdb")
    r = subprocess.run([sys.executable, "-c", WITHOUT_PYARROW, consumer, topic, kafka_bootstrap,
                        json.dumps(SCHEMA)], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "PYTHONPATH": package_dir()})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [N, SUM_ID, SUM_ID * 0.5, TAGGED, N]


def test_a_read_on_another_python_thread_lets_python_run(kafka_bootstrap, new_topic):
    """A reader's own read on a Python thread other than the main one
    releases the GIL while it waits, and close() from the main thread ends
    it."""
    import threading
    import time

    reader = open_reader(new_topic(1), kafka_bootstrap, stop_at_end=False)
    outcome = []

    def read():
        try:
            outcome.append(list(reader))
        except karrow.KarrowError as e:
            outcome.append(e)

    thread = threading.Thread(target=read)
    thread.start()
    time.sleep(0.5)  # the thread is waiting in a poll of the idle topic
    start = time.monotonic()
    spins = 0
    while time.monotonic() - start < 1.0:  # Python code on the main thread
        spins += 1
    assert spins > 1000, f"the main thread ran {spins} loops in 1 s beside the read"
    assert thread.is_alive()
    closed = time.monotonic()
    reader.close()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert time.monotonic() - closed < 2.0
    assert outcome == [[]] or isinstance(outcome[0], karrow.KarrowError), outcome


def test_karrow_batch_speaks_the_array_interface(kafka_bootstrap, topic):
    """What iteration yields without pyarrow: a karrow.Batch, exported as a
    struct array any number of times."""
    with reader_of(topic, kafka_bootstrap) as reader:
        batch = reader._native.read_next()  # the native read, as without pyarrow
        assert isinstance(batch, karrow.Batch)
        assert batch.num_columns == len(EXPECTED_SCHEMA)
        assert repr(batch) == f"<karrow batch: {batch.num_rows} rows, {batch.num_columns} columns>"
        first = pa.record_batch(batch)
        again = pa.record_batch(batch)
        for b in (first, again):
            b.validate(full=True)
            assert b.schema == EXPECTED_SCHEMA
            assert b.num_rows == batch.num_rows > 0
        assert first.equals(again)
        assert pa.schema(batch) == EXPECTED_SCHEMA
        schema, array = batch.__arrow_c_array__(EXPECTED_SCHEMA.__arrow_c_schema__())
        del schema, array  # released unconsumed by their destructors
        with pytest.raises(NotImplementedError, match="field 'x' has format 'f'"):
            batch.__arrow_c_array__(EXPECTED_SCHEMA.set(2, pa.field("x", pa.float32(), False)).__arrow_c_schema__())
    with pytest.raises(TypeError, match="cannot be made"):
        karrow.Batch()
    with pytest.raises(TypeError, match="read_kafka"):
        karrow._karrow.Reader()
