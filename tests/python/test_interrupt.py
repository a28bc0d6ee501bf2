"""Ctrl-C while a KafkaReader waits on a quiet topic (docs/python.md,
"Ctrl-C"): a child process reads an idle topic with no end (no
stop_at_end), the parent sends SIGINT once the child is inside the read,
and the child must end within 2 s of the signal with KeyboardInterrupt.

Reads from Python (iteration) raise KeyboardInterrupt from the read itself.
Through a consumer (pyarrow, Polars, DuckDB) the stream's read fails with
"interrupted (KeyboardInterrupt)", which the consumer raises as its own
error, and the interpreter then raises KeyboardInterrupt. DuckDB scans on
its worker threads, which Python never saw (always with from_arrow, at
times with sql): there karrow's own SIGINT watch ends the read."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from karrow_testing import package_dir

CHILD = r"""
import sys, time
import karrow

how, topic, bootstrap = sys.argv[1], sys.argv[2], sys.argv[3]
with karrow.read_kafka(topic, bootstrap, linger_ms=20, connect_timeout_ms=60000) as reader:
    if how == "pa.table":
        import pyarrow as pa
    elif how == "polars":
        import polars as pl
    elif how.startswith("duckdb"):
        import duckdb
    print("reading", flush=True)
    if how == "iterate":
        for batch in reader:
            pass
    elif how == "pa.table":
        pa.table(reader)
    elif how == "polars":
        pl.DataFrame(reader)
    elif how == "duckdb.sql":
        duckdb.sql("select count(*) from reader").fetchall()
    elif how == "duckdb.from_arrow":  # scans on a DuckDB worker thread
        duckdb.from_arrow(reader).aggregate("count(*)").fetchall()
print("the read returned", flush=True)
"""

# What shows that the interrupt came while the child was inside the read,
# not before or after it.
INSIDE_THE_READ = {
    "iterate": "self._native.read_next()",
    "pa.table": "OSError: interrupted (KeyboardInterrupt)",
    "polars": "interrupted (KeyboardInterrupt)",
    "duckdb.sql": "interrupted (KeyboardInterrupt)",
    "duckdb.from_arrow": "interrupted (KeyboardInterrupt)",
}


@pytest.mark.parametrize("how", ["iterate", "pa.table", "polars", "duckdb.sql", "duckdb.from_arrow"])
def test_sigint_ends_a_read_of_an_idle_topic_within_2_s(kafka_bootstrap, new_topic, how):
    if how in ("polars", "duckdb.sql", "duckdb.from_arrow"):
        pytest.importorskip(how.split(".")[0])
    topic = new_topic(1)
    child = subprocess.Popen([sys.executable, "-c", CHILD, how, topic, kafka_bootstrap],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": package_dir()})
    try:
        assert child.stdout.readline() == "reading\n", child.communicate(timeout=60)[1]
        # "reading" comes just before the read: give it time to be waiting
        # in a poll, on an idle topic, where only the interrupt can end it.
        time.sleep(1.0)
        assert child.poll() is None, "the read of an idle topic ended by itself"
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        try:
            out, err = child.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail("SIGINT did not end the read within 30 s")
        took = time.monotonic() - sent
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert took < 2.0, f"took {took:.2f} s from SIGINT to exit\n{err}"
    assert "the read returned" not in out
    if how.startswith("duckdb") and err.rstrip().endswith("RuntimeError: Query interrupted"):
        # DuckDB's main thread checked for signals itself, took the
        # KeyboardInterrupt and cancelled the query; the read, on a worker
        # thread, saw the SIGINT too, or the query could not have ended.
        assert child.returncode == 1, (child.returncode, err)
        return
    assert err.rstrip().endswith("KeyboardInterrupt"), err
    assert INSIDE_THE_READ[how] in err, err
    # An uncaught KeyboardInterrupt ends Python as killed by SIGINT would.
    assert child.returncode == -signal.SIGINT, (child.returncode, err)
