// KafkaSourceOperator: the Kafka source as a runtime operator. It saves every
// owned partition's next offset in each checkpoint (global table "offsets",
// keyed by topic and partition), restores from it, and commits offsets to
// the consumer group only once a checkpoint is complete. Dead letters go to
// the collector beside the rows, in the same epochs.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "karrow/export.h"
#include "karrow/kafka_source.h"
#include "karrow/kafka_source_config.h"
#include "karrow/source_operator.h"

namespace karrow {

class KARROW_EXPORT KafkaSourceOperator : public SourceOperator {
 public:
  explicit KafkaSourceOperator(KafkaSourceConfig config);
  ~KafkaSourceOperator() override;

  std::string name() const override { return "kafka-source"; }
  /// "offsets": key "<topic>:<partition>", value the next offset to read
  /// (kOffsetBeginning while a partition's beginning is still unknown).
  std::map<std::string, TableConfig> tables() const override;

  Status OnStart(SourceContext& ctx) override;
  Result<SourceFinishType> Run(SourceContext& ctx, SourceCollector& collector) override;
  Status OnClose(SourceContext& ctx) override;

  /// The table key of a partition's offset.
  static std::string OffsetKey(const std::string& topic, int32_t partition);

 private:
  Status TakeCheckpoint(SourceContext& ctx, SourceCollector& collector, int64_t epoch,
                        bool then_stop);
  void PublishMetrics(SourceContext& ctx) const;

  KafkaSourceConfig config_;
  std::unique_ptr<KafkaSource> source_;
  /// Offsets saved by checkpoints not yet known to be complete, by epoch.
  std::map<int64_t, PartitionOffsets> uncommitted_;
};

}  // namespace karrow
