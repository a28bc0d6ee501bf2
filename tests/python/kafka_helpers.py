"""Helpers for tests that talk to the Kafka broker run by scripts/kafka."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any, Iterable, Mapping

from confluent_kafka import KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic

REPO = Path(__file__).resolve().parents[2]
KAFKA_SCRIPT = REPO / "scripts" / "kafka"


def start_broker(run_dir: str | os.PathLike[str]) -> str:
    """Starts (or reuses) a broker whose state lives in run_dir; returns host:port."""
    proc = subprocess.run(
        [str(KAFKA_SCRIPT), "start", "--dir", str(run_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"scripts/kafka start failed ({proc.returncode}):\n{proc.stderr}")
    return proc.stdout.strip().splitlines()[-1]


def stop_broker(run_dir: str | os.PathLike[str]) -> None:
    """Stops the broker in run_dir; harmless when none is running."""
    subprocess.run(
        [str(KAFKA_SCRIPT), "stop", "--dir", str(run_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def admin_client(bootstrap: str) -> AdminClient:
    return AdminClient({"bootstrap.servers": bootstrap})


def create_topic(
    bootstrap: str,
    name: str,
    partitions: int = 1,
    config: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> str:
    """Creates a topic and waits until every partition has a leader."""
    admin = admin_client(bootstrap)
    futures = admin.create_topics(
        [NewTopic(name, num_partitions=partitions, replication_factor=1, config=dict(config or {}))],
        operation_timeout=timeout,
    )
    # Longer than the broker may take (operation_timeout), so that its
    # answer, not our impatience, decides.
    futures[name].result(timeout=timeout + 30)
    # Creation returning does not mean metadata everywhere shows the leaders
    # yet; producing before that fails with unknown-partition errors.
    deadline = time.monotonic() + timeout
    while True:
        try:
            t = admin.list_topics(topic=name, timeout=5).topics.get(name)
        except KafkaException:  # no answer yet from a busy broker: ask again
            t = None
        if (
            t is not None
            and t.error is None
            and len(t.partitions) == partitions
            and all(p.error is None and p.leader >= 0 for p in t.partitions.values())
        ):
            return name
        if time.monotonic() > deadline:
            raise TimeoutError(f"topic {name} has no leaders after {timeout}s: {t and t.partitions}")
        time.sleep(0.1)


def delete_topics(bootstrap: str, names: Iterable[str], timeout: float = 30.0) -> None:
    names = list(names)
    if not names:
        return
    admin = admin_client(bootstrap)
    for f in admin.delete_topics(names, operation_timeout=timeout).values():
        try:
            # Longer than the broker may take (operation_timeout), as above.
            f.result(timeout=timeout + 30)
        except KafkaException:
            pass


def produce(
    bootstrap: str,
    topic: str,
    records: Iterable[Mapping[str, Any]],
    timeout: float = 60.0,
    producer_config: Mapping[str, Any] | None = None,
) -> list[tuple[int, int]]:
    """Produces records and waits for every acknowledgement.

    Each record is a dict with keys value (bytes|None), key (bytes|None),
    partition (int), headers (list of (str, bytes|None)) and timestamp (ms);
    all but value may be left out. Returns (partition, offset) for each record,
    in the order given. Raises if any delivery failed. `producer_config`
    adds to or overrides the producer's settings.
    """
    # Idempotence keeps per-partition order even if librdkafka retries.
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "acks": "all",
            "linger.ms": 5,
            "enable.idempotence": True,
            **(producer_config or {}),
        }
    )
    records = list(records)
    results: list[tuple[int, int] | None] = [None] * len(records)
    errors: list[str] = []

    def on_delivery(index: int):
        def cb(err, msg):
            if err is not None:
                errors.append(f"record {index}: {err}")
            else:
                results[index] = (msg.partition(), msg.offset())

        return cb

    for i, rec in enumerate(records):
        kwargs: dict[str, Any] = {"value": rec.get("value"), "key": rec.get("key"), "on_delivery": on_delivery(i)}
        if rec.get("partition") is not None:
            kwargs["partition"] = rec["partition"]
        if rec.get("headers"):
            kwargs["headers"] = list(rec["headers"])
        if rec.get("timestamp") is not None:
            kwargs["timestamp"] = rec["timestamp"]
        while True:
            try:
                producer.produce(topic, **kwargs)
                break
            except BufferError:  # local queue full: let deliveries drain
                producer.poll(0.1)

    remaining = producer.flush(timeout)
    if remaining:
        raise TimeoutError(f"{remaining} of {len(records)} records not delivered to {topic} within {timeout}s")
    if errors:
        raise KafkaException("delivery failed: " + "; ".join(errors[:10]))
    missing = [i for i, r in enumerate(results) if r is None]
    if missing:
        raise RuntimeError(f"no delivery report for records {missing[:10]}")
    return results  # type: ignore[return-value]


def grow_topic(bootstrap: str, topic: str, partitions: int, timeout: float = 30.0) -> None:
    """Adds partitions to `topic` until it has `partitions`, and waits until
    the metadata shows every one of them with a leader."""
    from confluent_kafka.admin import NewPartitions

    admin = admin_client(bootstrap)
    admin.create_partitions([NewPartitions(topic, partitions)], operation_timeout=timeout)[topic].result(
        timeout=timeout + 30)
    deadline = time.monotonic() + timeout
    while True:
        try:
            t = admin.list_topics(topic=topic, timeout=5).topics.get(topic)
        except KafkaException:  # a busy broker: ask again
            t = None
        if t is not None and len(t.partitions) == partitions and all(
                p.error is None and p.leader >= 0 for p in t.partitions.values()):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"topic {topic} did not show {partitions} partitions with leaders within {timeout}s")
        time.sleep(0.1)
