#!/usr/bin/env python3
"""Checks that no source includes a header of a higher layer, or of a sibling
layer (docs/architecture.md):

    common < arrow < formats, output < operator < kafka, runtime < cli, capi, python

The per-layer libraries make most upward calls fail to link; this catches
the rest (an upward include that uses only types or inline code), and checks
that public headers name no src/ path. Prints every violation; exit 1 if any.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
RANK = {"common": 0, "arrow": 1, "formats": 2, "output": 2, "operator": 3,
        "kafka": 4, "runtime": 4, "cli": 5, "capi": 5, "python": 5}
# The layer each public header belongs to.
PUBLIC = {
    "status.h": "common", "export.h": "common",
    "arrow_c_abi.h": "arrow", "buffer.h": "arrow",
    "c_export.h": "arrow", "data_type.h": "arrow", "record_batch.h": "arrow",
    "format_options.h": "formats",
    "source_operator.h": "operator", "source_collector.h": "operator",
    "source_context.h": "operator", "control_message.h": "operator",
    "state_table.h": "operator", "task_info.h": "operator",
    "channel.h": "operator", "metrics.h": "operator",
    "kafka_source.h": "kafka", "kafka_source_config.h": "kafka",
    "kafka_source_operator.h": "kafka",
    "runtime.h": "runtime", "job_identity.h": "runtime",
    "karrow.h": "capi", "version.h": "common",
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of_include(path):
    """The layer an include names, or None for a header of no layer."""
    first, _, rest = path.partition("/")
    if first == "karrow":
        return PUBLIC.get(rest, "unknown public header")
    return first if first in RANK else None


def allowed(source_layer, target_layer):
    return target_layer == source_layer or RANK[target_layer] < RANK[source_layer]


def main():
    problems = []
    files = [(p, p.relative_to(ROOT / "src").parts[0]) for p in (ROOT / "src").rglob("*")
             if p.suffix in (".h", ".cc")]
    files += [(ROOT / "include/karrow" / name, layer) for name, layer in PUBLIC.items()
              if (ROOT / "include/karrow" / name).exists()]
    for name in sorted(p.name for p in (ROOT / "include/karrow").glob("*.h")):
        if name not in PUBLIC:
            problems.append(f"include/karrow/{name}: a public header of no layer; add it to PUBLIC")
    for path, layer in files:
        if layer not in RANK:
            problems.append(f"{path.relative_to(ROOT)}: folder of no layer")
            continue
        text = path.read_text()
        for target in INCLUDE.findall(text):
            target_layer = layer_of_include(target)
            if target_layer is None:
                continue
            if target_layer not in RANK:
                problems.append(f"{path.relative_to(ROOT)}: includes {target}, {target_layer}")
            elif not allowed(layer, target_layer):
                problems.append(f"{path.relative_to(ROOT)} ({layer}) includes {target} ({target_layer})")
        if path.parent.name == "karrow" and "src/" in text:
            problems.append(f"{path.relative_to(ROOT)}: a public header names a src/ path")
    for p in problems:
        print(p)
    print(f"{len(files)} files checked, {len(problems)} layering problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
