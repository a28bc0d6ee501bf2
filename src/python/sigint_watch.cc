#include "python/sigint_watch.h"

#include <signal.h>

#include <atomic>
#include <mutex>

namespace karrow::python {
namespace {

std::atomic<uint64_t> sigints{0};

// Guarded by mu; `replaced` is written only while the counting handler is
// not installed, so the handler reads it without a lock.
std::mutex mu;
int watches = 0;
bool installed = false;
struct sigaction replaced;

// Async-signal-safe: an atomic increment, then the replaced handler.
void CountSigint(int signum, siginfo_t* info, void* context) {
  sigints.fetch_add(1, std::memory_order_relaxed);
  if (replaced.sa_flags & SA_SIGINFO) {
    if (replaced.sa_sigaction != nullptr) replaced.sa_sigaction(signum, info, context);
  } else if (replaced.sa_handler == SIG_DFL) {
    // What SIGINT would have done without us: end the process.
    signal(SIGINT, SIG_DFL);
    raise(SIGINT);
  } else if (replaced.sa_handler != SIG_IGN) {
    replaced.sa_handler(signum);
  }
}

bool IsCountingHandler(const struct sigaction& action) {
  return (action.sa_flags & SA_SIGINFO) && action.sa_sigaction == CountSigint;
}

}  // namespace

SigintWatch::SigintWatch() : start_(sigints.load()) {
  std::lock_guard<std::mutex> lock(mu);
  if (watches++ > 0) return;
  struct sigaction current {};
  if (sigaction(SIGINT, nullptr, &current) != 0) return;
  // An ignored SIGINT stays ignored: there is nothing to notice.
  if (!(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_IGN) return;
  if (IsCountingHandler(current)) {  // left by a watch that could not restore
    installed = true;
    return;
  }
  replaced = current;
  struct sigaction counting {};
  counting.sa_sigaction = CountSigint;
  counting.sa_flags = SA_SIGINFO | (current.sa_flags & (SA_ONSTACK | SA_RESTART));
  counting.sa_mask = current.sa_mask;
  installed = sigaction(SIGINT, &counting, nullptr) == 0;
}

SigintWatch::~SigintWatch() {
  std::lock_guard<std::mutex> lock(mu);
  if (--watches > 0 || !installed) return;
  installed = false;
  struct sigaction current {};
  if (sigaction(SIGINT, nullptr, &current) == 0 && IsCountingHandler(current)) {
    sigaction(SIGINT, &replaced, nullptr);
  }
}

bool SigintWatch::fired() const { return sigints.load() != start_; }

}  // namespace karrow::python
