// Reading the next batch so that Ctrl-C can end the wait: the GIL is
// released while polling, and between polls (~100 ms each) Python gets to
// run its signal handlers.
#pragma once

#include <optional>
#include <string>

#include "karrow/record_batch.h"
#include "python/reader_core.h"
#include "python/sigint_watch.h"

namespace karrow::python {

struct ReadResult {
  enum Outcome {
    kBatch,        ///< batch is set
    kEnd,          ///< no more batches
    kError,        ///< error says why (a Kafka or data failure, a closed reader)
    kBusy,         ///< another consumer owns the reader; error says so
    kInterrupted,  ///< a signal handler raised; its exception is set (GIL-wise: see below)
  };
  Outcome outcome = kEnd;
  std::optional<RecordBatch> batch;
  std::string error;
  /// kInterrupted on a Python thread: the handler's exception is set in the
  /// thread's Python state. On other threads it is not: Python's own
  /// handler has only marked SIGINT as pending for the main thread.
  bool exception_set = false;
};

/// Reads the next batch of `core` for `owner`. Callable from any thread,
/// with or without the GIL. On a thread Python knows it holds the GIL only
/// between polls (never while polling) and calls PyErr_CheckSignals() there;
/// when a handler raised (only on Python's main thread), the read stops with
/// kInterrupted and that exception is left set in the calling thread's
/// Python state. On threads Python never saw no Python is touched; there a
/// SigintWatch notices Ctrl-C instead, and the read stops with kInterrupted
/// while Python's handler, which still runs, leaves the KeyboardInterrupt
/// pending for the main thread.
///
/// `sigint`, when not null, is the watch to use on a thread Python never
/// saw (a stream keeps one from its first such read on, so that a Ctrl-C
/// between two reads is not missed); else the read makes its own.
ReadResult ReadInterruptibly(ReaderCore& core, ReaderOwner owner,
                             std::optional<SigintWatch>* sigint = nullptr);

}  // namespace karrow::python
