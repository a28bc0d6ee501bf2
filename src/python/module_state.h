// What the _karrow module's functions share: its types and its exception.
// Set once by the module's init; one interpreter only (no subinterpreters).
#pragma once

#include <Python.h>

namespace karrow::python {

struct ModuleState {
  PyObject* reader_type = nullptr;
  PyObject* batch_type = nullptr;
  PyObject* karrow_error = nullptr;
};

/// The module's state; all members are set once the module is imported.
ModuleState& State();

}  // namespace karrow::python
