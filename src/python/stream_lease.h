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
/// returns EBUSY when another consumer owns the reader, EIO for read
/// failures, and EINTR when a Python signal handler raised while it waited
/// (see ReadInterruptibly): then the exception (KeyboardInterrupt) is
/// cleared and SIGINT marked as pending again, so that the interpreter
/// raises KeyboardInterrupt at its next check, after the consumer has
/// turned the error into its own exception. Leaving the exception set
/// instead makes pyarrow fail with SystemError (it calls into Python with an
/// exception pending). get_last_error says more.
void LendStream(std::shared_ptr<ReaderCore> core, ArrowArrayStream* out);

}  // namespace karrow::python
