#!/usr/bin/env python3
"""What a Python user would write instead of karrow: confluent-kafka's
consume loop, json.loads (or fastavro's schemaless_reader after the 5-byte
Confluent header), and a pyarrow record batch every 8192 rows.

    python_consumer.py --bootstrap HOST:PORT --topic NAME --workload W [--seconds S]

Reads like the ceiling and karrow_e2e do (one pass from the beginning to the
end offsets; with --seconds, passes with a new client each until S seconds
are on the clock), with the same client settings, and prints the same JSON
line (see measurement.h).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time

import fastavro
import pyarrow as pa
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloads  # noqa: E402
from measurement import Clock, peak_rss_kib  # noqa: E402

BATCH_SIZE = 8192
MAX_FETCH = 1024


# --- the user's code: decode one value, build one batch -----------------------

def json_batches(schema: pa.Schema):
    """JSON objects -> batches of `schema`; timestamps arrive as RFC 3339 text
    and are cast by pyarrow, a column at a time."""
    timestamp_columns = [i for i, f in enumerate(schema) if pa.types.is_timestamp(f.type)]
    as_read = pa.schema([f.with_type(pa.string()) if i in timestamp_columns else f for i, f in enumerate(schema)])

    def build(rows: list) -> pa.RecordBatch:
        batch = pa.RecordBatch.from_pylist(rows, schema=as_read)
        for i in timestamp_columns:
            batch = batch.set_column(i, schema.field(i), batch.column(i).cast(schema.field(i).type))
        return batch

    return json.loads, build


def avro_batches(writer_schema: dict, arrow_schema: pa.Schema):
    parsed = fastavro.parse_schema(writer_schema)

    def decode(value: bytes):
        if len(value) < 5 or value[0] != 0:
            raise ValueError("not in the Confluent wire format")
        return fastavro.schemaless_reader(io.BytesIO(value[5:]), parsed)

    return decode, lambda rows: pa.RecordBatch.from_pylist(rows, schema=arrow_schema)


def decoder_for(workload: str):
    """(decode(value bytes) -> row, build(rows) -> pa.RecordBatch)."""
    if workload == "raw_string":
        return (lambda value: value.decode("utf-8"),
                lambda rows: pa.record_batch([pa.array(rows, pa.string())], names=["value"]))
    if workload == "bid_json":
        return json_batches(workloads.BID_ARROW)
    if workload == "bid_avro":
        return avro_batches(workloads.BID_AVRO_SCHEMA, workloads.BID_ARROW)
    if workload == "nested_json":
        return json_batches(workloads.ORDER_ARROW)
    raise SystemExit(f"unknown workload {workload}")


# --- the consume loop ------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--workload", required=True, choices=sorted(workloads.WORKLOADS))
    parser.add_argument("--seconds", type=float, default=0)
    args = parser.parse_args()
    decode, build = decoder_for(args.workload)

    config = {
        "bootstrap.servers": args.bootstrap,
        "group.id": "karrow-" + args.topic,
        "client.id": "karrow",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "error",
        "enable.partition.eof": True,
        "isolation.level": "read_committed",
    }

    clock = Clock()
    handed: list[list] = []
    messages = value_bytes = rows_out = 0
    time_up = False
    while not time_up:
        # One pass, with a new client as the other contenders make.
        consumer = Consumer(config)
        partitions = sorted(consumer.list_topics(args.topic, timeout=10).topics[args.topic].partitions)
        ends = {p: consumer.get_watermark_offsets(TopicPartition(args.topic, p), timeout=10)[1] for p in partitions}
        unfinished = {p for p in partitions if ends[p] > 0}
        if not unfinished:
            raise SystemExit(f"topic {args.topic} is empty")
        consumer.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in sorted(unfinished)])
        clock.resume()
        rows: list = []
        while unfinished and not time_up:
            for msg in consumer.consume(num_messages=min(MAX_FETCH, BATCH_SIZE - len(rows)), timeout=0.1):
                err = msg.error()
                if err is not None:
                    if err.code() == KafkaError._PARTITION_EOF:
                        continue
                    raise KafkaException(err)
                p = msg.partition()
                if p not in unfinished:
                    continue
                value = msg.value()
                rows.append(decode(value))
                messages += 1
                value_bytes += len(value)
                if msg.offset() + 1 >= ends[p]:
                    unfinished.discard(p)
                    consumer.pause([TopicPartition(args.topic, p)])
            if len(rows) == BATCH_SIZE or (not unfinished and rows):
                batch = build(rows)
                rows_out += batch.num_rows
                handed.append([round(clock.now(), 6), batch.num_rows])
                rows = []
                time_up = args.seconds > 0 and clock.now() >= args.seconds
        clock.pause()
        consumer.close()
        if args.seconds <= 0:
            break
    print(json.dumps({"contender": "python", "messages": messages, "value_bytes": value_bytes,
                      "elapsed_s": clock.elapsed, "cpu_s": clock.cpu, "peak_rss_kib": peak_rss_kib(),
                      "handed": handed, "rows": rows_out}), flush=True)


if __name__ == "__main__":
    main()
