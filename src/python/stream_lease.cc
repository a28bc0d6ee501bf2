#include "python/stream_lease.h"

#include <Python.h>

#include <cerrno>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <utility>

#include "karrow/c_export.h"
#include "python/interruptible_read.h"

namespace karrow::python {
namespace {

struct Lease {
  std::shared_ptr<ReaderCore> core;
  ReaderOwner owner;
  std::string last_error;
  bool ended = false;
  // From the first read on a thread Python never saw until release: a
  // Ctrl-C while the consumer handles a batch then ends the next read.
  std::optional<SigintWatch> sigint;
};

Lease* LeaseOf(ArrowArrayStream* stream) { return static_cast<Lease*>(stream->private_data); }

int Fail(Lease* lease, int code, std::string message) {
  lease->last_error = std::move(message);
  return code;
}

// Leaves the interrupt for the interpreter to raise (see LendStream).
// Runs on the thread that was interrupted, which holds no GIL here.
void HandOverInterrupt() {
  PyGILState_STATE gil = PyGILState_Ensure();
  if (PyErr_Occurred() != nullptr) {
    if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) {
      PyErr_Clear();
      PyErr_SetInterrupt();
    } else {
      // Another handler's exception cannot be raised again later; shown on
      // stderr rather than lost, and the stream's error says it stopped.
      PyErr_WriteUnraisable(nullptr);
    }
  }
  PyGILState_Release(gil);
}

// No exception may leave these functions: their callers are C.
int GetSchema(ArrowArrayStream* stream, ArrowSchema* out) {
  Lease* lease = LeaseOf(stream);
  try {
    if (out == nullptr) return Fail(lease, EINVAL, "get_schema: null ArrowSchema");
    Status st = ExportSchema(*lease->core->schema(), out);
    if (!st.ok()) return Fail(lease, EIO, st.message());
    return 0;
  } catch (const std::bad_alloc&) {
    return Fail(lease, ENOMEM, "out of memory");
  } catch (const std::exception& e) {
    return Fail(lease, EIO, std::string("internal error: ") + e.what());
  }
}

int GetNext(ArrowArrayStream* stream, ArrowArray* out) {
  Lease* lease = LeaseOf(stream);
  try {
    if (out == nullptr) return Fail(lease, EINVAL, "get_next: null ArrowArray");
    out->release = nullptr;  // the end of the stream, unless a batch comes
    if (lease->ended) return 0;
    ReadResult read = ReadInterruptibly(*lease->core, lease->owner, &lease->sigint);
    switch (read.outcome) {
      case ReadResult::kBatch: {
        Status st = ExportRecordBatch(*read.batch, out);
        if (!st.ok()) return Fail(lease, EIO, st.message());
        return 0;
      }
      case ReadResult::kEnd:
        lease->ended = true;
        return 0;
      case ReadResult::kBusy:
        return Fail(lease, EBUSY, std::move(read.error));
      case ReadResult::kInterrupted:
        if (read.exception_set) HandOverInterrupt();
        return Fail(lease, EINTR, std::move(read.error));
      case ReadResult::kError:
        return Fail(lease, EIO, std::move(read.error));
    }
    return Fail(lease, EIO, "internal error: unknown read outcome");
  } catch (const std::bad_alloc&) {
    return Fail(lease, ENOMEM, "out of memory");
  } catch (const std::exception& e) {
    return Fail(lease, EIO, std::string("internal error: ") + e.what());
  }
}

const char* GetLastError(ArrowArrayStream* stream) {
  Lease* lease = LeaseOf(stream);
  return lease->last_error.empty() ? nullptr : lease->last_error.c_str();
}

void Release(ArrowArrayStream* stream) {
  if (stream->release == nullptr) return;
  // Dropping the lease is all a give-back needs: a stream that never read
  // never claimed the reader. The last owner of the core closes the source.
  delete LeaseOf(stream);
  stream->release = nullptr;
}

}  // namespace

void LendStream(std::shared_ptr<ReaderCore> core, ArrowArrayStream* out) {
  ReaderOwner owner = core->NewStreamOwner();
  out->get_schema = GetSchema;
  out->get_next = GetNext;
  out->get_last_error = GetLastError;
  out->release = Release;
  auto* lease = new Lease();
  lease->core = std::move(core);
  lease->owner = owner;
  out->private_data = lease;
}

}  // namespace karrow::python
