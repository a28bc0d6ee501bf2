#!/usr/bin/env python3
"""ray.data.read_kafka against karrow.ray.read_kafka on the same local Ray
cluster: rows/s and CPU per row, raw bytes and JSON decoded to typed columns,
and the rows of both compared for equality. Writes its section of
bench/RESULTS.md (between the RAY_SECTION markers, which bench/run's report
keeps when it rewrites the rest).

Usage: bench/ray/ray_vs_anchor.py --bootstrap HOST:PORT [--messages N] [--rounds R]
Needs the built package (KARROW_PYTHONPATH, default build/release/python).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = os.environ.get("KARROW_PYTHONPATH", str(REPO / "build" / "release" / "python"))
sys.path.insert(0, PACKAGE)

import pyarrow as pa  # noqa: E402
import ray  # noqa: E402
from confluent_kafka import Producer  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402
from ray.cluster_utils import Cluster  # noqa: E402

import karrow  # noqa: E402
import karrow.ray as kray  # noqa: E402

PARTITIONS = 6
NODES = 3
SCHEMA = {"fields": [
    {"name": "id", "type": "int64", "nullable": False},
    {"name": "name", "type": "utf8", "nullable": False},
    {"name": "amount", "type": "float64", "nullable": False},
]}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# bench/e2e/report.py keeps what lies between these when it rewrites RESULTS.md.
RAY_SECTION_BEGIN = "<!-- RAY_SECTION: written by bench/ray/ray_vs_anchor.py -->"
RAY_SECTION_END = "<!-- /RAY_SECTION -->"


def value(i: int) -> bytes:
    return json.dumps({"id": i, "name": f"customer-{i % 10007}", "amount": i * 0.25}).encode()


def produce(bootstrap: str, topic: str, n: int) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, PARTITIONS, 1)])[topic].result(60)
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20, "batch.size": 1_000_000,
                         "enable.idempotence": True})
    for i in range(n):
        while True:
            try:
                producer.produce(topic, value(i), partition=i % PARTITIONS)
                break
            except BufferError:
                producer.poll(0.1)
    assert producer.flush(120) == 0


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user + system) of root and every process below it: the
    cluster's nodes and their workers are children of this driver."""
    parents, cpu = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        parents[int(entry)] = int(fields[1])
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    total = 0.0
    for pid in cpu:
        p = pid
        while p and p != root:
            p = parents.get(p, 0)
        if p == root:
            total += cpu[pid]
    return total


def decode_json(batch: pa.Table) -> pa.Table:
    """What a ray.data.read_kafka user writes to get typed columns."""
    values = [json.loads(v) for v in batch.column("value").to_pylist()]
    return pa.table({"id": pa.array([v["id"] for v in values], pa.int64()),
                     "name": pa.array([v["name"] for v in values], pa.string()),
                     "amount": pa.array([v["amount"] for v in values], pa.float64())})


def anchor(bootstrap: str, topic: str, workload: str) -> ray.data.Dataset:
    ds = ray.data.read_kafka(topic, bootstrap_servers=bootstrap)
    if workload == "json":
        ds = ds.map_batches(decode_json, batch_format="pyarrow")
    return ds


def with_karrow(bootstrap: str, topic: str, workload: str, rows_per_task: int) -> ray.data.Dataset:
    if workload == "json":
        return kray.read_kafka(topic, bootstrap, format="json", value_schema=SCHEMA,
                               event_time_column="", target_rows_per_task=rows_per_task)
    return kray.read_kafka(topic, bootstrap, format="raw_bytes", event_time_column="",
                           metadata_fields=["partition", "offset_id"],
                           target_rows_per_task=rows_per_task)


def rows_of(ds: ray.data.Dataset, workload: str) -> list[tuple]:
    table = pa.concat_tables(ray.get(ds.to_arrow_refs()))
    for batch in table.to_batches():
        batch.validate(full=True)
    if workload == "json":
        cols = ["id", "name", "amount"]
    else:
        if "offset" in table.column_names:  # the anchor's name for karrow's offset_id
            table = table.rename_columns(["offset_id" if c == "offset" else c
                                          for c in table.column_names])
        cols = ["partition", "offset_id", "value"]
    d = table.select(cols).to_pydict()
    return sorted(zip(*(d[c] for c in cols)))


