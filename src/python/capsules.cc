#include "python/capsules.h"

#include <optional>
#include <utility>
#include <vector>

#include "karrow/c_export.h"
#include "python/schema_match.h"
#include "python/stream_lease.h"

namespace karrow::python {
namespace {

constexpr const char* kSchemaName = "arrow_schema";
constexpr const char* kArrayName = "arrow_array";
constexpr const char* kStreamName = "arrow_array_stream";

// A consumer that takes the struct's contents sets its release to NULL; one
// that did not leaves it for us.
void DestroySchema(PyObject* capsule) {
  auto* schema = static_cast<ArrowSchema*>(PyCapsule_GetPointer(capsule, kSchemaName));
  if (schema == nullptr) {
    PyErr_Clear();  // a destructor may not raise
    return;
  }
  if (schema->release != nullptr) schema->release(schema);
  delete schema;
}

void DestroyArray(PyObject* capsule) {
  auto* array = static_cast<ArrowArray*>(PyCapsule_GetPointer(capsule, kArrayName));
  if (array == nullptr) {
    PyErr_Clear();
    return;
  }
  if (array->release != nullptr) array->release(array);
  delete array;
}

void DestroyStream(PyObject* capsule) {
  auto* stream = static_cast<ArrowArrayStream*>(PyCapsule_GetPointer(capsule, kStreamName));
  if (stream == nullptr) {
    PyErr_Clear();
    return;
  }
  if (stream->release != nullptr) {
    // Releasing the last lease closes the consumer, which may take a moment;
    // other Python threads need not wait for it.
    Py_BEGIN_ALLOW_THREADS stream->release(stream);
    Py_END_ALLOW_THREADS
  }
  delete stream;
}

// Wraps `owned` in a capsule; on failure releases it with `destroy`'s logic.
template <typename T>
PyObject* Wrap(T* owned, const char* name, PyCapsule_Destructor destroy) {
  PyObject* capsule = PyCapsule_New(owned, name, destroy);
  if (capsule == nullptr) {
    if (owned->release != nullptr) owned->release(owned);
    delete owned;
  }
  return capsule;
}

// Batches already in memory, as a reader to export.
class BatchListReader : public RecordBatchReader {
 public:
  BatchListReader(SchemaPtr schema, std::vector<RecordBatch> batches)
      : schema_(std::move(schema)), batches_(std::move(batches)) {}
  SchemaPtr schema() const override { return schema_; }
  Result<std::optional<RecordBatch>> Next() override {
    if (next_ == batches_.size()) return std::optional<RecordBatch>();
    return std::optional<RecordBatch>(std::move(batches_[next_++]));
  }

 private:
  SchemaPtr schema_;
  std::vector<RecordBatch> batches_;
  size_t next_ = 0;
};

}  // namespace

PyObject* SchemaCapsule(const Schema& schema) {
  auto* out = new ArrowSchema();
  Status st = ExportSchema(schema, out);
  if (!st.ok()) {
    delete out;
    PyErr_SetString(PyExc_RuntimeError, st.message().c_str());
    return nullptr;
  }
  return Wrap(out, kSchemaName, DestroySchema);
}

PyObject* ArrayCapsule(const RecordBatch& batch) {
  auto* out = new ArrowArray();
  Status st = ExportRecordBatch(batch, out);
  if (!st.ok()) {
    delete out;
    PyErr_SetString(PyExc_RuntimeError, st.message().c_str());
    return nullptr;
  }
  return Wrap(out, kArrayName, DestroyArray);
}

PyObject* LentStreamCapsule(std::shared_ptr<ReaderCore> core) {
  auto* out = new ArrowArrayStream();
  LendStream(std::move(core), out);
  return Wrap(out, kStreamName, DestroyStream);
}

PyObject* BatchListStreamCapsule(SchemaPtr schema, std::vector<RecordBatch> batches) {
  auto* out = new ArrowArrayStream();
  ExportRecordBatchReader(std::make_unique<BatchListReader>(std::move(schema), std::move(batches)),
                          out);
  return Wrap(out, kStreamName, DestroyStream);
}

const ArrowSchema* SchemaInCapsule(PyObject* capsule) {
  if (!PyCapsule_IsValid(capsule, kSchemaName)) {
    PyErr_SetString(PyExc_TypeError,
                    "requested_schema must be an \"arrow_schema\" PyCapsule (from "
                    "__arrow_c_schema__)");
    return nullptr;
  }
  return static_cast<const ArrowSchema*>(PyCapsule_GetPointer(capsule, kSchemaName));
}

bool AcceptRequestedSchema(PyObject* requested, const Schema& produced) {
  if (requested == Py_None) return true;
  const ArrowSchema* wanted = SchemaInCapsule(requested);
  if (wanted == nullptr) return false;
  PyObject* own = SchemaCapsule(produced);
  if (own == nullptr) return false;
  std::string difference = SchemaDifference(
      *wanted, *static_cast<const ArrowSchema*>(PyCapsule_GetPointer(own, "arrow_schema")));
  Py_DECREF(own);
  if (difference.empty()) return true;
  PyErr_SetString(PyExc_NotImplementedError,
                  ("karrow does not cast to a requested_schema: " + difference +
                   "; pass requested_schema=None or the producer's own schema")
                      .c_str());
  return false;
}

}  // namespace karrow::python
