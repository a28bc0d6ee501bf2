"""Stopping karrow (docs/semantics.md, "Stopping"): a rate-limited reader
still answers checkpoints and stop requests; a graceful stop that cannot
finish (a broker that stopped answering) ends at --stop-timeout, non-zero,
saying what became of the final checkpoint; a second SIGINT/SIGTERM exits at
once. The bounds below are generous because the CI machine is busy: they
only have to tell "promptly" from the 45-121 s the old code took."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

import mock_cluster as mock
from exactly_once import (
    LedgerProducer,
    check_ledger,
    completed_checkpoint_offsets,
    completed_epochs,
    parse_summary,
    run_to_end,
    start_run,
    wait_for,
)
from kafka_helpers import produce
from karrow_testing import built_file

# How long an exit may take after the signal that asks for it: far above the
# 100 ms a reader may block, far below the old 45-121 s.
PROMPT_EXIT_S = 10
# A mock broker that answers nothing for this long has stalled.
STALL_MS = 600_000


def kill_if_running(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def exit_time(proc: subprocess.Popen, bound: float) -> float:
    """Seconds until `proc` exits; fails the test past `bound`."""
    start = time.monotonic()
    try:
        proc.wait(timeout=bound)
    except subprocess.TimeoutExpired:
        kill_if_running(proc)
        pytest.fail(f"still running {bound} s after it was asked to stop")
    return time.monotonic() - start


def test_a_rate_limited_consume_stops_promptly_on_sigterm(kafka_bootstrap, new_topic):
    topic = new_topic(1)
    produce(kafka_bootstrap, topic, [{"value": f"v{i}".encode()} for i in range(5)])
    # 0.01 messages a second, a burst of one: v0 at once, v1 charged 100 s.
    proc = subprocess.Popen([built_file("karrow", "KARROW_CLI"), "consume", "-b", kafka_bootstrap, "-t", topic,
                             "--rate", "0.01", "--linger-ms", "20", "-S", "connect_timeout_ms=60000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        # The first rows out mean the reader is in the rate limit's 100 s
        # wait (the old code printed nothing before it ended, hence no
        # assertion here: the old code fails below, on the stop).
        deadline = time.monotonic() + 30
        while not lines and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read()
        proc.send_signal(signal.SIGTERM)
        took = exit_time(proc, PROMPT_EXIT_S)
    finally:
        kill_if_running(proc)
    reader.join(timeout=10)
    err = proc.stderr.read()
    assert proc.returncode == 0, err
    assert took < PROMPT_EXIT_S
    # Only the messages the limit let through (the burst, and the one charged
    # 100 s, unless the signal came before it was fetched): waiting in slices
    # took nothing extra.
    assert [json.loads(line)["value"] for line in lines] in (["v0"], ["v0", "v1"])


def test_a_rate_limited_run_checkpoints_on_time_and_stops_promptly(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(partitions=2)
    producer = LedgerProducer(kafka_bootstrap, topic, 2)
    producer.produce(20)
    # One message every 20 s: the old reader slept 20 s at a time, and
    # neither barriers nor SIGTERM were answered meanwhile.
    proc = start_run(kafka_bootstrap, topic, tmp_path, "--rate", "0.05", parallelism=1, interval="1s")
    checkpoints = tmp_path / "checkpoints"
    try:
        first = wait_for(lambda: proc.poll() is not None or completed_epochs(checkpoints),
                         "a first checkpoint")
        assert proc.poll() is None, proc.stderr.read()
        start = time.monotonic()
        # Five more at a 1 s interval: ~5 s; the old reader managed 2 in 50 s.
        wait_for(lambda: proc.poll() is not None or completed_epochs(checkpoints)[-1] >= first[-1] + 5,
                 "five more checkpoints", timeout=30)
        assert proc.poll() is None, proc.stderr.read()
        five_took = time.monotonic() - start
        proc.send_signal(signal.SIGTERM)
        took = exit_time(proc, PROMPT_EXIT_S)
    finally:
        kill_if_running(proc)
    err = proc.stderr.read()
    assert proc.returncode == 0, err
    assert took < PROMPT_EXIT_S, err
    assert five_took < 30
    summary = parse_summary(err)
    assert summary["finish"] == "graceful", err
    assert int(summary["checkpoints"]) >= 6, err
    # The limit held: at most the burst and one message per 20 s begun.
    read = int(summary["messages"])
    assert 1 <= read <= 2 + (five_took + took) // 20 + 2, err
    run_to_end(kafka_bootstrap, topic, tmp_path)
    assert check_ledger(producer.produced, tmp_path / "out") == 20


@pytest.fixture
def cluster():
    c = mock.MockCluster(brokers=3)
    yield c
    for broker in range(1, c.brokers + 1):
        c.set_rtt(broker, 0)
    c.close()


def stall(cluster, rtt_ms: int) -> None:
    for broker in range(1, cluster.brokers + 1):
        cluster.set_rtt(broker, rtt_ms)


def checkpointed_then_stalled(cluster, work: Path) -> tuple[LedgerProducer, str, str]:
    """A first run checkpoints 60 records; 40 more are written; then every
    broker stops answering. Returns the producer, the topic and the epoch of
    the first run's last checkpoint."""
    topic = cluster.create_topic("stall", 2)
    producer = LedgerProducer(cluster.bootstrap, topic, 2)
    producer.produce(60)
    last_epoch = run_to_end(cluster.bootstrap, topic, work)["last_epoch"]
    producer.produce(40)
    stall(cluster, STALL_MS)
    return producer, topic, last_epoch


