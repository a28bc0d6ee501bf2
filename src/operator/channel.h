// Channel: a closable, thread-safe FIFO between runtime threads, used for a
// task's control messages (ControlChannel) and for its checkpoint
// acknowledgements. Internal: operators see only ControlReceiver.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

#include "karrow/control_message.h"

namespace karrow {

template <typename T>
class Channel {
 public:
  /// Queues `item`. Returns false (and drops it) once the channel is closed.
  bool Send(T item) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return false;
      items_.push_back(std::move(item));
    }
    ready_.notify_one();
    return true;
  }

  /// Takes the oldest item, waiting up to `timeout` for one. std::nullopt on
  /// timeout, or when the channel is closed and drained (see closed()).
  std::optional<T> Receive(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    ready_.wait_for(lock, timeout, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }

  std::optional<T> TryReceive() { return Receive(std::chrono::milliseconds(0)); }

  /// Items already queued can still be received; new ones are refused.
  void Close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    ready_.notify_all();
  }

  /// True once closed and every queued item has been received.
  bool closed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_ && items_.empty();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable ready_;
  std::deque<T> items_;
  bool closed_ = false;
};

/// The runtime's side of a task's control messages: it sends, the task
/// receives through the ControlReceiver interface.
class ControlChannel final : public ControlReceiver {
 public:
  bool Send(ControlMessage message) { return channel_.Send(std::move(message)); }
  void Close() { channel_.Close(); }
  std::optional<ControlMessage> Receive(std::chrono::milliseconds timeout) override {
    return channel_.Receive(timeout);
  }
  bool closed() const override { return channel_.closed(); }

 private:
  Channel<ControlMessage> channel_;
};

}  // namespace karrow
