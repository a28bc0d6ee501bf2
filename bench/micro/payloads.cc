#include "payloads.h"

#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <random>

namespace karrow::bench {
namespace {

// Lowercase words make URLs and extras of realistic, varied lengths.
std::string Word(std::mt19937_64& rng, int min_len, int max_len) {
  int n = min_len + static_cast<int>(rng() % static_cast<uint64_t>(max_len - min_len + 1));
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>('a' + rng() % 26);
  return s;
}

std::string Rfc3339Millis(int64_t ms) {
  time_t seconds = static_cast<time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char out[64];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return out;
}

// A JSON string literal: quotes, backslashes and control characters escaped.
void AppendJsonString(std::string* out, const std::string& s) {
  *out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      *out += '\\';
      *out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      *out += esc;
    } else {
      *out += c;
    }
  }
  *out += '"';
}

void AppendAvroLong(std::string* out, int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    *out += static_cast<char>((z & 0x7f) | 0x80);
    z >>= 7;
  }
  *out += static_cast<char>(z);
}

void AppendAvroString(std::string* out, const std::string& s) {
  AppendAvroLong(out, static_cast<int64_t>(s.size()));
  *out += s;
}

const char* const kChannels[] = {"Google", "Facebook", "Baidu", "Apple"};
// Non-ASCII and escaped text, in a few extras, so that UTF-8 checks and
// unescaping are part of the work.
const char* const kSpice[] = {"caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac", "say \"hi\"", "tab\there"};

}  // namespace

std::vector<Bid> MakeBids(int n) {
  std::mt19937_64 rng(42);
  std::vector<Bid> bids;
  int64_t now = 1715941293123;  // 2024-05-17T10:21:33.123Z
  for (int i = 0; i < n; ++i) {
    Bid b;
    b.auction = 1000 + static_cast<int64_t>(rng() % 100000);
    b.bidder = 1000 + static_cast<int64_t>(rng() % 10000000);
    b.price = static_cast<int64_t>(rng() % 10000000);
    b.channel = rng() % 4 == 0 ? "channel-" + std::to_string(rng() % 10000) : kChannels[rng() % 4];
    b.url = "https://www.nexmark.com/" + Word(rng, 3, 8) + "/" + Word(rng, 3, 8) + "/" +
            Word(rng, 3, 8) + "/item.htm?query=1&channel_id=" + std::to_string(rng() % 2000000000);
    now += static_cast<int64_t>(rng() % 50);
    b.date_time = now;
    b.extra = Word(rng, 10, 30);
    if (rng() % 8 == 0) b.extra += std::string(" ") + kSpice[rng() % 4];
    bids.push_back(std::move(b));
  }
  return bids;
}

const char* const kBidJsonSchema = R"json({"fields": [
  {"name": "auction", "type": "int64", "nullable": false},
  {"name": "bidder", "type": "int64", "nullable": false},
  {"name": "price", "type": "int64", "nullable": false},
  {"name": "channel", "type": "utf8"},
  {"name": "url", "type": "utf8"},
  {"name": "date_time", "type": "timestamp[ms]", "nullable": false},
  {"name": "extra", "type": "utf8"}
]})json";

std::string BidToJson(const Bid& b) {
  std::string s = "{\"auction\":" + std::to_string(b.auction) +
                  ",\"bidder\":" + std::to_string(b.bidder) +
                  ",\"price\":" + std::to_string(b.price) + ",\"channel\":";
  AppendJsonString(&s, b.channel);
  s += ",\"url\":";
  AppendJsonString(&s, b.url);
  s += ",\"date_time\":\"" + Rfc3339Millis(b.date_time) + "\",\"extra\":";
  AppendJsonString(&s, b.extra);
  s += "}";
  return s;
}

const char* const kBidAvroSchema = R"json({"type": "record", "name": "Bid", "fields": [
  {"name": "auction", "type": "long"},
  {"name": "bidder", "type": "long"},
  {"name": "price", "type": "long"},
  {"name": "channel", "type": "string"},
  {"name": "url", "type": "string"},
  {"name": "date_time", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "extra", "type": "string"}
]})json";

std::string BidToAvro(const Bid& b) {
  std::string s;
  AppendAvroLong(&s, b.auction);
  AppendAvroLong(&s, b.bidder);
  AppendAvroLong(&s, b.price);
  AppendAvroString(&s, b.channel);
  AppendAvroString(&s, b.url);
  AppendAvroLong(&s, b.date_time);
  AppendAvroString(&s, b.extra);
  return s;
}

