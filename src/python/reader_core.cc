#include "python/reader_core.h"

#include <utility>

namespace karrow::python {

Result<std::shared_ptr<ReaderCore>> ReaderCore::Open(
    const std::vector<std::pair<std::string, std::string>>& properties, TaskInfo task) {
  KARROW_ASSIGN_OR_RAISE(KafkaSourceConfig config, KafkaSourceConfig::FromProperties(properties));
  const bool keeps_dead_letters = config.dead_letter;
  KARROW_ASSIGN_OR_RAISE(std::unique_ptr<KafkaSource> source,
                         KafkaSource::Open(std::move(config), task));
  return std::shared_ptr<ReaderCore>(new ReaderCore(std::move(source), keeps_dead_letters));
}

ReaderCore::ReaderCore(std::unique_ptr<KafkaSource> source, bool keeps_dead_letters)
    : schema_(source->schema()),
      dead_letter_schema_(source->dead_letter_schema()),
      keeps_dead_letters_(keeps_dead_letters),
      source_(std::move(source)) {}

ReaderCore::~ReaderCore() = default;

bool ReaderCore::Claim(ReaderOwner owner) {
  ReaderOwner expected = kNobody;
  return owner_.compare_exchange_strong(expected, owner) || expected == owner;
}

Result<ReaderCore::Step> ReaderCore::PollOnce() {
  std::lock_guard<std::mutex> lock(read_mu_);
  if (source_ == nullptr) return Status::Invalid("this KafkaReader is closed");
  Step step;
  if (ended_) {
    step.ended = true;
    return step;
  }
  KARROW_ASSIGN_OR_RAISE(SourceOutput out, source_->Poll());
  if (out.dead_letters) {
    // Without dead_letter=true the source returns none; kept only when asked.
    std::lock_guard<std::mutex> dl_lock(dead_letters_mu_);
    dead_letters_.push_back(std::move(*out.dead_letters));
  }
  step.rows = std::move(out.rows);
  if (std::optional<signal::Watermark> wm = source_->AdvanceWatermark(); wm && !wm->idle)
    watermark_ns_ = wm->event_time_ns;
  if (!step.rows && out.empty() && source_->done()) {
    ended_ = step.ended = true;
    watermark_ns_ = signal::Watermark::kEndOfTime;
  }
  return step;
}

std::vector<RecordBatch> ReaderCore::TakeDeadLetters() {
  std::lock_guard<std::mutex> lock(dead_letters_mu_);
  return std::exchange(dead_letters_, {});
}

void ReaderCore::Close() {
  std::lock_guard<std::mutex> close_lock(close_mu_);
  if (closed_.exchange(true)) return;
  // Stop() is safe while another thread polls: that poll then returns within
  // its ~100 ms, and the lock below waits for it.
  if (source_ != nullptr) source_->Stop();
  std::unique_ptr<KafkaSource> closing;
  {
    std::lock_guard<std::mutex> lock(read_mu_);
    closing = std::move(source_);
  }
  if (closing != nullptr) {
    final_stats_ = closing->stats();
    final_metrics_ = closing->metrics();
  }
  // Closing the consumer may take a moment; no lock is needed for it.
  closing.reset();
}

KafkaSourceStats ReaderCore::stats() {
  // close_mu_ keeps Close() from resetting source_ meanwhile; a poll in
  // flight does not matter, as KafkaSource::stats() is safe from any thread.
  std::lock_guard<std::mutex> lock(close_mu_);
  return source_ != nullptr ? source_->stats() : final_stats_;
}

MetricSamples ReaderCore::metrics() {
  std::lock_guard<std::mutex> lock(close_mu_);
  return source_ != nullptr ? source_->metrics() : final_metrics_;
}

}  // namespace karrow::python
