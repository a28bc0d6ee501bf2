// Python calls the module's functions from C: no C++ exception may leave
// them. These wrappers turn one into a Python exception instead.
#pragma once

#include <Python.h>
#include <cxxabi.h>

#include <exception>
#include <new>
#include <string>

namespace karrow::python {

// A thread that Python ends (a daemon thread taking the GIL after the
// interpreter finalized) unwinds through these functions with glibc's
// abi::__forced_unwind, which must go on: swallowing it aborts the process.
// That exception has no object, so UBSan (the asan preset) would flag the
// reference the handler binds to it as a null reference: a false alarm.
[[gnu::no_sanitize("null")]] inline PyObject* SetFromCurrentException() {
  try {
    throw;
  } catch (abi::__forced_unwind&) {
    throw;
  } catch (const std::bad_alloc&) {
    return PyErr_NoMemory();
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError,
                    (std::string("karrow internal error: ") + e.what()).c_str());
  } catch (...) {
    PyErr_SetString(PyExc_RuntimeError, "karrow internal error");
  }
  return nullptr;
}

/// For METH_NOARGS and METH_O functions.
template <PyObject* (*F)(PyObject*, PyObject*)>
PyObject* NoThrow(PyObject* self, PyObject* arg) {
  try {
    return F(self, arg);
  } catch (...) {
    return SetFromCurrentException();
  }
}

/// For METH_VARARGS | METH_KEYWORDS functions.
template <PyObject* (*F)(PyObject*, PyObject*, PyObject*)>
PyObject* NoThrowKw(PyObject* self, PyObject* args, PyObject* kwargs) {
  try {
    return F(self, args, kwargs);
  } catch (...) {
    return SetFromCurrentException();
  }
}

/// For getters.
template <PyObject* (*F)(PyObject*, void*)>
PyObject* NoThrowGet(PyObject* self, void* closure) {
  try {
    return F(self, closure);
  } catch (...) {
    return SetFromCurrentException();
  }
}

/// The function pointer type Python's method tables want.
template <typename Fn>
PyCFunction AsCFunction(Fn f) {
  return reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(f));
}

}  // namespace karrow::python