const char* const kOrderJsonSchema = R"json({"fields": [
  {"name": "order_id", "type": "int64", "nullable": false},
  {"name": "created_at", "type": "timestamp[ms]"},
  {"name": "status", "type": "utf8"},
  {"name": "customer", "type": {"struct": [
    {"name": "id", "type": "int64"},
    {"name": "name", "type": "utf8"},
    {"name": "email", "type": "utf8"},
    {"name": "vip", "type": "bool"},
    {"name": "address", "type": {"struct": [
      {"name": "street", "type": "utf8"}, {"name": "city", "type": "utf8"},
      {"name": "zip", "type": "utf8"}, {"name": "country", "type": "utf8"}]}}]}},
  {"name": "items", "type": {"list": {"struct": [
    {"name": "sku", "type": "utf8"},
    {"name": "name", "type": "utf8"},
    {"name": "qty", "type": "int32"},
    {"name": "unit_price", "type": "decimal128(10, 2)"},
    {"name": "tags", "type": {"list": "utf8"}}]}}},
  {"name": "total", "type": "decimal128(12, 2)"},
  {"name": "coupons", "type": {"list": "utf8"}},
  {"name": "shipping", "type": {"struct": [
    {"name": "method", "type": "utf8"},
    {"name": "cost", "type": "float64"},
    {"name": "eta_days", "type": "int16"}]}}
]})json";

std::vector<std::string> MakeOrderJsons(int n) {
  static const char* const kStatus[] = {"placed", "paid", "shipped", "delivered"};
  static const char* const kCities[] = {"Lisbon", "Osaka",
                                        "Montr\xc3\xa9"
                                        "al",
                                        "Nairobi", "Springfield"};
  static const char* const kMethods[] = {"standard", "express", "pickup"};
  std::mt19937_64 rng(7);
  std::vector<std::string> out;
  int64_t now = 1715941293123;
  for (int i = 0; i < n; ++i) {
    now += static_cast<int64_t>(rng() % 1000);
    std::string name = Word(rng, 4, 9) + " " + Word(rng, 5, 12);
    std::string s = "{\"order_id\":" + std::to_string(10000000 + i) + ",\"created_at\":\"" +
                    Rfc3339Millis(now) + "\",\"status\":\"" + kStatus[rng() % 4] +
                    "\",\"customer\":{\"id\":" + std::to_string(rng() % 100000000) + ",\"name\":";
    AppendJsonString(&s, name);
    s += ",\"email\":\"" + Word(rng, 4, 10) + "@" + Word(rng, 4, 8) +
         ".example\",\"vip\":" + (rng() % 5 == 0 ? "true" : "false") +
         ",\"address\":{\"street\":\"" + std::to_string(rng() % 999 + 1) + " " + Word(rng, 5, 12) +
         " Street\",\"city\":\"" + kCities[rng() % 5] + "\",\"zip\":\"" +
         std::to_string(10000 + rng() % 89999) + "\",\"country\":\"" + Word(rng, 2, 2) +
         "\"}},\"items\":[";
    int items = 3 + static_cast<int>(rng() % 4);
    int64_t total = 0;
    for (int k = 0; k < items; ++k) {
      int64_t cents = static_cast<int64_t>(rng() % 50000) + 99;
      int qty = 1 + static_cast<int>(rng() % 5);
      total += cents * qty;
      char price[32];
      std::snprintf(price, sizeof price, "%" PRId64 ".%02" PRId64, cents / 100, cents % 100);
      if (k > 0) s += ",";
      s += "{\"sku\":\"SKU-" + std::to_string(rng() % 1000000) + "\",\"name\":\"" +
           Word(rng, 5, 10) + " " + Word(rng, 4, 12) + "\",\"qty\":" + std::to_string(qty) +
           ",\"unit_price\":" + price + ",\"tags\":[";
      int tags = static_cast<int>(rng() % 4);
      for (int t = 0; t < tags; ++t) s += std::string(t ? "," : "") + "\"" + Word(rng, 3, 9) + "\"";
      s += "]}";
    }
    char total_text[32];
    std::snprintf(total_text, sizeof total_text, "%" PRId64 ".%02" PRId64, total / 100,
                  total % 100);
    s += std::string("],\"total\":\"") + total_text + "\",\"coupons\":" +
         (rng() % 3 == 0 ? "[\"" + Word(rng, 6, 10) + "\"]" : std::string("[]")) +
         ",\"shipping\":{\"method\":\"" + kMethods[rng() % 3] +
         "\",\"cost\":" + std::to_string(rng() % 3000 / 100.0).substr(0, 5) +
         ",\"eta_days\":" + std::to_string(1 + rng() % 9) + "}}";
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace karrow::bench
