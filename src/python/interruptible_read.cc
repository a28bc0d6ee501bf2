#include "python/interruptible_read.h"

#include <Python.h>

#include <optional>
#include <utility>

namespace karrow::python {

ReadResult ReadInterruptibly(ReaderCore& core, ReaderOwner owner,
                             std::optional<SigintWatch>* sigint) {
  ReadResult result;
  if (!core.Claim(owner)) {
    result.outcome = ReadResult::kBusy;
    result.error = "this KafkaReader was already read by another consumer; open a new reader";
    return result;
  }
  // A thread Python knows (it has a thread state) may hold the GIL: a
  // Python method does, Polars may, pyarrow and DuckDB let go of it first.
  // Ensure() takes it in every case and SaveThread() then lets go of it for
  // the polls, so a wait never blocks other Python threads. A thread Python
  // never saw (a DuckDB or Arrow worker) holds no GIL and cannot run signal
  // handlers: it is left alone, so it never waits for a GIL that a main
  // thread waiting for it may hold.
  const bool python_thread = PyGILState_GetThisThreadState() != nullptr;
  PyGILState_STATE gil{};
  PyThreadState* saved = nullptr;
  std::optional<SigintWatch> own_sigint;
  if (sigint == nullptr) sigint = &own_sigint;
  if (python_thread) {
    gil = PyGILState_Ensure();
    saved = PyEval_SaveThread();
  } else if (!sigint->has_value()) {
    sigint->emplace();
  }
  while (true) {
    // Signals first: a handler that raised ends the read before the next
    // poll, so rows a poll returned are never dropped for an interrupt.
    // Python runs handlers only on its main thread; elsewhere this is cheap
    // and does nothing.
    if (python_thread) {
      PyEval_RestoreThread(saved);
      const bool raised = PyErr_CheckSignals() != 0;
      saved = PyEval_SaveThread();
      if (raised) {
        result.outcome = ReadResult::kInterrupted;
        result.error = "interrupted (KeyboardInterrupt)";
        result.exception_set = true;
        break;
      }
    } else if ((*sigint)->fired()) {
      result.outcome = ReadResult::kInterrupted;
      result.error = "interrupted (KeyboardInterrupt)";
      break;
    }
    Result<ReaderCore::Step> step = core.PollOnce();
    if (!step.ok()) {
      result.outcome = ReadResult::kError;
      result.error = step.status().message();
      break;
    }
    if (step->rows) {
      result.outcome = ReadResult::kBatch;
      result.batch = std::move(step->rows);
      break;
    }
    if (step->ended) {
      result.outcome = ReadResult::kEnd;
      break;
    }
  }
  if (python_thread) {
    PyEval_RestoreThread(saved);
    PyGILState_Release(gil);
  }
  return result;
}

}  // namespace karrow::python
