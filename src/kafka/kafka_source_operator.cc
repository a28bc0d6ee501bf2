#include "karrow/kafka_source_operator.h"

#include <chrono>
#include <cstdlib>
#include <type_traits>

#include "common/log.h"

namespace karrow {
namespace {

constexpr const char* kOffsetsTable = "offsets";

// Restored entries of `topic` only: a job pointed at another topic starts
// that topic afresh rather than misreading foreign offsets.
Result<PartitionOffsets> RestoredOffsets(const TableEntries& entries, const std::string& topic) {
  PartitionOffsets out;
  const std::string prefix = topic + ":";
  for (const auto& [key, value] : entries) {
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    char* end = nullptr;
    long partition = std::strtol(key.c_str() + prefix.size(), &end, 10);
    char* value_end = nullptr;
    long long offset = std::strtoll(value.c_str(), &value_end, 10);
    if (*end != '\0' || partition < 0 || value.empty() || *value_end != '\0') {
      return Status::Invalid(
          "restored offsets table: entry '" + key + "' = '" + value +
          "' is not <topic>:<partition> = <offset>; the checkpoint is not karrow's");
    }
    out[static_cast<int32_t>(partition)] = offset;
  }
  return out;
}

// Rows, then their dead letters, downstream.
Status Emit(SourceOutput out, SourceCollector& collector) {
  if (out.rows) KARROW_RETURN_NOT_OK(collector.Collect(std::move(*out.rows)));
  if (out.dead_letters)
    KARROW_RETURN_NOT_OK(collector.CollectDeadLetters(std::move(*out.dead_letters)));
  return Status::OK();
}

}  // namespace

KafkaSourceOperator::KafkaSourceOperator(KafkaSourceConfig config) : config_(std::move(config)) {}
KafkaSourceOperator::~KafkaSourceOperator() = default;

std::string KafkaSourceOperator::OffsetKey(const std::string& topic, int32_t partition) {
  return topic + ":" + std::to_string(partition);
}

std::map<std::string, TableConfig> KafkaSourceOperator::tables() const {
  return {
      {kOffsetsTable, {TableKind::kGlobalKeyed, "next offset to read, per topic and partition"}}};
}

Status KafkaSourceOperator::OnStart(SourceContext& ctx) {
  GlobalKeyedTable* table = ctx.tables.global_keyed(kOffsetsTable);
  if (table == nullptr) return Status::Internal("the runtime did not provide the offsets table");
  KARROW_ASSIGN_OR_RAISE(PartitionOffsets restored,
                         RestoredOffsets(table->restored(), config_.topic));
  KARROW_ASSIGN_OR_RAISE(source_, KafkaSource::Open(config_, ctx.task, restored));
  std::string owned;
  for (int32_t p : source_->partitions()) owned += (owned.empty() ? "" : ",") + std::to_string(p);
  Log(LogLevel::kInfo, "task " + std::to_string(ctx.task.task_index) + "/" +
                           std::to_string(ctx.task.parallelism) + " reads topic '" + config_.topic +
                           "' partitions [" + owned + "]" +
                           (restored.empty() ? "" : " from a checkpoint"));
  return Status::OK();
}

Status KafkaSourceOperator::TakeCheckpoint(SourceContext& ctx, SourceCollector& collector,
                                           int64_t epoch, bool then_stop) {
  // The barrier must follow exactly the rows and dead letters the saved
  // offsets cover.
  KARROW_ASSIGN_OR_RAISE(SourceOutput buffered, source_->Flush());
  KARROW_RETURN_NOT_OK(Emit(std::move(buffered), collector));
  PartitionOffsets offsets = source_->NextOffsets();
  GlobalKeyedTable* table = ctx.tables.global_keyed(kOffsetsTable);
  // Every owned partition, also those that saw no data (docs/semantics.md §3).
  for (const auto& [partition, offset] : offsets)
    table->Put(OffsetKey(config_.topic, partition), std::to_string(offset));
  uncommitted_[epoch] = std::move(offsets);
  PublishMetrics(ctx);
  return collector.Broadcast(signal::Barrier{epoch, then_stop});
}

void KafkaSourceOperator::PublishMetrics(SourceContext& ctx) const {
  KafkaSourceStats s = source_->stats();
  ctx.metrics->Set("messages", s.messages);
  ctx.metrics->Set("rows", s.rows);
  ctx.metrics->Set("bad_records", s.bad_records);
  ctx.metrics->Set("tombstones", s.tombstones);
  ctx.metrics->Set("commits", s.commits);
  ctx.metrics->Set("commit_failures", s.commit_failures);
  ctx.metrics->Set("offset_gaps", s.offset_gaps);
  ctx.metrics->Set("skipped_offsets", s.skipped_offsets);
  ctx.metrics->Set("fetch_wakeups", s.fetch_wakeups);
  ctx.metrics->Publish(source_->metrics());
}

Result<SourceFinishType> KafkaSourceOperator::Run(SourceContext& ctx, SourceCollector& collector) {
  int64_t stop_after_epoch = -1;  // set by Checkpoint{then_stop}
  bool end_of_data_sent = false;
  while (true) {
    bool out_of_data = source_->done();
    if (out_of_data && !end_of_data_sent) {
      end_of_data_sent = true;
      KARROW_RETURN_NOT_OK(collector.Broadcast(signal::EndOfData{}));
    }
    // Control first, so a barrier never waits behind reads; once out of
    // data, only control messages matter, so wait for them.
    std::optional<ControlMessage> message =
        out_of_data ? ctx.control->Receive(std::chrono::milliseconds(100))
                    : ctx.control->TryReceive();
    if (message) {
      std::optional<SourceFinishType> finish;
      Status st = std::visit(
          [&](auto& m) -> Status {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, control::Checkpoint>) {
              if (m.then_stop) stop_after_epoch = m.epoch;
              return TakeCheckpoint(ctx, collector, m.epoch, m.then_stop);
            } else if constexpr (std::is_same_v<T, control::Commit>) {
              // Offsets go to the group only once their checkpoint is
              // complete (docs/semantics.md §4), as the next offsets to read.
              auto it = uncommitted_.find(m.epoch);
              if (it != uncommitted_.end()) source_->CommitOffsets(it->second);
              uncommitted_.erase(uncommitted_.begin(), uncommitted_.upper_bound(m.epoch));
              if (stop_after_epoch >= 0 && m.epoch >= stop_after_epoch) {
                finish = end_of_data_sent ? SourceFinishType::kFinal : SourceFinishType::kGraceful;
              }
            } else if constexpr (std::is_same_v<T, control::Stop>) {
              if (m.mode == control::StopMode::kImmediate) {
                finish = SourceFinishType::kImmediate;
                return Status::OK();
              }
              finish = SourceFinishType::kGraceful;
              return collector.Broadcast(signal::Stop{});
            }
            return Status::OK();  // LoadCompacted, NoOp: this source keeps nothing to reload
          },
          *message);
      KARROW_RETURN_NOT_OK(st);
      if (finish) {
        // The input is exhausted: no row can come after this watermark, so
        // anything downstream waiting on event time may close its windows.
        if (*finish == SourceFinishType::kFinal) {
          KARROW_RETURN_NOT_OK(
              collector.Broadcast(signal::Watermark{false, signal::Watermark::kEndOfTime}));
        }
        source_->AwaitCommits(std::chrono::milliseconds(2000));
        PublishMetrics(ctx);
        return *finish;
      }
      continue;  // drain every waiting message before reading again
    }
    if (ctx.control->closed()) {
      PublishMetrics(ctx);
      return SourceFinishType::kImmediate;
    }
    if (out_of_data) {
      source_->AwaitCommits(std::chrono::milliseconds(0));
    } else {
      KARROW_ASSIGN_OR_RAISE(SourceOutput out, source_->Poll());
      if (!out.empty()) {
        KARROW_RETURN_NOT_OK(Emit(std::move(out), collector));
        PublishMetrics(ctx);
      }
    }
    if (std::optional<signal::Watermark> wm = source_->AdvanceWatermark()) {
      KARROW_RETURN_NOT_OK(collector.Broadcast(*wm));
    }
  }
}

Status KafkaSourceOperator::OnClose(SourceContext&) {
  source_.reset();
  return Status::OK();
}

}  // namespace karrow
