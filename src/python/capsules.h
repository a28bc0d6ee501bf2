// The PyCapsules of the Arrow PyCapsule interface: "arrow_schema",
// "arrow_array" and "arrow_array_stream", each owning a heap-allocated C
// struct that its destructor releases when no consumer moved it out.
#pragma once

#include <Python.h>

#include <memory>

#include "karrow/arrow_c_abi.h"
#include "karrow/record_batch.h"
#include "python/reader_core.h"

namespace karrow::python {

/// New reference, or NULL with a Python exception set.
PyObject* SchemaCapsule(const Schema& schema);
PyObject* ArrayCapsule(const RecordBatch& batch);
/// A stream lent by `core` (see stream_lease.h).
PyObject* LentStreamCapsule(std::shared_ptr<ReaderCore> core);
/// A stream over batches already read (the dead letters).
PyObject* BatchListStreamCapsule(SchemaPtr schema, std::vector<RecordBatch> batches);

/// The ArrowSchema inside an "arrow_schema" capsule (borrowed), or NULL
/// with TypeError set.
const ArrowSchema* SchemaInCapsule(PyObject* capsule);

/// The requested_schema rule of __arrow_c_stream__ and __arrow_c_array__:
/// true when `requested` is None or an "arrow_schema" capsule describing
/// `produced` (schema_match.h); otherwise false with a Python exception set,
/// NotImplementedError naming the difference, as karrow does not cast.
bool AcceptRequestedSchema(PyObject* requested, const Schema& produced);

}  // namespace karrow::python
