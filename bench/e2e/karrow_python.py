#!/usr/bin/env python3
"""karrow through its Python API, as a pyarrow user reads it: a KafkaReader
handed to pyarrow through the Arrow PyCapsule interface, its batches
iterated and dropped, like karrow_e2e drops them. Beside karrow_e2e (the
C++ API) it measures what the binding costs.

    karrow_python.py --bootstrap HOST:PORT --topic NAME [-p key=value]... [--seconds S]

Each -p is a source property, as for karrow_e2e ("@FILE" reads the value
from FILE). Reads like karrow_e2e (one pass from the beginning to the end
offsets; with --seconds, passes with a new reader each until S seconds are
on the clock) and prints the same JSON line (see measurement.h). The karrow
package is the one on sys.path: bench/run puts the build's first.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import pyarrow as pa

import karrow

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measurement import Clock, peak_rss_kib  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("-p", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--seconds", type=float, default=0)
    args = parser.parse_args()
    properties = {}
    for item in args.p:
        key, _, value = item.partition("=")
        if value.startswith("@"):
            with open(value[1:]) as f:
                value = f.read()
        properties[key] = value

    clock = Clock()
    handed: list[list] = []
    messages = value_bytes = rows = 0
    time_up = False
    while not time_up:
        # The clock runs from the reader's partitions being assigned (the
        # reader is open) to its last batch, as in karrow_e2e.
        with karrow.read_kafka(args.topic, args.bootstrap, stop_at_end=True, **properties) as reader:
            clock.resume()
            for batch in pa.RecordBatchReader.from_stream(reader):
                handed.append([round(clock.now(), 6), batch.num_rows])
                rows += batch.num_rows
            clock.pause()
            stats = reader.stats()
        messages += stats["messages"]
        value_bytes += stats["value_bytes"]
        # A pass is never cut short (Python cannot stop a reader midway as
        # karrow_e2e does), so rows always match the messages read.
        time_up = args.seconds <= 0 or clock.elapsed >= args.seconds
    print(json.dumps({"contender": "karrow-python", "messages": messages, "value_bytes": value_bytes,
                      "elapsed_s": clock.elapsed, "cpu_s": clock.cpu, "peak_rss_kib": peak_rss_kib(), "handed": handed,
                      "rows": rows}), flush=True)


if __name__ == "__main__":
    main()
