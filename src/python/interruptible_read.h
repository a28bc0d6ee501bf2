// Reading the next batch so that Ctrl-C can end the wait: the GIL is
// released while polling, and between polls (~100 ms each) Python gets to
// run its signal handlers.
#pragma once

#include <optional>
#include <string>

#include "karrow/record_batch.h"
#include "python/reader_core.h"

namespace karrow::python {

/// Remembers Python's main thread, the only one where Python runs signal
/// handlers. Call once, from the module's init, with the GIL; false with a
/// Python exception set on failure.
bool RememberMainThread();

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
};

/// Reads the next batch of `core` for `owner`. Callable from any thread,
/// with or without the GIL: on Python's main thread it takes the GIL between
/// polls (never while polling) and calls PyErr_CheckSignals(); when a handler
/// raised, the read stops with kInterrupted and that exception is left set
/// in the calling thread's Python state. On other threads no Python is
/// touched: signal handlers run only on the main thread, and taking the GIL
/// there could wait on a main thread that waits for this one.
ReadResult ReadInterruptibly(ReaderCore& core, ReaderOwner owner);

}  // namespace karrow::python
