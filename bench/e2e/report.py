"""Turns bench/run's measurements into RESULTS.md and results.png, and checks
that a run produced sane numbers. The metrics are defined in
bench/README.md; the definitions written into RESULTS.md say the same."""

from __future__ import annotations

from pathlib import Path

CONTENDERS = ["ceiling", "karrow", "karrow+metadata", "karrow-python", "python"]
# Run when built: the native reader prototype (bench/native_fetch) and the
# franz-go consume-and-drop program (bench/franz).
OPTIONAL_CONTENDERS = ["native", "native+metadata", "franz-go"]
RSS_FLAT_TOLERANCE = 0.10  # the second half's peak may be this much above the first half's,
RSS_FLAT_SLACK_MIB = 16  # or this many MiB: the fill of karrow's 16 MiB prefetch queue comes and goes
RSS_WARMUP_S = 1.0  # the prefetch queue fills in this first second: not judged for flatness
RSS_MIN_SAMPLES = 10  # after the warm-up; a shorter run says nothing about flatness
RATE_TOLERANCE = 0.02


# --- metrics --------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    s = sorted(values)
    rank = max(1, -(-len(s) * q // 100))  # ceil(n * q / 100)
    return s[int(rank) - 1]


def batch_gaps_ms(handed: list) -> list[float]:
    """Time between successive batches handed to the caller (the first one:
    since the clock started)."""
    out, last = [], 0.0
    for t, _rows in handed:
        out.append((t - last) * 1000)
        last = t
    return out


def rss_flatness(samples: list) -> dict:
    """Compares the VmRSS peaks of the first and second half of the run,
    after the warm-up second in which the prefetch queue fills."""
    samples = [(t, kib) for t, kib in samples if t >= RSS_WARMUP_S]
    if len(samples) < RSS_MIN_SAMPLES:
        return {"flat": None, "first_mib": None, "second_mib": None}
    half = (samples[0][0] + samples[-1][0]) / 2
    first = max(kib for t, kib in samples if t <= half) / 1024
    second = max(kib for t, kib in samples if t > half) / 1024
    allowed = first + max(first * RSS_FLAT_TOLERANCE, RSS_FLAT_SLACK_MIB)
    return {"flat": second <= allowed, "first_mib": first, "second_mib": second}


def mean_value_size(run: dict) -> float:
    return run["value_bytes"] / run["messages"] if run["messages"] else 0.0


def summarize(run: dict) -> dict:
    elapsed = max(run["elapsed_s"], 1e-9)
    messages = run["messages"]
    gaps = batch_gaps_ms(run["handed"])
    return {
        "workload": run["workload"], "contender": run["contender"], "messages": messages,
        "passes": messages / run["topic_messages"] if run.get("topic_messages") else None,
        "elapsed_s": run["elapsed_s"], "msg_per_s": messages / elapsed,
        "mb_per_s": run["value_bytes"] / elapsed / 1e6,
        "cpu_s_per_million": run["cpu_s"] / messages * 1e6 if messages else None,
        "peak_rss_mib": run["peak_rss_kib"] / 1024, "rss": rss_flatness(run["rss_samples"]),
        "gap_p50_ms": percentile(gaps, 50), "gap_p99_ms": percentile(gaps, 99),
    }


def summarize_rate(run: dict, unthrottled: float | None) -> dict:
    events = run["handed"]
    configured = run["configured"]
    out = {"configured": configured, "messages": run["messages"], "achieved": None, "deviation": None,
           "duration_s": None, "max_100ms": None, "reachable": unthrottled is None or configured <= unthrottled,
           "unthrottled": unthrottled, "within": None}
    if len(events) < 2:
        return out
    duration = events[-1][0] - events[0][0]
    achieved = sum(n for _, n in events[1:]) / duration if duration > 0 else None
    # The busiest 100 ms: every window (t - 0.1, t] that ends at a hand-over.
    best, total, lo = 0, 0, 0
    for t, n in events:
        total += n
        while events[lo][0] <= t - 0.1:
            total -= events[lo][1]
            lo += 1
        best = max(best, total)
    out.update(achieved=achieved, duration_s=duration, max_100ms=best,
               deviation=achieved / configured - 1 if achieved else None)
    if out["deviation"] is not None:
        out["within"] = abs(out["deviation"]) <= RATE_TOLERANCE
    return out


def micro_pairs(benchmarks: list, numerator: str, denominator: str) -> list[tuple[str, float, float]]:
    """(variant, numerator items/s, denominator items/s) for benchmarks named
    NUMERATOR<variant> and DENOMINATOR<variant> (e.g. BM_JsonToArrow/bid)."""
    by_name = {b["name"]: b["items_per_second"] for b in benchmarks if b.get("items_per_second")}
    out = []
    for name, value in by_name.items():
        if name.split("/")[0] != numerator:
            continue
        variant = name[len(numerator):]
        other = by_name.get(denominator + variant)
        if other:
            out.append((variant, value, other))
    return out


def micro_values(benchmarks: list, family: str) -> list[tuple[str, float]]:
    """(variant, items/s) of one family; when some variants name the bid,
    only those (the targets are stated for the bid)."""
    values = [(b["name"][len(family):], b["items_per_second"]) for b in benchmarks
              if b["name"].split("/")[0] == family and b.get("items_per_second")]
    bids = [v for v in values if "bid" in v[0].lower()]
    return bids or values


# --- formatting -------------------------------------------------------------------------

def n0(v) -> str:
    return "–" if v is None else f"{v:,.0f}"


def n1(v) -> str:
    return "–" if v is None else f"{v:,.1f}"


def n2(v) -> str:
    return "–" if v is None else f"{v:,.2f}"


def pct(v) -> str:
    return "–" if v is None else f"{v * 100:.0f} %"


def status(ok) -> str:
    return "not measured" if ok is None else ("met" if ok else "**NOT MET**")


# --- the report -------------------------------------------------------------------------

def build(results: dict) -> dict:
    """One row per (workload, contender): its median round by msg/s (the
    lower middle of an even count), with every round's msg/s and ratio to
    the ceiling of the same round alongside."""
    rounds: dict[tuple[str, str], list[dict]] = {}
    for run in results["runs"]:
        rounds.setdefault((run["workload"], run["contender"]), []).append(summarize(run) | {"round": run.get("round", 1)})
    rows, by = [], {}
    for key, runs in rounds.items():
        ranked = sorted(runs, key=lambda r: r["msg_per_s"])
        row = dict(ranked[(len(ranked) - 1) // 2])
        row["round_rates"] = [r["msg_per_s"] for r in sorted(runs, key=lambda r: r["round"])]
        rows.append(row)
        by[key] = row
    for r in rows:
        ceiling = by.get((r["workload"], "ceiling"))
        r["ratio_to_ceiling"] = r["msg_per_s"] / ceiling["msg_per_s"] if ceiling else None
        same_round = {c["round"]: c["msg_per_s"] for c in rounds.get((r["workload"], "ceiling"), [])}
        r["round_ratios"] = [run["msg_per_s"] / same_round[run["round"]]
                             for run in sorted(rounds[(r["workload"], r["contender"])], key=lambda x: x["round"])
                             if same_round.get(run["round"])]
    raw = by.get(("raw_string", "karrow"))
    unthrottled = raw["msg_per_s"] if raw else None
    rates = [summarize_rate(r, unthrottled) for r in results["rate_runs"]]
    queue = [summarize(r) | {"queue_kib": r["queue_kib"]} for r in results.get("queue_runs", [])]
    return {"rows": rows, "by": by, "rates": rates, "queue": queue}


def targets(results: dict, b: dict) -> list[tuple[str, str, str]]:
    by = b["by"]
    out = []

    def ceiling_target(workload: str, goal: float):
        r = by.get((workload, "karrow"))
        m = by.get((workload, "karrow+metadata"))
        if not r:
            out.append((f"karrow {workload} ≥ {goal * 100:.0f} % of the ceiling", "not measured", status(None)))
            return
        text = f"{pct(r['ratio_to_ceiling'])} ({n0(r['msg_per_s'])} of {n0(by[(workload, 'ceiling')]['msg_per_s'])} msg/s)"
        if len(r["round_ratios"]) > 1:
            text += "; by round " + ", ".join(pct(x) for x in r["round_ratios"])
        if m:
            text += f"; with all metadata fields {pct(m['ratio_to_ceiling'])}"
        out.append((f"karrow {workload} ≥ {goal * 100:.0f} % of the ceiling", text,
                    status(r["ratio_to_ceiling"] >= goal)))

    ceiling_target("raw_string", 0.90)
    ceiling_target("bid_avro", 0.85)
    ceiling_target("bid_json", 0.80)

    ratios = []
    for w in dict.fromkeys(r["workload"] for r in b["rows"]):
        k, p = by.get((w, "karrow")), by.get((w, "python"))
        if k and p and k["cpu_s_per_million"] and p["cpu_s_per_million"]:
            ratios.append((w, p["cpu_s_per_million"] / k["cpu_s_per_million"]))
    out.append(("karrow ≥ 10× the Python consumer per core (CPU s per million messages)",
                ", ".join(f"{w} {x:.1f}×" for w, x in ratios) or "not measured",
                status(all(x >= 10 for _, x in ratios) if ratios else None)))

    # Not a target: what the Python binding costs, the same reads through the
    # Python API (into pyarrow) against the C++ API.
    binding = []
    for w in dict.fromkeys(r["workload"] for r in b["rows"]):
        k, p = by.get((w, "karrow")), by.get((w, "karrow-python"))
        if k and p and k["msg_per_s"]:
            binding.append(f"{w} {pct(p['msg_per_s'] / k['msg_per_s'])}")
    out.append(("the Python API's msg/s as a share of the C++ API's (no target)", ", ".join(binding) or "not measured",
                "measured" if binding else status(None)))

    karrow_rss = [r for r in b["rows"] if r["contender"] in ("karrow", "karrow+metadata")]
    measured = [r for r in karrow_rss if r["rss"]["flat"] is not None]
    text = "; ".join(f"{r['workload']} {r['contender']}: {n0(r['rss']['first_mib'])} → {n0(r['rss']['second_mib'])} MiB"
                     for r in measured if not r["rss"]["flat"])
    if measured:
        flat = sum(1 for r in measured if r["rss"]["flat"])
        text = f"{flat} of {len(measured)} karrow runs flat" + (f"; grew: {text}" if text else "")
    ok = all(r["rss"]["flat"] for r in measured) if measured else None
    queue = sorted(b["queue"], key=lambda r: r["queue_kib"])
    if len(queue) > 1:
        # Bounded by the configuration: the peak follows the queue bound.
        follows = queue[0]["peak_rss_mib"] < queue[-1]["peak_rss_mib"]
        text += "; peak RSS by prefetch queue bound: " + ", ".join(
            f"{r['queue_kib'] // 1024} MiB → {n0(r['peak_rss_mib'])} MiB" for r in queue)
        ok = None if ok is None else ok and follows
    out.append(("karrow's peak RSS bounded by the queue setting and flat (after the first second, the second "
                "half's peak ≤ the first half's + 10 % or 16 MiB)", text or "not measured", status(ok)))

    reachable = [r for r in b["rates"] if r["reachable"] and r["within"] is not None]
    unreachable = [r for r in b["rates"] if not r["reachable"]]
    text = ", ".join(f"{n0(r['configured'])}/s: {'+' if r['deviation'] >= 0 else ''}{r['deviation'] * 100:.2f} %"
                     for r in reachable)
    if unreachable:
        text += ("; " if text else "") + ", ".join(
            f"{n0(r['configured'])}/s not reachable (karrow reads {n0(r['unthrottled'])} msg/s unthrottled here)"
            for r in unreachable)
    verdict = status(all(r["within"] for r in reachable) if reachable else None)
    if unreachable and verdict == "met":
        verdict = "met where reachable"
    out.append((f"rate limiter within 2 % over {results['rate_seconds']:g} s", text or "not measured", verdict))

    micro = results["micro"]
    if micro["status"] != "ran":
        for t in ("decode-only JSON→Arrow ≥ 5M msg/s per core", "decode-only Avro→Arrow ≥ 15M msg/s per core",
                  "decode-only Avro→Arrow ≥ 6× avro-c"):
            out.append((t, f"micro benchmarks {micro['status']}", status(None)))
        return out
    bms = micro["benchmarks"]
    for family, goal, label in (("BM_JsonToArrow", 5e6, "JSON→Arrow ≥ 5M msg/s per core"),
                                ("BM_AvroToArrow", 15e6, "Avro→Arrow ≥ 15M msg/s per core")):
        values = micro_values(bms, family)
        out.append((f"decode-only {label}", ", ".join(f"{family}{v}: {n0(x)}/s" for v, x in values) or "not measured",
                    status(all(x >= goal for _, x in values) if values else None)))
    pairs = [p for p in micro_pairs(bms, "BM_AvroToArrow", "BM_AvroC")]
    out.append(("decode-only Avro→Arrow ≥ 6× avro-c", ", ".join(f"{v or 'all'}: {a / c:.1f}×" for v, a, c in pairs)
                or "not measured", status(all(a / c >= 6 for _, a, c in pairs) if pairs else None)))
    return out


def native_phase1(results: dict, b: dict) -> list[str]:
    """The native fetch prototype beside the librdkafka ceiling, karrow and
    franz-go, with the phase-1 decision: on raw_string, at most half the
    ceiling's CPU per message and at least franz-go's msg/s."""
    by = b["by"]
    workloads = [w for w in dict.fromkeys(r["workload"] for r in b["rows"]) if (w, "native") in by]
    if not workloads:
        return []
    lines = ["## Native fetch prototype (phase 1)", "",
             "`bench/native_fetch`: its own Kafka protocol client (Fetch v4) and RecordBatch v2 parser, each record "
             "appended straight into karrow's row assembler; no librdkafka. Beside it, librdkafka's consume-and-drop "
             "ceiling, karrow today and franz-go (consume-and-drop, `bench/franz`). CPU s per M msgs is the figure "
             "that shows the client: the broker shares the cores, so msg/s is partly the broker's limit.", ""]
    verify = results.get("native_verify", {})
    if verify:
        lines += ["Checked against librdkafka before the rounds (`native_fetch --verify`: per partition the count, "
                  "first and last offset, ascending offsets, and a digest of every offset, key, value, timestamp and header "
                  "read back from the Arrow columns): " + ", ".join(
                      f"{w} {'same' if v.get('same') else '**DIFFERENT**'} ({n0(v.get('messages'))} messages)"
                      for w, v in verify.items()) + ".", ""]
    lines += ["| workload | contender | msg/s | CPU s per M msgs | CPU per msg / the ceiling's | msg/s / franz-go's |",
              "|---|---|---:|---:|---:|---:|"]
    order = ["native", "native+metadata", "ceiling", "karrow", "karrow+metadata", "franz-go"]
    for w in workloads:
        ceiling, franz = by.get((w, "ceiling")), by.get((w, "franz-go"))
        for c in order:
            r = by.get((w, c))
            if not r:
                continue
            cpu_ratio = (r["cpu_s_per_million"] / ceiling["cpu_s_per_million"]
                         if ceiling and ceiling["cpu_s_per_million"] and r["cpu_s_per_million"] else None)
            rate_ratio = r["msg_per_s"] / franz["msg_per_s"] if franz and franz["msg_per_s"] else None
            lines.append(f"| {w} | {c} | {n0(r['msg_per_s'])} | {n2(r['cpu_s_per_million'])} | {n2(cpu_ratio)} | "
                         f"{n2(rate_ratio)} |")
    # The same two ratios within each round (contenders take turns, so a
    # round's ratios share the machine's state).
    per_round: dict[tuple[str, str, int], dict] = {}
    for run in results["runs"]:
        per_round[(run["workload"], run["contender"], run.get("round", 1))] = summarize(run)
    lines += ["", "By round (native / ceiling CPU per message; native / franz-go msg/s):", ""]
    for w in workloads:
        parts = []
        for rnd in sorted({k[2] for k in per_round if k[0] == w}):
            n, c, f = (per_round.get((w, x, rnd)) for x in ("native", "ceiling", "franz-go"))
            if not n:
                continue
            cpu = n2(n["cpu_s_per_million"] / c["cpu_s_per_million"]) if c and c["cpu_s_per_million"] else "–"
            rate = n2(n["msg_per_s"] / f["msg_per_s"]) if f and f["msg_per_s"] else "–"
            parts.append(f"round {rnd}: {cpu}; {rate}")
        lines.append(f"- {w}: " + "; ".join(parts))
    n, c, f = by.get(("raw_string", "native")), by.get(("raw_string", "ceiling")), by.get(("raw_string", "franz-go"))
    if n and c:
        half = n["cpu_s_per_million"] <= c["cpu_s_per_million"] / 2
        lines += ["", f"Phase-1 criterion on raw_string: CPU per message ≤ half the ceiling's: "
                  f"{n2(n['cpu_s_per_million'])} against {n2(c['cpu_s_per_million'])} s per million, "
                  f"{status(half)}; msg/s ≥ franz-go's: "
                  + (f"{n0(n['msg_per_s'])} against {n0(f['msg_per_s'])}, {status(n['msg_per_s'] >= f['msg_per_s'])}"
                     if f else "franz-go not measured") + "."]
    return lines + [""]


def markdown(results: dict, b: dict) -> str:
    m = results["machine"]
    smoke = " (smoke run: tiny topics, numbers mean nothing)" if results["smoke"] else ""
    lines = [
        f"# karrow benchmark results{smoke}",
        "",
        f"Written by `{results['command']}` on {results['started']} (UTC), in {results['total_s'] / 60:.1f} min. "
        "bench/README.md says what each contender is and how each number is measured.",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores; memory {m['memory_gib']} GiB; kernel {m['kernel']} ({m['os']})",
        f"- librdkafka {results['machine']['librdkafka']} (karrow and the ceiling); the Python consumer: "
        f"Python {m['python']}, confluent-kafka {m['confluent_kafka']} with its own librdkafka "
        f"{m['confluent_kafka_librdkafka']}, pyarrow {m['pyarrow']}, fastavro {m['fastavro']}",
        "- The Kafka broker (one node, `scripts/kafka`) runs on the same cores as the contenders. The machine is "
        f"shared and noisy: load average {results['load_before'][0]:.1f} before the run, "
        f"{results['load_after'][0]:.1f} after it. Expect a few percent of run-to-run variation, more on "
        "the ratios of the fastest contenders.",
        f"- Topics: {results['partitions']} partitions; "
        + ", ".join(f"{w} {n0(c)} messages" for w, c in results["counts"].items())
        + ". Each contender reads for "
        + (f"{results['seconds']:g} s (re-reading the topic from its beginning as often as needed)"
           if results["seconds"] > 0 else "one pass over the topic") + ".",
        "",
        "## Targets",
        "",
        "| target | measured | |",
        "|---|---|---|",
    ]
    for name, measured, st in targets(results, b):
        lines.append(f"| {name} | {measured} | {st} |")
    missed = [name for name, _, st in targets(results, b) if "NOT MET" in st]
    lines += ["", ("Missed: " + "; ".join(missed) + "." if missed else "Every measured target is met."), ""]

    lines += native_phase1(results, b)
    lines += [
        "## End to end",
        "",
        "| workload | contender | msg/s | MB/s | of the ceiling | CPU s per M msgs | peak RSS MiB | RSS flat "
        "(1st → 2nd half peak) | batch gap p50 / p99 ms | messages (passes) |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in b["rows"]:
        rss = r["rss"]
        judged = r["contender"].startswith("karrow")  # the target is karrow's
        no = "**no**" if judged else "no"
        flat = "–" if rss["flat"] is None else (
            f"{'yes' if rss['flat'] else no} ({n0(rss['first_mib'])} → {n0(rss['second_mib'])})")
        lines.append(
            f"| {r['workload']} | {r['contender']} | {n0(r['msg_per_s'])} | {n1(r['mb_per_s'])} | "
            f"{pct(r['ratio_to_ceiling'])} | {n2(r['cpu_s_per_million'])} | {n0(r['peak_rss_mib'])} | {flat} | "
            f"{n1(r['gap_p50_ms'])} / {n1(r['gap_p99_ms'])} | {n0(r['messages'])} ({n1(r['passes'])}) |")
    sizes = results.get("value_sizes", {})
    if sizes:
        lines += ["", "Mean value sizes: " + ", ".join(f"{w} {v:.0f} B" for w, v in sizes.items()) + "."]
    rounds = results.get("rounds", 1)
    if rounds > 1:
        lines += ["", f"Each contender but Python read each workload {rounds} times, the contenders taking turns; "
                  "the table shows each one's median round. msg/s by round:", ""]
        lines += [f"- {r['workload']} {r['contender']}: " + ", ".join(n0(x) for x in r["round_rates"])
                  for r in b["rows"] if len(r["round_rates"]) > 1]
    lines += ["", "![msg/s and CPU per message of each contender](results.png)", ""]

    if b["queue"]:
        lines += ["## Memory and the prefetch queue", "",
                  "karrow on bid_json with `client_configs.queued.max.messages.kbytes` set (karrow's default is "
                  "16384). librdkafka's prefetch queue is most of karrow's memory.", "",
                  "| queue bound MiB | msg/s | peak RSS MiB | RSS flat (1st → 2nd half peak) |",
                  "|---:|---:|---:|---|"]
        for r in sorted(b["queue"], key=lambda r: r["queue_kib"]):
            rss = r["rss"]
            flat = "–" if rss["flat"] is None else (
                f"{'yes' if rss['flat'] else '**no**'} ({n0(rss['first_mib'])} → {n0(rss['second_mib'])})")
            lines.append(f"| {r['queue_kib'] // 1024} | {n0(r['msg_per_s'])} | {n0(r['peak_rss_mib'])} | {flat} |")
        lines.append("")

    lines += ["## Rate limiter", ""]
    if b["rates"]:
        lines += [
            f"karrow, format=raw_string, `messages_per_second` set, read for {results['rate_seconds']:g} s. "
            "The limiter allows a burst of a tenth of a second's messages (so at most about twice the "
            "configured rate in any 100 ms, as at the start); each fetch takes at most 1024.",
            "",
            "| configured msg/s | achieved msg/s | deviation | within 2 % | max in any 100 ms | configured per 100 ms |",
            "|---:|---:|---:|---|---:|---:|",
        ]
        for r in b["rates"]:
            within = status(r["within"]) if r["reachable"] else (
                f"not reachable: {n0(r['unthrottled'])} msg/s unthrottled")
            dev = "–" if r["deviation"] is None else f"{r['deviation'] * 100:+.2f} %"
            lines.append(f"| {n0(r['configured'])} | {n0(r['achieved'])} | {dev} | {within} | "
                         f"{n0(r['max_100ms'])} | {n0(r['configured'] / 10)} |")
    else:
        lines.append("Not run.")
    lines += ["", "## Decode-only micro benchmarks", ""]
    micro = results["micro"]
    if micro["status"] == "absent":
        lines.append(f"Not run: `{micro['binary']}` was not built when bench/run ran.")
    elif micro["status"] == "failed":
        lines += [f"`{micro['binary']}` failed:", "", "```", micro["error"].strip(), "```"]
    else:
        median = " Each number is the median of its repetitions." if "repetitions" in micro["command"] else ""
        lines += [f"`{micro['command']}` (one thread, so items/s is per core).{median}", "",
                  "| benchmark | items/s |", "|---|---:|"]
        lines += [f"| {x['name']} | {n0(x['items_per_second'])} |" for x in micro["benchmarks"]]
        lines += [""]
        for num, den, label in (("BM_JsonToArrow", "BM_SimdjsonParse", "JSON→Arrow / simdjson parse"),
                                ("BM_AvroToArrow", "BM_AvroC", "AvroToArrow / avro-c")):
            pairs = micro_pairs(micro["benchmarks"], num, den)
            text = ", ".join(f"{v or 'all'} {a / c:.2f}" for v, a, c in pairs) or "no pair measured"
            lines.append(f"- {label}: {text}")
    notes = Path(__file__).resolve().parent.parent / "PROFILE.md"
    if notes.exists() and not results["smoke"]:
        lines += ["", f"## Profiles, fixes and missed targets (from `bench/{notes.name}`, written by hand)", "",
                  notes.read_text().strip()]
    lines += ["", "## Definitions", "",
              "- msg/s, MB/s: messages (and their value bytes) over the contender's clock, which runs only while "
              "it reads (from its partitions being assigned to its last batch of each pass).",
              "- CPU s per M msgs: user + system CPU of the contender's process (all threads) over the same "
              "clock, from getrusage in the process, per million messages.",
              "- peak RSS: the largest VmHWM of the process, sampled every 100 ms from outside with VmRSS. Flat: of the VmRSS "
              "samples after the first second (in which the prefetch queue fills), the second half's peak is at "
              "most 10 % or 16 MiB (karrow's prefetch queue bound) above the first half's, whichever is more.",
              "- batch gap: the time between successive batches of 8192 rows handed to the caller (karrow: "
              "between Next() returning batches; ceiling: between groups of 8192 messages; Python: between "
              "pyarrow batches).",
              "- rate limiter: achieved = rows handed after the first fetch over the time from the first to the "
              "last hand-over; max in any 100 ms = the most rows handed in any 100 ms window.",
              ""]
    return "\n".join(lines)


def chart(results: dict, b: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workloads = list(dict.fromkeys(r["workload"] for r in b["rows"]))
    colors = {"ceiling": "#888888", "karrow": "#1f77b4", "karrow+metadata": "#6baed6", "karrow-python": "#2ca02c",
              "python": "#d62728", "native": "#9467bd", "native+metadata": "#c5b0d5", "franz-go": "#ff7f0e"}
    present = {r["contender"] for r in b["rows"]}
    contenders = [c for c in CONTENDERS + OPTIONAL_CONTENDERS if c in present]
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    width = 0.8 / len(contenders)
    for ax, key, title in ((axes[0], "msg_per_s", "messages per second (log scale)"),
                           (axes[1], "cpu_s_per_million", "CPU seconds per million messages (log scale)")):
        for i, c in enumerate(contenders):
            xs, ys = [], []
            for j, w in enumerate(workloads):
                r = b["by"].get((w, c))
                if r and r[key]:
                    xs.append(j + (i - (len(contenders) - 1) / 2) * width)
                    ys.append(r[key])
            bars = ax.bar(xs, ys, width, label=c, color=colors[c])
            if key == "msg_per_s":
                for x, y, bar in zip(xs, ys, bars):
                    ax.annotate(f"{y / 1e6:.2f}M" if y >= 1e6 else f"{y / 1e3:.0f}k", (x, y),
                                ha="center", va="bottom", fontsize=7, rotation=90, xytext=(0, 2),
                                textcoords="offset points")
        ax.set_yscale("log")
        low, high = ax.get_ylim()
        ax.set_ylim(low, high * 3)  # room for the labels
        ax.set_xticks(range(len(workloads)))
        ax.set_xticklabels(workloads)
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", which="both", alpha=0.3)
    axes[1].legend(fontsize=8, loc="upper left")
    m = results["machine"]
    fig.suptitle(f"karrow end to end, {results['partitions']} partitions — {m['cpu']}, {m['cores']} cores "
                 f"(shared){' — SMOKE RUN' if results['smoke'] else ''}", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# The section bench/ray/ray_vs_anchor.py writes into RESULTS.md; kept as it is.
RAY_SECTION_BEGIN = "<!-- RAY_SECTION: written by bench/ray/ray_vs_anchor.py -->"
RAY_SECTION_END = "<!-- /RAY_SECTION -->"


def write(results: dict, out: Path) -> None:
    b = build(results)
    old = (out / "RESULTS.md").read_text() if (out / "RESULTS.md").exists() else ""
    text = markdown(results, b)
    if RAY_SECTION_BEGIN in old and RAY_SECTION_END in old:
        kept = old[old.index(RAY_SECTION_BEGIN):old.index(RAY_SECTION_END) + len(RAY_SECTION_END)]
        text = text.rstrip("\n") + "\n\n" + kept + "\n"
    (out / "RESULTS.md").write_text(text)
    chart(results, b, out / "results.png")


def check(results: dict, out: Path) -> list[str]:
    """What makes a run's report wrong: a missing contender, a zero rate, rows
    that do not match the messages read, a missing or empty file."""
    problems = []
    b = build(results)
    workloads = list(dict.fromkeys(r["workload"] for r in results["runs"]))
    # Every contender asked for (all by default); an optional one that ran
    # for some workload must have run for all.
    wanted = [c for c in CONTENDERS if c in (results.get("contenders") or CONTENDERS)]
    wanted += [c for c in OPTIONAL_CONTENDERS if any(r["contender"] == c for r in results["runs"])]
    for w in workloads:
        for c in wanted:
            if (w, c) not in b["by"]:
                problems.append(f"{w}: no {c} result")
    for w, v in results.get("native_verify", {}).items():
        if not v.get("same"):
            problems.append(f"{w}: native_fetch --verify found the prototype's records differ from librdkafka's: "
                            f"{v.get('error', '')[-500:]}")
    for run in results["runs"] + results.get("queue_runs", []):
        w, c = run["workload"], run["contender"]
        s = summarize(run)
        if not (run["messages"] > 0 and s["msg_per_s"] > 0 and s["mb_per_s"] > 0 and run["cpu_s"] > 0
                and run["handed"] and run["peak_rss_kib"] > 0):
            problems.append(f"{w} {c}: zero or missing numbers: messages {run['messages']}, "
                            f"cpu_s {run['cpu_s']}, batches {len(run['handed'])}")
        if "rows" in run and run["rows"] != run["messages"]:
            problems.append(f"{w} {c}: {run['rows']} rows from {run['messages']} messages")
        if run.get("bad_records"):
            problems.append(f"{w} {c}: {run['bad_records']} bad records")
        if results["seconds"] <= 0 and run["messages"] != run["topic_messages"]:
            problems.append(f"{w} {c}: read {run['messages']} of the topic's {run['topic_messages']} messages")
    for r in b["rates"]:
        if not r["achieved"]:
            problems.append(f"rate limiter at {r['configured']:g}/s: no rate measured")
    text = (out / "RESULTS.md").read_text() if (out / "RESULTS.md").exists() else ""
    for w in workloads:
        if "python" in wanted and f"| {w} | python |" not in text:
            problems.append(f"RESULTS.md has no row for {w}")
    png = out / "results.png"
    if not png.exists() or png.stat().st_size < 1000 or png.read_bytes()[:8] != b"\x89PNG\r\n\x1a\n":
        problems.append(f"{png} is missing or not a PNG")
    return problems
