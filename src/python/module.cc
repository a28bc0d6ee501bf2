// karrow._karrow: the compiled half of the karrow Python package, on the
// CPython limited API (one build serves every CPython >= 3.9).
#include <Python.h>

#include "karrow/version.h"
#include "python/module_state.h"
#include "python/no_throw.h"
#include "python/py_batch.h"
#include "python/py_reader.h"

namespace karrow::python {

ModuleState& State() {
  static ModuleState state;
  return state;
}

namespace {

PyMethodDef kFunctions[] = {
    {"open", AsCFunction(NoThrowKw<OpenReader>), METH_VARARGS | METH_KEYWORDS,
     "open(properties, task_index=0, parallelism=1)\n--\n\n"
     "Opens a Reader; properties are (key, value) strings as KafkaSourceConfig::FromProperties "
     "takes them. Raises KarrowError with what to fix."},
    {nullptr, nullptr, 0, nullptr},
};

PyModuleDef kModule = {
    PyModuleDef_HEAD_INIT,
    "karrow._karrow",
    "The compiled half of the karrow package.",
    -1,
    kFunctions,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
};

// Adds `value` as `name`, stealing the reference; false on failure.
bool AddObject(PyObject* module, const char* name, PyObject* value) {
  if (value == nullptr) return false;
  Py_INCREF(value);  // PyModule_AddObject steals only on success
  if (PyModule_AddObject(module, name, value) < 0) {
    Py_DECREF(value);
    return false;
  }
  return true;
}

PyObject* Init() {
  PyObject* module = PyModule_Create(&kModule);
  if (module == nullptr) return nullptr;
  ModuleState& state = State();
  state.reader_type = MakeReaderType(module);
  state.batch_type = MakeBatchType(module);
  state.karrow_error = PyErr_NewExceptionWithDoc(
      "karrow.KarrowError",
      "Raised when karrow cannot open or read a source; the message says what to fix.",
      PyExc_RuntimeError, nullptr);
  // The state keeps its references for the life of the process.
  if (!AddObject(module, "Reader", state.reader_type) ||
      !AddObject(module, "Batch", state.batch_type) ||
      !AddObject(module, "KarrowError", state.karrow_error) ||
      PyModule_AddStringConstant(module, "__version__", KARROW_VERSION_STRING) < 0) {
    Py_DECREF(module);
    return nullptr;
  }
  return module;
}

}  // namespace
}  // namespace karrow::python

PyMODINIT_FUNC PyInit__karrow(void) {
  try {
    return karrow::python::Init();
  } catch (...) {
    return karrow::python::SetFromCurrentException();
  }
}
