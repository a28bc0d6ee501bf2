// _karrow.Reader: the native half of karrow.KafkaReader. Holds the
// ReaderCore, lends streams from __arrow_c_stream__, reads batches for
// Python interruptibly, hands out dead letters.
#pragma once

#include <Python.h>

namespace karrow::python {

/// Creates the type; a new reference, or NULL with an exception set.
PyObject* MakeReaderType(PyObject* module);

/// _karrow.open(properties, task_index, parallelism) -> Reader: `properties`
/// is a sequence of (key, value) string pairs. Needs the module state
/// (the types and KarrowError) set up by the module's init.
PyObject* OpenReader(PyObject* module, PyObject* args, PyObject* kwargs);

}  // namespace karrow::python
