#include "python/interruptible_read.h"

#include <Python.h>

#include <atomic>
#include <utility>

namespace karrow::python {
namespace {

std::atomic<unsigned long> main_thread{0};

}  // namespace

bool RememberMainThread() {
  // threading.main_thread().ident is the id PyThread_get_thread_ident()
  // gives on that thread, also when karrow is imported elsewhere.
  PyObject* threading = PyImport_ImportModule("threading");
  if (threading == nullptr) return false;
  PyObject* main = PyObject_CallMethod(threading, "main_thread", nullptr);
  Py_DECREF(threading);
  if (main == nullptr) return false;
  PyObject* ident = PyObject_GetAttrString(main, "ident");
  Py_DECREF(main);
  if (ident == nullptr) return false;
  const unsigned long id = PyLong_AsUnsignedLong(ident);
  Py_DECREF(ident);
  if (PyErr_Occurred() != nullptr) return false;
  main_thread.store(id);
  return true;
}

ReadResult ReadInterruptibly(ReaderCore& core, ReaderOwner owner) {
  ReadResult result;
  if (!core.Claim(owner)) {
    result.outcome = ReadResult::kBusy;
    result.error = "this KafkaReader was already read by another consumer; open a new reader";
    return result;
  }
  const bool on_main_thread = PyThread_get_thread_ident() == main_thread.load();
  // The caller may hold the GIL (a Python method, Polars) or not (pyarrow
  // and DuckDB release it before reading); Ensure() takes it in both cases
  // and SaveThread() then lets go of it for the polls.
  PyGILState_STATE gil{};
  PyThreadState* saved = nullptr;
  if (on_main_thread) {
    gil = PyGILState_Ensure();
    saved = PyEval_SaveThread();
  }
  while (true) {
    // Signals first: a handler that raised ends the read before the next
    // poll, so rows a poll returned are never dropped for an interrupt.
    if (on_main_thread) {
      PyEval_RestoreThread(saved);
      const bool raised = PyErr_CheckSignals() != 0;
      saved = PyEval_SaveThread();
      if (raised) {
        result.outcome = ReadResult::kInterrupted;
        result.error = "interrupted (KeyboardInterrupt)";
        break;
      }
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
  if (on_main_thread) {
    PyEval_RestoreThread(saved);
    PyGILState_Release(gil);
  }
  return result;
}

}  // namespace karrow::python
