"""Checks the test broker itself: what is produced comes back exactly."""

from __future__ import annotations

import time
import uuid

from confluent_kafka import OFFSET_BEGINNING, TIMESTAMP_CREATE_TIME, Consumer, KafkaError, TopicPartition

from kafka_helpers import produce


def test_produce_and_consume_round_trip(kafka_bootstrap, new_topic):
    topic = new_topic(partitions=3)
    base_ts = 1_700_000_000_000
    records = []
    for i in range(30):
        records.append(
            {
                # Every 7th value is a null (tombstone), every 5th key null.
                "value": None if i % 7 == 3 else f"value-{i}".encode() * (i % 4 + 1),
                "key": None if i % 5 == 2 else f"key-{i}".encode(),
                "partition": i % 3,
                # Repeated names, empty and null header values must survive.
                "headers": [("seq", str(i).encode()), ("empty", b""), ("null", None), ("seq", b"\x00\xff")]
                if i % 2 == 0
                else [],
                "timestamp": base_ts + i * 1000,
            }
        )

    acks = produce(kafka_bootstrap, topic, records)
    assert acks == [(i % 3, i // 3) for i in range(30)]

    consumer = Consumer(
        {
            "bootstrap.servers": kafka_bootstrap,
            "group.id": f"karrow-test-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )
    try:
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(3)])
        got = {}
        at_eof = set()
        deadline = time.monotonic() + 30
        while (len(got) < 30 or len(at_eof) < 3) and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                assert msg.error().code() == KafkaError._PARTITION_EOF, msg.error()
                at_eof.add(msg.partition())
                continue
            at_eof.discard(msg.partition())
            assert (msg.partition(), msg.offset()) not in got, "duplicate message"
            got[(msg.partition(), msg.offset())] = msg
    finally:
        consumer.close()

    assert sorted(got) == [(p, o) for p in range(3) for o in range(10)]
    for i, rec in enumerate(records):
        msg = got[(i % 3, i // 3)]
        assert msg.topic() == topic
        assert msg.value() == rec["value"]
        assert msg.key() == rec["key"]
        assert (msg.headers() or []) == rec["headers"]
        assert msg.timestamp() == (TIMESTAMP_CREATE_TIME, rec["timestamp"])