def start_stalled_run(cluster, topic: str, work: Path, log: Path, *extra: str) -> subprocess.Popen:
    """A run that restarts from the checkpoint while no broker answers: its
    task stays in opening its Kafka client (up to connect_timeout_ms, 60 s),
    so no checkpoint can complete. Returns once it has restored the
    checkpoint, so the signal handlers are in place."""
    with open(log, "w") as err:
        proc = start_run(cluster.bootstrap, topic, work, *extra, parallelism=1, stderr=err,
                         env={"KARROW_LOG": "info"})
    wait_for(lambda: proc.poll() is not None or "resuming from checkpoint" in log.read_text(),
             lambda: f"the run restoring its checkpoint; its log:\n{log.read_text()}")
    assert proc.poll() is None, log.read_text()
    return proc


def test_a_stop_the_broker_stalls_ends_at_the_stop_timeout_and_loses_nothing(cluster, tmp_path):
    producer, topic, last_epoch = checkpointed_then_stalled(cluster, tmp_path)
    log = tmp_path / "stalled-run.log"
    proc = start_stalled_run(cluster, topic, tmp_path, log, "--stop-timeout", "3s")
    try:
        proc.send_signal(signal.SIGTERM)
        # 3 s, a second for the tasks to end, and slack; the old run waited
        # for the 60 s connect timeout.
        took = exit_time(proc, 3 + 1 + PROMPT_EXIT_S)
    finally:
        kill_if_running(proc)
    err = log.read_text()
    assert proc.returncode == 1, err
    assert took >= 3, err  # it did wait for the final checkpoint first
    assert "did not complete within the stop timeout (3000 ms); stopped without it" in err
    assert f"Nothing is lost: checkpoint {last_epoch} stands, and running the job again resumes from it" in err
    assert "karrow run: " not in err  # no summary of a clean end
    # The broker back: a restart resumes from checkpoint 1, and every record
    # is in the output exactly once.
    stall(cluster, 0)
    run_to_end(cluster.bootstrap, topic, tmp_path)
    assert check_ledger(producer.produced, tmp_path / "out") == 100


def test_a_stop_whose_commit_the_broker_stalls_ends_at_the_stop_timeout(cluster, tmp_path):
    # The case found by probing (121 s): the final checkpoint completes (it
    # needs no broker), but committing its offsets and closing the Kafka
    # client wait for a broker that does not answer.
    topic = cluster.create_topic("stall-commit", 2)
    producer = LedgerProducer(cluster.bootstrap, topic, 2)
    producer.produce(100)
    log = tmp_path / "stalled-run.log"
    with open(log, "w") as err:
        proc = start_run(cluster.bootstrap, topic, tmp_path, "--stop-timeout", "3s", stderr=err)
    try:
        wait_for(lambda: proc.poll() is not None
                 or completed_checkpoint_offsets(tmp_path / "checkpoints") == {0: 50, 1: 50},
                 lambda: f"a checkpoint of every record; the run's log:\n{log.read_text()}")
        assert proc.poll() is None, log.read_text()
        stall(cluster, STALL_MS)
        proc.send_signal(signal.SIGTERM)
        took = exit_time(proc, 3 + 1 + PROMPT_EXIT_S)
    finally:
        kill_if_running(proc)
    err = log.read_text()
    assert proc.returncode == 1, err
    assert took >= 3, err
    final = re.search(r"the final checkpoint \((\d+)\) completed, but the tasks did not finish closing within "
                      r"the stop timeout \(3000 ms\)", err)
    assert final, err
    assert f"Nothing is lost: checkpoint {final[1]} stands" in err
    stall(cluster, 0)
    producer.produce(50)
    run_to_end(cluster.bootstrap, topic, tmp_path)
    assert check_ledger(producer.produced, tmp_path / "out") == 150


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_second_signal_during_a_stalled_stop_exits_at_once(cluster, tmp_path, signum, code):
    producer, topic, _ = checkpointed_then_stalled(cluster, tmp_path)
    log = tmp_path / "stalled-run.log"
    # A stop timeout far past the test: only the second signal can end it.
    proc = start_stalled_run(cluster, topic, tmp_path, log, "--stop-timeout", "10m")
    try:
        proc.send_signal(signum)
        wait_for(lambda: proc.poll() is not None or "stopping after a final checkpoint" in log.read_text(),
                 lambda: f"the run saying it stops; its log:\n{log.read_text()}")
        assert proc.poll() is None, log.read_text()
        proc.send_signal(signum)
        took = exit_time(proc, PROMPT_EXIT_S)
    finally:
        kill_if_running(proc)
    err = log.read_text()
    assert proc.returncode == code, err
    assert took < PROMPT_EXIT_S
    assert err.count("stopped at once by a second signal, without waiting for the final checkpoint") == 1, err
    stall(cluster, 0)
    run_to_end(cluster.bootstrap, topic, tmp_path)
    assert check_ledger(producer.produced, tmp_path / "out") == 100
