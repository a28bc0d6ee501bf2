"""The topic changing under a reader (docs/semantics.md §6, §17): a topic
deleted while it is read fails the run once it has been gone for
topic_missing_timeout_ms, naming it; an authorization failure fails it at
once; partitions added while it reads are discovered and read exactly
once."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time

import pytest

import mock_cluster as mock
from exactly_once import (
    LedgerProducer,
    check_ledger,
    checkpoint_offsets,
    completed_checkpoint_offsets,
    parse_summary,
    start_run,
    wait_for,
)
from kafka_helpers import delete_topics, grow_topic, produce
from karrow_testing import built_file

# How long a deleted topic may be missing before the run fails, in the
# tests: short, so that they are quick; the bound on the whole failure
# (EXIT_BOUND) is many times that, for a busy machine.
MISSING_MS = 2000
EXIT_BOUND = 120


def consume_args(bootstrap: str, topic: str, *extra: str) -> list[str]:
    return [built_file("karrow", "KARROW_CLI"), "consume", "-b", bootstrap, "-t", topic,
            "--metadata", "partition,offset_id", "-S", "connect_timeout_ms=60000", *extra]


# The discovery and "topic is back" lines are info lines.
INFO_LOG = {**os.environ, "KARROW_LOG": "info"}


def lines_in(path) -> int:
    return path.read_text().count("\n") if path.exists() else 0


def test_s6_topic_deleted_while_consume_e_reads_fails_naming_it(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(partitions=2)
    produce(kafka_bootstrap, topic, [{"value": f"{i}".encode(), "partition": i % 2} for i in range(10000)])
    out, err = tmp_path / "out.ndjson", tmp_path / "err.log"
    # At 100 records a second, -e would need 100 s to reach the end: the
    # topic is deleted long before.
    with open(out, "w") as stdout, open(err, "w") as stderr:
        proc = subprocess.Popen(consume_args(kafka_bootstrap, topic, "-e", "--rate", "100",
                                             "-S", f"topic_missing_timeout_ms={MISSING_MS}"),
                                stdout=stdout, stderr=stderr)
        try:
            wait_for(lambda: proc.poll() is not None or lines_in(out) >= 50, lambda: f"50 rows read: {err.read_text()}")
            assert proc.poll() is None, err.read_text()
            delete_topics(kafka_bootstrap, [topic])
            proc.wait(timeout=EXIT_BOUND)
        finally:
            if proc.poll() is None:
                proc.kill()
    log = err.read_text()
    assert proc.returncode == 1, log
    assert f"karrow: topic '{topic}' was deleted: it does not exist on {kafka_bootstrap}" in log
    assert f"topic_missing_timeout_ms={MISSING_MS}" in log
    # What was read before is there once.
    rows = [l for l in out.read_text().splitlines() if l]
    assert len(rows) < 10000
    assert len(set(rows)) == len(rows)


def test_s6_topic_deleted_while_run_reads_fails_and_keeps_what_was_read(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(partitions=2)
    producer = LedgerProducer(kafka_bootstrap, topic, 2)
    producer.produce(200)
    proc = start_run(kafka_bootstrap, topic, tmp_path, "-S", f"topic_missing_timeout_ms={MISSING_MS}")
    try:
        # Everything read and in a complete checkpoint (so published) first.
        wait_for(lambda: proc.poll() is not None or completed_checkpoint_offsets(tmp_path / "checkpoints")
                 == {0: 100, 1: 100}, "a checkpoint of all 200 records")
        assert proc.poll() is None, proc.stderr.read()
        delete_topics(kafka_bootstrap, [topic])
        _, stderr = proc.communicate(timeout=EXIT_BOUND)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, stderr
    assert f"topic '{topic}' was deleted: it does not exist on {kafka_bootstrap}" in stderr
    assert check_ledger(producer.produced, tmp_path / "out") == 200


def test_s6_topic_unknown_for_a_moment_is_not_fatal(kafka_bootstrap, new_topic, tmp_path):
    # Partitions that the cluster lists before every broker's metadata has
    # them (here: just added) must be waited for, not fail the run; the
    # bound is short, so a wrong "missing" would show.
    topic = new_topic(partitions=1)
    producer = LedgerProducer(kafka_bootstrap, topic, 1)
    producer.produce(10)
    proc = start_run(kafka_bootstrap, topic, tmp_path, "-S", "topic_missing_timeout_ms=500",
                     "-S", "partition_discovery_interval_ms=100", parallelism=1)
    try:
        wait_for(lambda: proc.poll() is not None or completed_checkpoint_offsets(tmp_path / "checkpoints") == {0: 10},
                 "a checkpoint of the first 10 records")
        grow_topic(kafka_bootstrap, topic, 3)
        later = LedgerProducer(kafka_bootstrap, topic, 3)
        later._next = 1000
        later.produce(30)
        wait_for(lambda: proc.poll() is not None or completed_checkpoint_offsets(tmp_path / "checkpoints")
                 == {0: 20, 1: 10, 2: 10}, "a checkpoint of all 40 records")
        assert proc.poll() is None, proc.stderr.read()
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert check_ledger({**producer.produced, **later.produced}, tmp_path / "out") == 40


@pytest.fixture
def cluster():
    c = mock.MockCluster(brokers=1)
    yield c
    c.close()


@pytest.mark.parametrize("request_type", ["fetch", "metadata"])
def test_s6_topic_authorization_failure_is_fatal(cluster, tmp_path, request_type):
    topic = cluster.create_topic("secret", 2)
    produce(cluster.bootstrap, topic, [{"value": f"{i}".encode(), "partition": i % 2} for i in range(40)])
    out, err = tmp_path / "out.ndjson", tmp_path / "err.log"
    with open(out, "w") as stdout, open(err, "w") as stderr:
        proc = subprocess.Popen(consume_args(cluster.bootstrap, topic, "-S", "partition_discovery_interval_ms=200"),
                                stdout=stdout, stderr=stderr)
        try:
            wait_for(lambda: proc.poll() is not None or lines_in(out) == 40, lambda: f"40 rows read: {err.read_text()}")
            assert proc.poll() is None, err.read_text()
            if request_type == "fetch":
                cluster.fail_requests(mock.FETCH, [mock.ERR_TOPIC_AUTHORIZATION_FAILED] * 1000)
            else:
                cluster.set_topic_error(topic, mock.ERR_TOPIC_AUTHORIZATION_FAILED)
            proc.wait(timeout=EXIT_BOUND)
        finally:
            if proc.poll() is None:
                proc.kill()
    log = err.read_text()
    assert proc.returncode == 1, log
    assert f"karrow: not authorized to read topic '{topic}' (TOPIC_AUTHORIZATION_FAILED" in log


def test_s17_partitions_added_while_running_are_read_exactly_once(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(partitions=2)
    first = LedgerProducer(kafka_bootstrap, topic, 2, per_second=500).start()
    proc = start_run(kafka_bootstrap, topic, tmp_path, "-S", "partition_discovery_interval_ms=1000",
                     env={"KARROW_LOG": "info"})
    checkpoints = tmp_path / "checkpoints"
    try:
        wait_for(lambda: proc.poll() is not None or len(completed_checkpoint_offsets(checkpoints) or {}) == 2,
                 "a checkpoint of both partitions")
        grow_topic(kafka_bootstrap, topic, 5)
        # Values after the first producer's, round-robin over all five.
        second = LedgerProducer(kafka_bootstrap, topic, 5, per_second=500)
        second._next = 10**9
        second.start()
        # Read on in the new partitions: a checkpoint past their first records.
        wait_for(lambda: proc.poll() is not None or all(
            (completed_checkpoint_offsets(checkpoints) or {}).get(p, -2) >= 20 for p in (2, 3, 4)),
            "a checkpoint with 20 records of each new partition")
        first.stop()
        second.stop()
        # Then every record, the latest included.
        produced = {**first.produced, **second.produced}
        ends = {p: 1 + max(o for (q, o) in produced if q == p) for p in range(5)}
        wait_for(lambda: proc.poll() is not None or all(
            (completed_checkpoint_offsets(checkpoints) or {}).get(p, -2) >= ends[p] for p in ends),
            "a checkpoint of every record")
        assert proc.poll() is None, proc.stderr.read()
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert parse_summary(stderr)["finish"] == "graceful"
    # One discovery line per task, each naming its share (p % 2).
    assert re.search(rf"discovered partitions 2 to 4 of topic '{topic}'; task 0 of 2 reads 2,4 from the beginning",
                     stderr), stderr
    assert re.search(rf"discovered partitions 2 to 4 of topic '{topic}'; task 1 of 2 reads 3 from the beginning",
                     stderr), stderr
    assert stderr.count("discovered partitions") == 2, stderr
    assert check_ledger(produced, tmp_path / "out") == len(produced)
    assert sorted(checkpoint_offsets(checkpoints)[1]) == [0, 1, 2, 3, 4]


def test_s6_topic_missing_shorter_than_the_bound_is_waited_out(cluster, tmp_path):
    # The mock's metadata says the topic is unknown until told otherwise:
    # a topic missing for a moment, well within topic_missing_timeout_ms.
    topic = cluster.create_topic("flaky", 2)
    produce(cluster.bootstrap, topic, [{"value": f"{i}".encode(), "partition": i % 2} for i in range(20)])
    out, err = tmp_path / "out.ndjson", tmp_path / "err.log"
    with open(out, "w") as stdout, open(err, "w") as stderr:
        proc = subprocess.Popen(consume_args(cluster.bootstrap, topic, "-S", "partition_discovery_interval_ms=200",
                                             "-S", "topic_missing_timeout_ms=20000"),
                                stdout=stdout, stderr=stderr, env=INFO_LOG)
        try:
            wait_for(lambda: proc.poll() is not None or lines_in(out) == 20, lambda: f"20 rows read: {err.read_text()}")
            cluster.set_topic_error(topic, mock.ERR_UNKNOWN_TOPIC_OR_PART)
            wait_for(lambda: proc.poll() is not None or f"topic '{topic}' is missing from the cluster's metadata"
                     in err.read_text(), lambda: f"the run seeing the topic missing: {err.read_text()}")
            cluster.set_topic_error(topic, 0)
            wait_for(lambda: proc.poll() is not None or f"topic '{topic}' is back" in err.read_text(),
                     lambda: f"the run seeing the topic back: {err.read_text()}")
            produce(cluster.bootstrap, topic, [{"value": f"{i}".encode(), "partition": i % 2} for i in range(20, 40)])
            wait_for(lambda: proc.poll() is not None or lines_in(out) == 40, lambda: f"40 rows read: {err.read_text()}")
            assert proc.poll() is None, err.read_text()
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
    assert proc.returncode == 0, err.read_text()
    assert "was deleted" not in err.read_text()


def test_s6_topic_missing_longer_than_the_bound_fails(cluster, tmp_path):
    topic = cluster.create_topic("gone", 2)
    produce(cluster.bootstrap, topic, [{"value": f"{i}".encode(), "partition": i % 2} for i in range(20)])
    out, err = tmp_path / "out.ndjson", tmp_path / "err.log"
    with open(out, "w") as stdout, open(err, "w") as stderr:
        proc = subprocess.Popen(consume_args(cluster.bootstrap, topic, "-S", f"topic_missing_timeout_ms={MISSING_MS}"),
                                stdout=stdout, stderr=stderr)
        try:
            wait_for(lambda: proc.poll() is not None or lines_in(out) == 20, lambda: f"20 rows read: {err.read_text()}")
            cluster.set_topic_error(topic, mock.ERR_UNKNOWN_TOPIC_OR_PART)
            proc.wait(timeout=EXIT_BOUND)
        finally:
            if proc.poll() is None:
                proc.kill()
    log = err.read_text()
    assert proc.returncode == 1, log
    assert f"karrow: topic '{topic}' was deleted: it does not exist on {cluster.bootstrap}" in log


def test_s6_sasl_authentication_failure_is_named(kafka_bootstrap, new_topic):
    # The test broker speaks no SASL: a client that logs in is refused at
    # the handshake, which must be named, not taken for an unreachable broker.
    topic = new_topic(partitions=1)
    r = subprocess.run(
        consume_args(kafka_bootstrap, topic, "-e", "-X", "security.protocol=SASL_PLAINTEXT", "-X",
                     "sasl.mechanism=PLAIN", "-X", "sasl.username=reader", "-X", "sasl.password=hunter2-sentinel",
                     "-S", "connect_timeout_ms=5000"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=EXIT_BOUND)
    assert r.returncode == 1, r.stderr
    assert "karrow: SASL authentication failed: " in r.stderr
    assert "check bootstrap_servers" not in r.stderr
    assert "hunter2-sentinel" not in r.stderr + r.stdout
