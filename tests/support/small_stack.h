// Runs a piece of a test on a thread with a small stack, as karrow's readers
// may run on (a librdkafka or Python thread, a musl thread's 128 KiB): a
// reader whose recursion is not bounded by the data crashes here on inputs
// an 8 MiB main thread would survive.
#pragma once

#include <pthread.h>

#include <cstddef>
#include <functional>
#include <stdexcept>

namespace karrow {

/// AddressSanitizer's builds (the asan preset: -O0, red zones around every
/// local) have stack frames several times larger than an optimized build's.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr size_t kStackFrameGrowth = 8;
#else
inline constexpr size_t kStackFrameGrowth = 1;
#endif

/// Well above what kMaxNestingDepth levels of any reader need, far below
/// what an unbounded recursion on a hostile input takes.
inline constexpr size_t kSmallStackBytes = 256 * 1024 * kStackFrameGrowth;

/// Calls `fn` on a new thread with a `stack_bytes` stack and waits for it.
inline void RunOnSmallStack(const std::function<void()>& fn,
                            size_t stack_bytes = kSmallStackBytes) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack_bytes);
  pthread_t thread;
  auto run = [](void* arg) -> void* {
    (*static_cast<const std::function<void()>*>(arg))();
    return nullptr;
  };
  int error = pthread_create(&thread, &attr, run, const_cast<std::function<void()>*>(&fn));
  pthread_attr_destroy(&attr);
  if (error != 0) throw std::runtime_error("pthread_create failed");
  pthread_join(thread, nullptr);
}

}  // namespace karrow
