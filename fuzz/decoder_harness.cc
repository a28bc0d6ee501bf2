#include "decoder_harness.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "arrow_compare.h"
#include "arrow_validate.h"

namespace karrow::fuzz {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "\nkarrow fuzz invariant violated: %s\n", what.c_str());
  std::abort();
}

// Every struct builder's children must be exactly as long as the struct:
// a struct row is one row of each child. Returns "" when they are, else the
// path below `b` to the first child that is not (".a[].b") and its length.
// Strings are built only on failure: this runs once per record.
std::string StructChildMismatch(ArrayBuilder* b) {
  switch (b->type()->id()) {
    case TypeId::kStruct: {
      auto* s = static_cast<StructBuilder*>(b);
      for (int i = 0; i < s->num_children(); ++i) {
        const std::string& name = b->type()->children()[i].name;
        if (s->child(i)->length() != s->length()) {
          return "." + name + " has " + std::to_string(s->child(i)->length()) +
                 " rows, its struct " + std::to_string(s->length());
        }
        std::string below = StructChildMismatch(s->child(i));
        if (!below.empty()) return "." + name + below;
      }
      return "";
    }
    case TypeId::kList: {
      std::string below = StructChildMismatch(static_cast<ListBuilder*>(b)->item_builder());
      return below.empty() ? "" : "[]" + below;
    }
    default:
      return "";
  }
}

// A pool that caches nothing: every freed block goes back to malloc, so that
// AddressSanitizer sees a use after free instead of a recycled block.
std::shared_ptr<MemoryPool> UncachedPool() { return MemoryPool::Make(0); }

}  // namespace

std::string Printable(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size() && out.size() < 300; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  if (out.size() >= 300) out += "...";
  return out;
}

void CheckOk(const Status& status, const std::string& what) {
  if (!status.ok()) Die(what + ": " + status.ToString());
}

void ForEachRecord(const uint8_t* data, size_t size, char separator,
                   const std::function<void(std::string_view)>& fn) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (true) {
    size_t end = rest.find(separator);
    fn(rest.substr(0, end));
    if (end == std::string_view::npos) return;
    rest.remove_prefix(end + 1);
  }
}

DecoderHarness::DecoderHarness(const DecoderFactory& make_decoder)
    : decoder_(make_decoder()), reference_(make_decoder()) {
  // The value columns, then one the harness fills itself, as the source
  // fills its metadata and _timestamp columns: a decoder may have no
  // columns at all (an Avro record without fields), and its rows must still
  // be counted.
  std::vector<Field> fields = decoder_->fields();
  fields.push_back({kRowColumn, int64(), false});
  auto schema = std::make_shared<Schema>(std::move(fields));
  builder_ = std::make_unique<RecordBatchBuilder>(schema, UncachedPool());
  reference_builder_ = std::make_unique<RecordBatchBuilder>(schema, UncachedPool());
  decoder_->Bind(builder_.get());
  reference_->Bind(reference_builder_.get());
}

void DecoderHarness::CheckShape(int64_t rows, const char* when) const {
  const auto& fields = builder_->schema()->fields();
  for (size_t i = 0; i < fields.size(); ++i) {
    ArrayBuilder* column = builder_->column(static_cast<int>(i));
    if (column->length() != rows) {
      Die("column '" + fields[i].name + "' has " + std::to_string(column->length()) + " rows " +
          when + ", expected " + std::to_string(rows));
    }
    std::string mismatch = StructChildMismatch(column);
    if (!mismatch.empty()) Die(fields[i].name + mismatch + " " + when);
  }
}

Status DecoderHarness::Append(std::string_view record) {
  const int64_t before = builder_->num_rows();
  Status st = decoder_->Append(reinterpret_cast<const uint8_t*>(record.data()),
                               static_cast<int64_t>(record.size()));
  if (st.ok()) {
    AppendRowColumn(builder_.get(), before);
    CheckShape(before + 1, "after an accepted record");
    accepted_.emplace_back(record);
  } else if (st.code() == StatusCode::kBadData) {
    if (st.message().empty())
      Die("bad data without a reason for record '" + Printable(record) + "'");
    builder_->Truncate(before);
    CheckShape(before, "after truncating a rejected record");
  } else {
    Die("Append returned " + st.ToString() + " (only OK or bad data allowed) for record '" +
        Printable(record) + "'");
  }
  return st;
}

void DecoderHarness::Truncate(int64_t rows) {
  builder_->Truncate(rows);
  CheckShape(rows, "after Truncate");
  accepted_.resize(static_cast<size_t>(rows));
}

void DecoderHarness::FinishBatch() {
  Result<RecordBatch> finished = builder_->Finish();
  CheckOk(finished.status(), "RecordBatchBuilder::Finish");
  const RecordBatch& batch = *finished;
  if (batch.num_rows() != static_cast<int64_t>(accepted_.size())) {
    Die("batch has " + std::to_string(batch.num_rows()) + " rows from " +
        std::to_string(accepted_.size()) + " accepted records");
  }
  ValidationStats stats;
  CheckOk(ValidateBatch(batch, &stats), "finished batch is not valid Arrow");
  if (batch.num_rows() > 2) {
    CheckOk(ValidateBatch(batch.Slice(1, batch.num_rows() - 2), &stats),
            "slice of a finished batch");
  }
  if (stats.arrays_unchecked > 0 && !warned_unchecked_) {
    warned_unchecked_ = true;
    std::fprintf(stderr,
                 "arrow_validate: arrays of type %s are not checked yet (add a case to LayoutOf)\n",
                 stats.first_unchecked_type.c_str());
  }

  // The reference sees only the accepted records, in a fresh decoder.
  for (const std::string& record : accepted_) {
    int64_t row = reference_builder_->num_rows();
    Status st = reference_->Append(reinterpret_cast<const uint8_t*>(record.data()),
                                   static_cast<int64_t>(record.size()));
    if (st.ok()) AppendRowColumn(reference_builder_.get(), row);
    if (!st.ok()) {
      Die("a second decoder rejected a record the first accepted, so the result depends on earlier "
          "records (" +
          st.ToString() + "): '" + Printable(record) + "'");
    }
  }
  Result<RecordBatch> expected = reference_builder_->Finish();
  CheckOk(expected.status(), "reference RecordBatchBuilder::Finish");
  CheckOk(ValidateBatch(*expected), "reference batch is not valid Arrow");
  CheckOk(CompareBatches(*expected, batch),
          "the batch differs from one built from the accepted records alone (a rejected record "
          "left a trace)");
  if (batch_check_) batch_check_(batch, accepted_);
  accepted_.clear();
}

}  // namespace karrow::fuzz
