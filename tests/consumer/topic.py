#!/usr/bin/env python3
"""The topic tests/consumer/run.sh reads: known records, and the line the
consumer programs must print for them.

    topic.py make BOOTSTRAP TOPIC ROWS   creates TOPIC (3 partitions), produces
                                         ROWS records, prints the expected line
    topic.py delete BOOTSTRAP TOPIC
"""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "python"))
from kafka_helpers import create_topic, delete_topics, produce  # noqa: E402

PARTITIONS = 3


def fnv1a(data: bytes) -> int:
    h = 14695981039346656037
    for b in data:
        h = ((h ^ b) * 1099511628211) % (1 << 64)
    return h


def name(i: int) -> str:
    # Some names not ASCII, so that lengths in bytes and in characters differ.
    return f"item-{i}" + ("-\u00e9\u4e2d" if i % 7 == 0 else "")


def make(bootstrap: str, topic: str, rows: int) -> None:
    create_topic(bootstrap, topic, PARTITIONS)
    produce(bootstrap, topic, [
        {"value": json.dumps({"id": i, "name": name(i)}).encode(), "partition": i % PARTITIONS}
        for i in range(rows)
    ])
    name_hash = sum(fnv1a(name(i).encode()) for i in range(rows)) % (1 << 64)
    print(f"rows={rows} id_sum={sum(range(rows))} name_hash={name_hash}")


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) == 4 and sys.argv[1] == "delete":
        delete_topics(sys.argv[2], [sys.argv[3]])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
