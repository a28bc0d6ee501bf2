"""The four workloads of the end-to-end benchmark: how their messages look,
and how each contender is told to read them.

Messages are drawn from a seeded generator, so every run preloads the same
data. A pool of distinct messages is generated and cycled through, which
keeps preloading fast while the values stay varied (different numbers,
string lengths, list sizes). Every message has a key (the bidder or customer
id) and no headers.
"""

from __future__ import annotations

import datetime
import io
import json
import random
from dataclasses import dataclass
from typing import Callable

import fastavro
import pyarrow as pa

SEED = 20261128
POOL_SIZE = 20_000
EPOCH_MS = 1_795_000_000_000  # 2026-11-18, where the bids' timestamps start
ALL_METADATA = "key,offset_id,partition,topic,timestamp,headers"

CHANNELS = ["Google", "Facebook", "Baidu", "Apple", "channel-1234", "channel-98"]
STATUSES = ["placed", "paid", "shipped", "delivered", "returned"]
COUNTRIES = ["DE", "FR", "US", "JP", "BR", "IN", "NG", "CA"]
SYLLABLES = ["ka", "ro", "mi", "ta", "ne", "so", "lu", "ve", "di", "pa", "qu", "ex", "zor", "bel", "nik"]


def word(r: random.Random, syllables: int) -> str:
    return "".join(r.choice(SYLLABLES) for _ in range(syllables))


def words(r: random.Random, count: int) -> str:
    return " ".join(word(r, r.randint(1, 4)) for _ in range(count))


def rfc3339_ms(ms: int) -> str:
    t = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


# --- raw_string: 150 bytes of text -------------------------------------------

def raw_string_pool(r: random.Random, n: int) -> list[tuple[bytes, bytes]]:
    out = []
    for i in range(n):
        head = f"event {i:08d} user {r.randrange(10**6):06d} "
        text = (head + words(r, 30))[:150].ljust(150, ".")
        out.append((f"user-{i % 5000}".encode(), text.encode()))
    return out


# --- the Nexmark bid: 7 fields, as JSON (~210 B) and as Avro (~115 B) -------

BID_JSON_SCHEMA = {"fields": [
    {"name": "auction", "type": "int64", "nullable": False},
    {"name": "bidder", "type": "int64", "nullable": False},
    {"name": "price", "type": "int64", "nullable": False},
    {"name": "channel", "type": "utf8"},
    {"name": "url", "type": "utf8"},
    {"name": "date_time", "type": "timestamp[ms]", "nullable": False},
    {"name": "extra", "type": "utf8"},
]}

BID_AVRO_SCHEMA = {
    "type": "record", "name": "Bid", "namespace": "nexmark",
    "fields": [
        {"name": "auction", "type": "long"},
        {"name": "bidder", "type": "long"},
        {"name": "price", "type": "long"},
        {"name": "channel", "type": "string"},
        {"name": "url", "type": "string"},
        {"name": "date_time", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "extra", "type": "string"},
    ],
}


def bid(r: random.Random, i: int) -> dict:
    return {
        "auction": 1000 + r.randrange(10**6),
        "bidder": 1000 + r.randrange(10**6),
        "price": r.randrange(100, 10**7),
        "channel": r.choice(CHANNELS),
        "url": f"https://www.nexmark.com/{word(r, 2)}/{word(r, 2)}/item.htm?query=1&channel_id={r.randrange(1 << 30)}",
        "date_time": EPOCH_MS + i * 7,
        "extra": word(r, r.randint(2, 8)),
    }


def bid_json_pool(r: random.Random, n: int) -> list[tuple[bytes, bytes]]:
    out = []
    for i in range(n):
        b = bid(r, i)
        b["date_time"] = rfc3339_ms(b["date_time"])
        out.append((str(b["bidder"]).encode(), json.dumps(b, separators=(",", ":")).encode()))
    return out


def confluent_frame(schema_id: int, datum: bytes) -> bytes:
    """Confluent's wire format: magic byte 0, the big-endian schema id, the datum."""
    return b"\x00" + schema_id.to_bytes(4, "big") + datum


def bid_avro_pool(r: random.Random, n: int, schema_id: int) -> list[tuple[bytes, bytes]]:
    parsed = fastavro.parse_schema(BID_AVRO_SCHEMA)
    out = []
    for i in range(n):
        b = bid(r, i)
        buf = io.BytesIO()
        fastavro.schemaless_writer(buf, parsed, b)
        out.append((str(b["bidder"]).encode(), confluent_frame(schema_id, buf.getvalue())))
    return out


# --- nested_json: an order with nested structs and lists (~1 KB) ------------

