// SigintWatch: lets a read on a thread Python never saw (a DuckDB worker)
// notice Ctrl-C. Python runs signal handlers only on its main thread, and
// that thread may be blocked waiting for this very read, so the read cannot
// learn of the SIGINT from Python. While at least one watch exists, SIGINT
// goes first to a handler that counts it and then passes it on to the
// handler it replaced (Python's), so Python still raises KeyboardInterrupt
// as soon as its main thread runs again.
#pragma once

#include <cstdint>

namespace karrow::python {

class SigintWatch {
 public:
  /// Starts counting (installs the counting handler when it is the first
  /// watch and SIGINT is not ignored).
  SigintWatch();
  /// Stops; the last watch puts back the handler it replaced, unless
  /// someone replaced the counting handler meanwhile (then theirs stays).
  ~SigintWatch();
  SigintWatch(const SigintWatch&) = delete;
  SigintWatch& operator=(const SigintWatch&) = delete;

  /// True when a SIGINT came since this watch started.
  bool fired() const;

 private:
  uint64_t start_;
};

}  // namespace karrow::python
