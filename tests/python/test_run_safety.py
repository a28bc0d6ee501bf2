"""`karrow run` refuses what would break exactly once rather than do it:
two runs on one folder at once."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from exactly_once import (
    LedgerProducer,
    check_ledger,
    completed_epochs,
    karrow_run_args,
    run_to_end,
    start_run,
    wait_for,
)


def run_once(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=timeout)


def with_dirs(args: list[str], checkpoints: Path | None = None, sink: Path | None = None) -> list[str]:
    """`args` with another --checkpoint-dir and/or --sink-dir."""
    out = list(args)
    if checkpoints is not None:
        out[out.index("--checkpoint-dir") + 1] = str(checkpoints)
    if sink is not None:
        out[out.index("--sink-dir") + 1] = str(sink)
    return out


def test_second_run_on_the_same_folders_refuses_at_once(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(partitions=2)
    producer = LedgerProducer(kafka_bootstrap, topic, 2, per_second=1000).start()
    first = start_run(kafka_bootstrap, topic, tmp_path, interval="100ms")
    wait_for(lambda: first.poll() is not None or completed_epochs(tmp_path / "checkpoints"), "a first checkpoint")
    assert first.poll() is None, first.stderr.read()
    args = karrow_run_args(kafka_bootstrap, topic, tmp_path, "-e")
    started = time.monotonic()
    second = run_once(args, timeout=60)
    assert second.returncode == 1, second.stderr
    assert (f"checkpoint directory {tmp_path / 'checkpoints'} is in use by another karrow run "
            f"(pid {first.pid}); stop it first or use another directory") in second.stderr
    # Another checkpoint folder, the same job's output: the sink is locked too.
    third = run_once(with_dirs(args, checkpoints=tmp_path / "other-checkpoints"), timeout=60)
    assert third.returncode == 1, third.stderr
    assert f"sink directory {tmp_path / 'out'} is in use by another karrow run (pid {first.pid})" in third.stderr
    # "At once": no connection to Kafka, no reading (the bound only catches a run that went on).
    assert time.monotonic() - started < 30
    # SIGKILL leaves no stale lock: the next run starts and resumes.
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    producer.stop()
    summary = run_to_end(kafka_bootstrap, topic, tmp_path)
    assert int(summary["restored_epoch"]) > 0
    check_ledger(producer.produced, tmp_path / "out")


def test_one_folder_for_checkpoints_and_output(kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic(partitions=2)
    producer = LedgerProducer(kafka_bootstrap, topic, 2)
    producer.produce(100)
    both = tmp_path / "both"
    args = with_dirs(karrow_run_args(kafka_bootstrap, topic, tmp_path, "-e"), checkpoints=both, sink=both)
    r = run_once(args)
    assert r.returncode == 0, r.stderr
    check_ledger(producer.produced, both)

