// Kafka's RecordBatch v2 (magic 2), parsed in place in a fetch response's
// records bytes: no copy of a batch, no object per record. The layout is
// Kafka's (KIP-98):
//
//   baseOffset i64, batchLength i32 (bytes after it), partitionLeaderEpoch i32,
//   magic i8, crc u32 (CRC32C of attributes .. the end), attributes i16,
//   lastOffsetDelta i32, baseTimestamp i64, maxTimestamp i64, producerId i64,
//   producerEpoch i16, baseSequence i32, records count i32, records...
//
// and each record: length varint, attributes i8, timestampDelta varlong,
// offsetDelta varint, key (varint length, -1 null), value (the same),
// header count varint, headers (key: varint length, value: varint length,
// -1 null). The last batch of a partition's bytes may be cut short by the
// fetch's size limit: it is not parsed, and the next fetch starts at it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crc32c.h"
#include "kafka/kafka_record.h"
#include "wire.h"

namespace karrow::native {

constexpr size_t kBatchHeaderSize = 61;
constexpr size_t kBatchLengthPrefix = 12;  // baseOffset and batchLength: not in batchLength

/// The offset after the last whole batch in [p, end), or `from` when there
/// is none (so the next fetch asks for the same offset again).
inline int64_t NextOffset(const uint8_t* p, const uint8_t* end, int64_t from) {
  int64_t next = from;
  while (static_cast<size_t>(end - p) >= kBatchHeaderSize) {
    int32_t length = LoadI32(p + 8);
    if (length < static_cast<int32_t>(kBatchHeaderSize - kBatchLengthPrefix) ||
        static_cast<size_t>(length) > static_cast<size_t>(end - p) - kBatchLengthPrefix) {
      break;  // cut short (or malformed: ParseBatches reports it)
    }
    next = LoadI64(p) + LoadI32(p + 23) + 1;
    p += kBatchLengthPrefix + static_cast<size_t>(length);
  }
  return next;
}

/// What ParseBatches counts besides the records it hands over.
struct ParseStats {
  int64_t batches = 0;
  int64_t control_batches = 0;
  int64_t tombstones = 0;  // null values: not rows, as karrow skips them
};

/// Hands `on_record(const KafkaRecord&)` every record with a value of the
/// whole batches in [p, end) whose offset is in [from, until), in order.
/// `headers` is filled for each record when `want_headers`. Returns false
/// with `*error` set on a malformed batch, a CRC mismatch or a compressed
/// batch (phase 1 reads none); on_record returning false stops it too.
template <typename OnRecord>
bool ParseBatches(const uint8_t* p, const uint8_t* end, int32_t partition, int64_t from,
                  int64_t until, bool want_headers, std::vector<RecordHeader>* headers,
                  ParseStats* stats, std::string* error, OnRecord&& on_record) {
  auto fail = [&](int64_t offset, const std::string& what) {
    *error = "partition " + std::to_string(partition) + " offset " + std::to_string(offset) + ": " +
             what;
    return false;
  };
  KafkaRecord record;
  record.partition = partition;
  record.headers = want_headers ? headers : nullptr;
  while (static_cast<size_t>(end - p) >= kBatchHeaderSize) {
    const int64_t base = LoadI64(p);
    const int32_t length = LoadI32(p + 8);
    if (length < static_cast<int32_t>(kBatchHeaderSize - kBatchLengthPrefix)) {
      return fail(base, "batch length " + std::to_string(length) + " is below the header's");
    }
    if (static_cast<size_t>(length) > static_cast<size_t>(end - p) - kBatchLengthPrefix) break;
    const uint8_t* batch_end = p + kBatchLengthPrefix + static_cast<size_t>(length);
    const int8_t magic = static_cast<int8_t>(p[16]);
    if (magic != 2) return fail(base, "record batch magic " + std::to_string(magic) + ", not 2");
    const auto crc = static_cast<uint32_t>(LoadI32(p + 17));
    if (Crc32c(p + 21, static_cast<size_t>(batch_end - (p + 21))) != crc) {
      return fail(base, "record batch CRC32C mismatch");
    }
    const int16_t attributes = LoadI16(p + 21);
    ++stats->batches;
    if (attributes & 0x20) {  // a transaction marker, not data
      ++stats->control_batches;
      p = batch_end;
      continue;
    }
    if (attributes & 0x07) {
      return fail(base, "compressed batch (codec " + std::to_string(attributes & 0x07) +
                            "): the phase-1 prototype reads no compression");
    }
    const bool log_append_time = attributes & 0x08;
    const int64_t base_timestamp = LoadI64(p + 27);
    const int64_t max_timestamp = LoadI64(p + 35);
    const int32_t count = LoadI32(p + 57);
    // A record takes at least 7 bytes: a bound on a hostile count.
    if (count < 0 || static_cast<size_t>(count) > static_cast<size_t>(length) / 7) {
      return fail(base, "record count " + std::to_string(count) + " does not fit the batch");
    }
    const uint8_t* q = p + kBatchHeaderSize;
    for (int32_t i = 0; i < count; ++i) {
      int64_t size, timestamp_delta, offset_delta, key_size, value_size;
      if (!ReadVarint(&q, batch_end, 5, &size) || size < 0 || size > batch_end - q) {
        return fail(base, "record #" + std::to_string(i) + " overruns its batch");
      }
      const uint8_t* record_end = q + size;
      ++q;  // the record's attributes: unused
      if (q > record_end || !ReadVarint(&q, record_end, 10, &timestamp_delta) ||
          !ReadVarint(&q, record_end, 5, &offset_delta) ||
          !ReadVarint(&q, record_end, 5, &key_size) || key_size < -1 || key_size > record_end - q) {
        return fail(base, "record #" + std::to_string(i) + " is malformed");
      }
      const uint8_t* key = key_size >= 0 ? q : nullptr;
      if (key_size > 0) q += key_size;
      if (!ReadVarint(&q, record_end, 5, &value_size) || value_size < -1 ||
          value_size > record_end - q) {
        return fail(base, "record #" + std::to_string(i) + " has a malformed value");
      }
      const uint8_t* value = value_size >= 0 ? q : nullptr;
      if (value_size > 0) q += value_size;
      if (want_headers) {
        int64_t n;
        if (!ReadVarint(&q, record_end, 5, &n) || n < 0 || n > (record_end - q) / 2) {
          return fail(base, "record #" + std::to_string(i) + " has a malformed header count");
        }
        headers->clear();
        for (int64_t h = 0; h < n; ++h) {
          int64_t hk, hv;
          if (!ReadVarint(&q, record_end, 5, &hk) || hk < 0 || hk > record_end - q) {
            return fail(base, "record #" + std::to_string(i) + " has a malformed header key");
          }
          const uint8_t* header_key = q;
          q += hk;
          if (!ReadVarint(&q, record_end, 5, &hv) || hv < -1 || hv > record_end - q) {
            return fail(base, "record #" + std::to_string(i) + " has a malformed header value");
          }
          headers->push_back({{reinterpret_cast<const char*>(header_key), static_cast<size_t>(hk)},
                              hv >= 0 ? q : nullptr,
                              hv >= 0 ? static_cast<size_t>(hv) : 0});
          if (hv > 0) q += hv;
        }
        if (q != record_end) {
          return fail(base, "record #" + std::to_string(i) + " has bytes past its headers");
        }
      }
      q = record_end;  // without headers wanted: the length bounds what is skipped
      const int64_t offset = base + offset_delta;
      if (offset < from) continue;
      if (offset >= until) return true;
      if (value == nullptr) {
        ++stats->tombstones;
        continue;
      }
      record.offset = offset;
      record.timestamp_ms = log_append_time ? max_timestamp : base_timestamp + timestamp_delta;
      record.key = key;
      record.key_size = key_size >= 0 ? static_cast<size_t>(key_size) : 0;
      record.value = value;
      record.value_size = static_cast<size_t>(value_size);
      if (!on_record(record)) return false;
    }
    if (q != batch_end) return fail(base, "bytes past the batch's last record");
    p = batch_end;
  }
  return true;
}

}  // namespace karrow::native