def measure(make, root: int) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of the cluster and rows of one execution."""
    ds = make()
    cpu0, t0 = tree_cpu_seconds(root), time.perf_counter()
    materialized = ds.materialize()
    wall = time.perf_counter() - t0
    cpu = tree_cpu_seconds(root) - cpu0
    return wall, cpu, materialized.count()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--messages", type=int, default=600_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", default=str(REPO / "bench" / "RESULTS.md"),
                    help="the results file whose Ray section is (re)written")
    args = ap.parse_args()

    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (PACKAGE, str(Path(__file__).resolve().parent), os.environ.get("PYTHONPATH")) if p)
    topic = f"ray-bench-{uuid.uuid4().hex[:8]}"
    started = time.time()
    produce(args.bootstrap, topic, args.messages)
    # One read task per partition, as the anchor has.
    rows_per_task = -(-args.messages // PARTITIONS)
    cluster = None
    results = {}
    try:
        cluster = Cluster(initialize_head=True,
                          head_node_args={"num_cpus": 1, "object_store_memory": 400 * 1024**2,
                                          "include_dashboard": False})
        for _ in range(NODES - 1):
            cluster.add_node(num_cpus=1, object_store_memory=400 * 1024**2)
        cluster.wait_for_nodes()
        ray.init(address=cluster.address, log_to_driver=False)
        ray.data.DataContext.get_current().enable_progress_bars = False
        root = os.getpid()
        for workload in ("raw", "json"):
            contenders = {
                "ray.data.read_kafka": lambda: anchor(args.bootstrap, topic, workload),
                "karrow.ray.read_kafka": lambda: with_karrow(args.bootstrap, topic, workload,
                                                             rows_per_task),
            }
            rows = {name: rows_of(make(), workload) for name, make in contenders.items()}
            equal = rows["ray.data.read_kafka"] == rows["karrow.ray.read_kafka"]
            assert len(rows["karrow.ray.read_kafka"]) == args.messages
            for name, make in contenders.items():
                runs = [measure(make, root) for _ in range(args.rounds)]
                wall = statistics.median(r[0] for r in runs)
                cpu = statistics.median(r[1] for r in runs)
                assert all(r[2] == args.messages for r in runs), runs
                results[(workload, name)] = (wall, cpu, equal)
                print(f"{workload} {name}: {args.messages / wall:,.0f} rows/s, "
                      f"{cpu / args.messages * 1e6:.2f} CPU s per M rows, equal={equal}", flush=True)
    finally:
        ray.shutdown()
        if cluster is not None:
            cluster.shutdown()
        AdminClient({"bootstrap.servers": args.bootstrap}).delete_topics([topic])

    lines = [
        RAY_SECTION_BEGIN,
        "## On Ray: ray.data.read_kafka vs karrow.ray.read_kafka",
        "",
        f"Written by `bench/ray/ray_vs_anchor.py --messages {args.messages} --rounds {args.rounds}` "
        f"on {datetime.now(timezone.utc).isoformat(timespec='seconds')} in "
        f"{(time.time() - started) / 60:.1f} min.",
        "",
        f"- A local Ray {ray.__version__} cluster of {NODES} nodes (`ray.cluster_utils.Cluster`, "
        f"one CPU each) on a {os.cpu_count()}-core machine shared with other work; the broker "
        f"(`scripts/kafka`) on the same cores. Python {platform.python_version()}, karrow "
        f"{karrow.__version__}.",
        f"- One topic, {PARTITIONS} partitions, {args.messages:,} JSON records of about "
        f"{len(value(args.messages // 2))} bytes. Both read it from earliest to latest, one read "
        "task per partition (the anchor always has one; karrow's `target_rows_per_task` set to "
        "match).",
        "- **raw**: the value as bytes (the anchor's `value` column; karrow `format=raw_bytes` "
        "with partition and offset columns). **json**: typed columns id, name, amount; for the "
        "anchor that is a `map_batches` decoding the bytes with Python's `json`, as its users "
        "must; karrow decodes in its reader (`format=json`, `value_schema`).",
        "- Time: `ds.materialize()` from the start of execution to the end, median of "
        f"{args.rounds}. CPU: user + system time of the driver, the nodes and their workers "
        "over the same interval (the broker not included), per million rows.",
        "- Equal: the two datasets' rows, sorted, are the same ((partition, offset, value) for "
        "raw; (id, name, amount) for json).",
        "",
        "| workload | reader | rows/s | CPU s per M rows | rows equal |",
        "|---|---|---:|---:|---|",
    ]
    for (workload, name), (wall, cpu, equal) in results.items():
        lines.append(f"| {workload} | {name} | {args.messages / wall:,.0f} | "
                     f"{cpu / args.messages * 1e6:.2f} | {'yes' if equal else '**no**'} |")
    lines += ["", "| workload | karrow / anchor, rows/s | anchor / karrow, CPU per row |",
              "|---|---:|---:|"]
    for workload in ("raw", "json"):
        aw, ac, _ = results[(workload, "ray.data.read_kafka")]
        kw, kc, _ = results[(workload, "karrow.ray.read_kafka")]
        lines.append(f"| {workload} | {aw / kw:.1f}× | {ac / kc:.1f}× |")
    lines.append(RAY_SECTION_END)
    out = Path(args.out)
    old = out.read_text() if out.exists() else ""
    if RAY_SECTION_BEGIN in old:
        old = old[:old.index(RAY_SECTION_BEGIN)] + old[old.index(RAY_SECTION_END) + len(RAY_SECTION_END):]
    out.write_text(old.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    return 0 if all(r[2] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
