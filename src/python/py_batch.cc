#include "python/py_batch.h"

#include <new>
#include <optional>
#include <string>
#include <utility>

#include "python/capsules.h"
#include "python/no_throw.h"
#include "python/schema_match.h"

namespace karrow::python {
namespace {

struct BatchObject {
  PyObject ob_base;  // PyObject_HEAD, spelled out for clang-format
  // Constructed in place by NewBatch (Python cannot make a Batch: NoNew).
  std::optional<RecordBatch> batch;
};

BatchObject* AsBatch(PyObject* self) { return reinterpret_cast<BatchObject*>(self); }

bool CheckHasBatch(PyObject* self) {
  if (AsBatch(self)->batch) return true;
  PyErr_SetString(PyExc_TypeError, "karrow batches come from a KafkaReader; they cannot be made");
  return false;
}

void Dealloc(PyObject* self) {
  PyTypeObject* type = Py_TYPE(self);
  AsBatch(self)->batch.~optional();
  auto free_fn = reinterpret_cast<freefunc>(PyType_GetSlot(type, Py_tp_free));
  free_fn(self);
  Py_DECREF(type);  // heap types are owned by their instances
}

PyObject* NoNew(PyTypeObject*, PyObject*, PyObject*) {
  PyErr_SetString(PyExc_TypeError, "karrow batches come from a KafkaReader; they cannot be made");
  return nullptr;
}

PyObject* ArrowCSchema(PyObject* self, PyObject*) {
  if (!CheckHasBatch(self)) return nullptr;
  return SchemaCapsule(*AsBatch(self)->batch->schema());
}

// A batch can be exported any number of times: each export shares the
// buffers and keeps them alive on its own.
PyObject* ArrowCArray(PyObject* self, PyObject* args, PyObject* kwargs) {
  static const char* keywords[] = {"requested_schema", nullptr};
  PyObject* requested = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:__arrow_c_array__",
                                   const_cast<char**>(keywords), &requested)) {
    return nullptr;
  }
  if (!CheckHasBatch(self)) return nullptr;
  const RecordBatch& batch = *AsBatch(self)->batch;
  if (!AcceptRequestedSchema(requested, *batch.schema())) return nullptr;
  PyObject* schema = SchemaCapsule(*batch.schema());
  if (schema == nullptr) return nullptr;
  PyObject* array = ArrayCapsule(batch);
  if (array == nullptr) {
    Py_DECREF(schema);
    return nullptr;
  }
  PyObject* pair = PyTuple_New(2);
  if (pair == nullptr) {
    Py_DECREF(schema);
    Py_DECREF(array);
    return nullptr;
  }
  PyTuple_SetItem(pair, 0, schema);  // steals
  PyTuple_SetItem(pair, 1, array);
  return pair;
}

PyObject* NumRows(PyObject* self, void*) {
  if (!CheckHasBatch(self)) return nullptr;
  return PyLong_FromLongLong(AsBatch(self)->batch->num_rows());
}

PyObject* NumColumns(PyObject* self, void*) {
  if (!CheckHasBatch(self)) return nullptr;
  return PyLong_FromLong(AsBatch(self)->batch->num_columns());
}

PyObject* Repr(PyObject* self) {
  if (!AsBatch(self)->batch) return PyUnicode_FromString("<karrow batch (empty)>");
  const RecordBatch& batch = *AsBatch(self)->batch;
  std::string text = "<karrow batch: " + std::to_string(batch.num_rows()) + " rows, " +
                     std::to_string(batch.num_columns()) + " columns>";
  return PyUnicode_FromString(text.c_str());
}

PyMethodDef kMethods[] = {
    {"__arrow_c_schema__", NoThrow<ArrowCSchema>, METH_NOARGS,
     "__arrow_c_schema__()\n--\n\nThe batch's schema as an \"arrow_schema\" PyCapsule."},
    {"__arrow_c_array__", AsCFunction(NoThrowKw<ArrowCArray>), METH_VARARGS | METH_KEYWORDS,
     "__arrow_c_array__(requested_schema=None)\n--\n\n"
     "The batch as (\"arrow_schema\", \"arrow_array\") PyCapsules of a struct array. "
     "requested_schema may only be the batch's own schema: karrow does not cast."},
    {nullptr, nullptr, 0, nullptr},
};

PyGetSetDef kGetSet[] = {
    {"num_rows", NoThrowGet<NumRows>, nullptr, "Rows in the batch.", nullptr},
    {"num_columns", NoThrowGet<NumColumns>, nullptr, "Columns in the batch.", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

PyType_Slot kSlots[] = {
    {Py_tp_new, reinterpret_cast<void*>(NoNew)},
    {Py_tp_dealloc, reinterpret_cast<void*>(Dealloc)},
    {Py_tp_methods, kMethods},
    {Py_tp_getset, kGetSet},
    {Py_tp_repr, reinterpret_cast<void*>(Repr)},
    {Py_tp_doc,
     const_cast<char*>("One record batch read by a KafkaReader, without pyarrow: it implements "
                       "__arrow_c_array__ and __arrow_c_schema__.")},
    {0, nullptr},
};

PyType_Spec kSpec = {"karrow._karrow.Batch", sizeof(BatchObject), 0, Py_TPFLAGS_DEFAULT, kSlots};

}  // namespace

PyObject* MakeBatchType(PyObject*) { return PyType_FromSpec(&kSpec); }

PyObject* NewBatch(PyObject* type, RecordBatch batch) {
  auto alloc = reinterpret_cast<allocfunc>(
      PyType_GetSlot(reinterpret_cast<PyTypeObject*>(type), Py_tp_alloc));
  PyObject* self = alloc(reinterpret_cast<PyTypeObject*>(type), 0);
  if (self == nullptr) return nullptr;
  new (&AsBatch(self)->batch) std::optional<RecordBatch>(std::move(batch));
  return self;
}

}  // namespace karrow::python
