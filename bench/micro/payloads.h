// The messages the decode benchmarks read: generated once, deterministic
// (fixed seed), varied in every value so that branch predictors and caches
// see something like a real topic rather than one record repeated.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace karrow::bench {

/// A Nexmark-style bid: what one message holds.
struct Bid {
  int64_t auction;
  int64_t bidder;
  int64_t price;  // cents
  std::string channel;
  std::string url;
  int64_t date_time;  // milliseconds since the epoch
  std::string extra;  // sometimes non-ASCII, sometimes with characters JSON escapes
};

/// `n` bids.
std::vector<Bid> MakeBids(int n);

/// The declared schema (karrow's JSON schema form) and the JSON text of a bid
/// (about 200 bytes; date_time as an RFC 3339 string).
extern const char* const kBidJsonSchema;
std::string BidToJson(const Bid& bid);

/// The Avro schema of a bid (date_time is a timestamp-millis long) and a
/// bid as a raw Avro datum of it (about 130 bytes; no Confluent header).
extern const char* const kBidAvroSchema;
std::string BidToAvro(const Bid& bid);

/// The declared schema and `n` JSON texts of a nested order (about 1 KB:
/// structs, lists of structs, lists of strings, decimals).
extern const char* const kOrderJsonSchema;
std::vector<std::string> MakeOrderJsons(int n);

}  // namespace karrow::bench