ADDRESS = {"struct": [{"name": n, "type": "utf8"} for n in ("street", "city", "zip", "country")]}
ORDER_JSON_SCHEMA = {"fields": [
    {"name": "order_id", "type": "int64", "nullable": False},
    {"name": "created_at", "type": "timestamp[ms]"},
    {"name": "status", "type": "utf8"},
    {"name": "customer", "type": {"struct": [
        {"name": "id", "type": "int64"},
        {"name": "name", "type": "utf8"},
        {"name": "email", "type": "utf8"},
        {"name": "address", "type": ADDRESS},
    ]}},
    {"name": "items", "type": {"list": {"struct": [
        {"name": "sku", "type": "utf8"},
        {"name": "name", "type": "utf8"},
        {"name": "quantity", "type": "int32"},
        {"name": "unit_price", "type": "float64"},
    ]}}},
    {"name": "tags", "type": {"list": "utf8"}},
    {"name": "total", "type": "float64"},
    {"name": "notes", "type": "utf8"},
]}


def order(r: random.Random, i: int) -> dict:
    items = [{"sku": f"SKU-{r.randrange(10**6):06d}", "name": words(r, r.randint(2, 5)),
              "quantity": r.randint(1, 9), "unit_price": round(r.uniform(1, 500), 2)}
             for _ in range(r.randint(3, 7))]
    return {
        "order_id": 10**9 + i,
        "created_at": rfc3339_ms(EPOCH_MS + i * 13),
        "status": r.choice(STATUSES),
        "customer": {
            "id": r.randrange(10**7),
            "name": f"{word(r, 2).title()} {word(r, 3).title()}",
            "email": f"{word(r, 3)}@{word(r, 2)}.example",
            "address": {"street": f"{r.randint(1, 999)} {word(r, 3).title()} Street", "city": word(r, 3).title(),
                        "zip": f"{r.randrange(10**5):05d}", "country": r.choice(COUNTRIES)},
        },
        "items": items,
        "tags": [word(r, 2) for _ in range(r.randint(0, 5))],
        "total": round(sum(it["quantity"] * it["unit_price"] for it in items), 2),
        "notes": words(r, r.randint(20, 60)),
    }


def nested_json_pool(r: random.Random, n: int) -> list[tuple[bytes, bytes]]:
    out = []
    for i in range(n):
        o = order(r, i)
        out.append((str(o["customer"]["id"]).encode(), json.dumps(o, separators=(",", ":")).encode()))
    return out


# --- Arrow schemas of the Python consumer -------------------------------------

TIMESTAMP_MS = pa.timestamp("ms", tz="UTC")

BID_ARROW = pa.schema([
    pa.field("auction", pa.int64(), False), pa.field("bidder", pa.int64(), False),
    pa.field("price", pa.int64(), False), ("channel", pa.string()), ("url", pa.string()),
    pa.field("date_time", TIMESTAMP_MS, False), ("extra", pa.string()),
])

ORDER_ARROW = pa.schema([
    pa.field("order_id", pa.int64(), False),
    ("created_at", TIMESTAMP_MS),
    ("status", pa.string()),
    ("customer", pa.struct([("id", pa.int64()), ("name", pa.string()), ("email", pa.string()),
                            ("address", pa.struct([(n, pa.string()) for n in ("street", "city", "zip", "country")]))])),
    ("items", pa.list_(pa.struct([("sku", pa.string()), ("name", pa.string()), ("quantity", pa.int32()),
                                  ("unit_price", pa.float64())]))),
    ("tags", pa.list_(pa.string())),
    ("total", pa.float64()),
    ("notes", pa.string()),
])


@dataclass(frozen=True)
class Workload:
    name: str
    default_messages: int  # of the full run's topic
    # (random.Random, count, registry schema id (Avro only)) -> [(key, value)]
    pool: Callable[[random.Random, int, int], list[tuple[bytes, bytes]]]
    # registry URL -> karrow properties (value columns)
    karrow_properties: Callable[[str], list[tuple[str, str]]]

    def pool_of(self, count: int, schema_id: int = 0) -> list[tuple[bytes, bytes]]:
        """The distinct (key, value) pairs that a topic of `count` messages cycles through."""
        return self.pool(random.Random(f"{SEED}-{self.name}"), min(count, POOL_SIZE), schema_id)


WORKLOADS = {w.name: w for w in [
    Workload("raw_string", 10_500_000,
             lambda r, n, _: raw_string_pool(r, n), lambda _: [("format", "raw_string")]),
    Workload("bid_json", 6_000_000,
             lambda r, n, _: bid_json_pool(r, n),
             lambda _: [("format", "json"), ("value_schema", json.dumps(BID_JSON_SCHEMA))]),
    Workload("bid_avro", 6_000_000, bid_avro_pool,
             lambda url: [("format", "avro"), ("schema_registry.url", url)]),
    Workload("nested_json", 2_500_000,
             lambda r, n, _: nested_json_pool(r, n),
             lambda _: [("format", "json"), ("value_schema", json.dumps(ORDER_JSON_SCHEMA))]),
]}
