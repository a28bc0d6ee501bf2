// The ArrowArrayStream a KafkaReader lends out from __arrow_c_stream__: a
// lease on the reader. Its schema is there at any time; its first get_next
// claims the reader, so a stream released unread (a consumer that only
// wanted the schema, as DuckDB and Polars do first) leaves the reader free
// for the next one.
#pragma once

#include <memory>

#include "karrow/arrow_c_abi.h"
#include "python/reader_core.h"

namespace karrow::python {

/// Fills `*out` with a stream over `core`; the caller owns it. get_next
/// returns EBUSY when another consumer owns the reader, EINTR when a Python
/// signal handler raised during the wait (see ReadInterruptibly), EIO for
/// read failures; get_last_error says more.
void LendStream(std::shared_ptr<ReaderCore> core, ArrowArrayStream* out);

/// What a stream does when a signal handler raised while it waited.
enum class InterruptMode {
  /// Leave the handler's exception set: the caller (whoever reacquires the
  /// GIL next on that thread) finds it.
  kKeepException,
  /// Clear it and make Python see SIGINT again (PyErr_SetInterrupt), so
  /// the KeyboardInterrupt is raised by the interpreter's next check,
  /// whatever the consumer raises for the stream's error.
  kReraiseInterrupt,
};
void SetInterruptMode(InterruptMode mode);

}  // namespace karrow::python
