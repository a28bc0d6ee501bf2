// _karrow.Batch: one record batch as a Python object that speaks the Arrow
// PyCapsule interface (__arrow_c_array__, __arrow_c_schema__), so a batch is
// usable without pyarrow (Polars, DuckDB, nanoarrow, ...).
#pragma once

#include <Python.h>

#include "karrow/record_batch.h"

namespace karrow::python {

/// Creates the type; a new reference, or NULL with an exception set.
PyObject* MakeBatchType(PyObject* module);
/// A new Batch of `type` holding `batch`.
PyObject* NewBatch(PyObject* type, RecordBatch batch);

}  // namespace karrow::python
