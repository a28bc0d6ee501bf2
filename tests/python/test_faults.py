"""Faults a real broker cannot be made to show on cue, injected with
librdkafka's mock cluster (docs/semantics.md §4, §5, §6): while they last,
`karrow run` keeps going, and afterwards every record is in the published
output exactly once."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from confluent_kafka import Consumer, TopicPartition

import mock_cluster as mock
from exactly_once import (
    LedgerProducer,
    check_ledger,
    checkpoint_offsets,
    completed_checkpoint_offsets,
    karrow_run_args,
    parse_summary,
    run_to_end,
    start_run,
    topic_contents,
    wait_for,
)
from kafka_helpers import produce

PARTITIONS = 4


@pytest.fixture
def cluster():
    c = mock.MockCluster(brokers=3)
    yield c
    c.close()


def run_through_fault(cluster, topic: str, work: Path, inject, *extra: str, fault_seen=None,
                      env: dict | None = None) -> dict[str, str]:
    """Produces while `karrow run` reads; `inject(cluster)` starts and ends
    the fault, once the run has checkpointed records of every partition.
    `fault_seen(log)`, if given, is true once the run's log shows that the
    fault hit it (`env` may turn on the log it needs). Then the run must recover: a later checkpoint has read on
    in every partition. Then it is stopped (SIGTERM: a last checkpoint), a
    bounded run reads what is left, and the ledger must hold. Returns the
    summary of the run that saw the fault."""
    producer = LedgerProducer(cluster.bootstrap, topic, PARTITIONS, per_second=1000).start()
    log = work / "faulted-run.log"
    checkpoints = work / "checkpoints"

    def wait_for_run(condition, what):
        # Ends early if the run ended: the checks after say why.
        wait_for(lambda: proc.poll() is not None or condition(), lambda: f"{what}; the run's log:\n{log.read_text()}")

    def read_past(offsets):
        # The newest complete checkpoint has read past `offsets` in every partition.
        now = completed_checkpoint_offsets(checkpoints)
        return now is not None and len(now) == PARTITIONS and all(now[p] > offsets.get(p, 0) for p in now)

    with open(log, "w") as err:
        proc = start_run(cluster.bootstrap, topic, work, *extra, stderr=err, env=env)
        try:
            wait_for_run(lambda: read_past({}), "a checkpoint with records of every partition before the fault")
            inject(cluster)
            if fault_seen is not None:
                wait_for_run(lambda: fault_seen(log.read_text()), "the fault showing in the run's log")
            # Recovered and reading again.
            after_fault = wait_for(lambda: completed_checkpoint_offsets(checkpoints), "reading the newest checkpoint")
            wait_for_run(lambda: read_past(after_fault), f"a checkpoint past {after_fault} after the fault")
        finally:
            producer.stop()
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
    stderr = log.read_text()
    assert proc.returncode == 0, f"a transient fault stopped the run:\n{stderr}"
    summary = parse_summary(stderr)
    assert summary["finish"] == "graceful", stderr
    assert int(summary["rows"]) > 0, stderr
    summary["stderr"] = stderr
    run_to_end(cluster.bootstrap, topic, work, *extra)
    # The topic itself is the ledger, since the faults hit the producer too:
    # across a leader move the mock cluster can acknowledge a retried
    # produce without an offset and without keeping the record. Every record
    # acknowledged with an offset must be there.
    truth = topic_contents(cluster.bootstrap, topic)
    acknowledged = {po: v for po, v in producer.produced.items() if po[1] is not None}
    assert {po: truth.get(po) for po in acknowledged} == acknowledged
    assert check_ledger(truth, work / "out") == len(truth) > 0
    return summary


def test_s3_6_broker_down_and_up(cluster, tmp_path):
    topic = cluster.create_topic("down-up", PARTITIONS)

    def inject(c):
        c.broker_down(2)
        time.sleep(2.0)
        c.broker_up(2)

    # The reader's client must have found broker 2 (the second bootstrap
    # address) refusing connections; librdkafka logs that as an error.
    broker_2 = cluster.bootstrap.split(",")[1]
    run_through_fault(cluster, topic, tmp_path, inject,
                      fault_seen=lambda log: f"Connect to ipv4#{broker_2} failed: Connection refused" in log)


def test_s3_6_leaders_move(cluster, tmp_path):
    topic = cluster.create_topic("leaders", PARTITIONS)
    # Leaders start at broker p % 3 + 1 and move twice, so each partition
    # ends on a broker other than the one the reader started with.
    for p in range(PARTITIONS):
        cluster.set_leader(topic, p, p % cluster.brokers + 1)

    def inject(c):
        for shift in (1, 2):
            for p in range(PARTITIONS):
                c.set_leader(topic, p, (p + shift) % c.brokers + 1)
            # A real broker answers a fetch for a partition it no longer
            # leads with NOT_LEADER_OR_FOLLOWER, which sends the client to
            # the new leader; librdkafka 2.0.2's mock keeps serving it, so
            # without these the reader never noticed the moves.
            c.fail_requests(mock.FETCH, [mock.ERR_NOT_LEADER_OR_FOLLOWER] * 4)
            time.sleep(0.5)

    def moved(log):
        # The reader's client sent each partition's fetches to more than one
        # broker (debug=topic logs where it sends them).
        return all(len(set(re.findall(rf"{topic} \[{p}\]: delegating to broker \S+/(\d+)", log))) >= 2
                   for p in range(PARTITIONS))

    run_through_fault(cluster, topic, tmp_path, inject, "-X", "debug=topic", env={"KARROW_LOG": "debug"},
                      fault_seen=moved)


def test_s3_6_fetch_errors_and_dropped_connections(cluster, tmp_path):
    topic = cluster.create_topic("fetch-errors", PARTITIONS)

    def inject(c):
        c.fail_requests(mock.FETCH, [mock.ERR_TRANSPORT, mock.ERR_NOT_LEADER_OR_FOLLOWER,
                                     mock.ERR_REQUEST_TIMED_OUT, mock.ERR_TRANSPORT] * 3)

    # The reader saw the failed fetches: the timed-out ones as a retried
    # client error, the dropped connections as librdkafka errors.
    def seen(log):
        return ("Kafka client (retrying): Fetch from broker" in log and "failed: Broker: Request timed out" in log
                and "Disconnected" in log)

    run_through_fault(cluster, topic, tmp_path, inject, fault_seen=seen)


def test_s3_6_fetch_timeouts(cluster, tmp_path):
    topic = cluster.create_topic("fetch-timeouts", PARTITIONS)

    def inject(c):
        # Answers slower than the client waits: its requests time out and it
        # reconnects, until the brokers are quick again.
        for b in range(1, c.brokers + 1):
            c.set_rtt(b, 2500)
        time.sleep(3.0)
        for b in range(1, c.brokers + 1):
            c.set_rtt(b, 0)

    summary = run_through_fault(cluster, topic, tmp_path, inject, "-X", "socket.timeout.ms=1000",
                                fault_seen=lambda log: "timed out" in log.lower())
    assert "timed out" in summary["stderr"].lower(), summary["stderr"]


def test_s3_4_failed_offset_commits_are_counted_not_fatal(cluster, tmp_path):
    topic = cluster.create_topic("commits", PARTITIONS)
    group = "karrow-commit-faults"

    def inject(c):
        c.fail_requests(mock.OFFSET_COMMIT, [mock.ERR_OFFSET_METADATA_TOO_LARGE] * 4)

    # Waits until the run met all four errors, so that none is left for the
    # bounded run after it, whose commits must succeed.
    summary = run_through_fault(cluster, topic, tmp_path, inject, "-g", group,
                                fault_seen=lambda log: log.count("could not commit offsets") >= 4)
    assert int(summary["commit_failures"]) >= 4, summary["stderr"]
    assert "could not commit offsets" in summary["stderr"]
    # Later checkpoints committed again: the group ends where the last one did.
    _, saved = checkpoint_offsets(tmp_path / "checkpoints")
    consumer = Consumer({"bootstrap.servers": cluster.bootstrap, "group.id": group})
    try:
        committed = consumer.committed([TopicPartition(topic, p) for p in range(PARTITIONS)], timeout=60)
    finally:
        consumer.close()
    assert {tp.partition: tp.offset for tp in committed} == saved


def test_s3_5_offset_lost_to_retention(cluster, tmp_path):
    # The mock cluster keeps about 5 MiB per partition: 100 KB values push
    # the oldest out.
    topic = cluster.create_topic("retention", 1)
    value = lambda i: f"{i:05d}".ljust(100_000, ".")  # noqa: E731
    first = produce(cluster.bootstrap, topic, [{"value": value(i).encode()} for i in range(20)])
    run_to_end(cluster.bootstrap, topic, tmp_path, parallelism=1)
    assert checkpoint_offsets(tmp_path / "checkpoints")[1] == {0: 20}
    later = produce(cluster.bootstrap, topic, [{"value": value(i).encode()} for i in range(20, 80)])

    failed = subprocess.run(karrow_run_args(cluster.bootstrap, topic, tmp_path, "-e", parallelism=1),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=60)
    assert failed.returncode == 1, failed.stderr
    assert f"topic '{topic}' partition 0 offset 20 is out of range" in failed.stderr
    assert "set on_out_of_range to earliest or latest" in failed.stderr

    summary = run_to_end(cluster.bootstrap, topic, tmp_path, "-S", "on_out_of_range=earliest", parallelism=1)
    gap = re.search(r"skips the gap \[20, (\d+)\)", summary["stderr"])
    assert gap, summary["stderr"]
    resumed_at = int(gap.group(1))
    assert 20 < resumed_at < 80
    assert summary["offset_gaps"] == "1" and summary["skipped_offsets"] == str(resumed_at - 20)
    produced = {po: value(i) for i, po in enumerate(first + later) if po[1] < 20 or po[1] >= resumed_at}
    assert check_ledger(produced, tmp_path / "out") == 20 + 80 - resumed_at
