#include "python/py_reader.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "python/capsules.h"
#include "python/interruptible_read.h"
#include "python/module_state.h"
#include "python/no_throw.h"
#include "python/py_batch.h"
#include "python/reader_core.h"
#include "python/schema_match.h"

namespace karrow::python {
namespace {

struct ReaderObject {
  PyObject ob_base;  // PyObject_HEAD, spelled out for clang-format
  // Constructed in place by OpenReader; shared with the streams lent out,
  // which may outlive this object (a pyarrow reader keeps reading).
  std::shared_ptr<ReaderCore> core;
};

ReaderObject* AsReader(PyObject* self) { return reinterpret_cast<ReaderObject*>(self); }

PyObject* NoNew(PyTypeObject*, PyObject*, PyObject*) {
  PyErr_SetString(PyExc_TypeError, "open a reader with karrow.read_kafka()");
  return nullptr;
}

void Dealloc(PyObject* self) {
  PyTypeObject* type = Py_TYPE(self);
  {
    // The last owner closes the consumer, which may take a moment.
    std::shared_ptr<ReaderCore> core = std::move(AsReader(self)->core);
    Py_BEGIN_ALLOW_THREADS core.reset();
    Py_END_ALLOW_THREADS
  }
  AsReader(self)->core.~shared_ptr();
  auto free_fn = reinterpret_cast<freefunc>(PyType_GetSlot(type, Py_tp_free));
  free_fn(self);
  Py_DECREF(type);
}

PyObject* SetKarrowError(const std::string& message) {
  PyErr_SetString(State().karrow_error, message.c_str());
  return nullptr;
}

PyObject* ArrowCSchema(PyObject* self, PyObject*) {
  return SchemaCapsule(*AsReader(self)->core->schema());
}

PyObject* ArrowCStream(PyObject* self, PyObject* args, PyObject* kwargs) {
  static const char* keywords[] = {"requested_schema", nullptr};
  PyObject* requested = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:__arrow_c_stream__",
                                   const_cast<char**>(keywords), &requested)) {
    return nullptr;
  }
  const std::shared_ptr<ReaderCore>& core = AsReader(self)->core;
  if (!AcceptRequestedSchema(requested, *core->schema())) return nullptr;
  if (core->closed()) return SetKarrowError("this KafkaReader is closed");
  return LentStreamCapsule(core);
}

PyObject* ReadNext(PyObject* self, PyObject*) {
  std::shared_ptr<ReaderCore> core = AsReader(self)->core;
  ReadResult read = ReadInterruptibly(*core, kReaderItself);
  switch (read.outcome) {
    case ReadResult::kBatch:
      return NewBatch(State().batch_type, std::move(*read.batch));
    case ReadResult::kEnd:
      Py_RETURN_NONE;
    case ReadResult::kInterrupted:
      return nullptr;  // the handler's exception (KeyboardInterrupt) is set
    case ReadResult::kBusy:
    case ReadResult::kError:
      return SetKarrowError(read.error);
  }
  return SetKarrowError("internal error: unknown read outcome");
}

PyObject* DeadLettersStream(PyObject* self, PyObject*) {
  const std::shared_ptr<ReaderCore>& core = AsReader(self)->core;
  if (!core->keeps_dead_letters()) {
    return SetKarrowError(
        "dead letters are only kept when the reader is opened with bad_data=\"drop\", "
        "dead_letter=True");
  }
  return BatchListStreamCapsule(core->dead_letter_schema(), core->TakeDeadLetters());
}

PyObject* Close(PyObject* self, PyObject*) {
  std::shared_ptr<ReaderCore> core = AsReader(self)->core;
  // Waits for a poll in flight and closes the consumer: not with the GIL,
  // which the thread that polls may be waiting for.
  Py_BEGIN_ALLOW_THREADS core->Close();
  Py_END_ALLOW_THREADS Py_RETURN_NONE;
}

PyObject* Stats(PyObject* self, PyObject*) {
  std::shared_ptr<ReaderCore> core = AsReader(self)->core;
  KafkaSourceStats stats;
  // Waits for a Close() in flight, which may take a moment: not with the GIL.
  Py_BEGIN_ALLOW_THREADS stats = core->stats();
  Py_END_ALLOW_THREADS const std::pair<const char*, int64_t> fields[] = {
      {"messages", stats.messages},
      {"rows", stats.rows},
      {"value_bytes", stats.value_bytes},
      {"batches", stats.batches},
      {"tombstones", stats.tombstones},
      {"bad_records", stats.bad_records},
      {"commits", stats.commits},
      {"commit_failures", stats.commit_failures},
      {"offset_gaps", stats.offset_gaps},
      {"skipped_offsets", stats.skipped_offsets},
      {"fetch_wakeups", stats.fetch_wakeups},
  };
  PyObject* dict = PyDict_New();
  if (dict == nullptr) return nullptr;
  for (const auto& [name, value] : fields) {
    PyObject* number = PyLong_FromLongLong(value);
    if (number == nullptr || PyDict_SetItemString(dict, name, number) != 0) {
      Py_XDECREF(number);
      Py_DECREF(dict);
      return nullptr;
    }
    Py_DECREF(number);
  }
  return dict;
}

// A metric's value: float for times (the _seconds metrics), int for the
// counts and offsets the rest are.
PyObject* MetricValue(const MetricSample& s) {
  if (std::strstr(s.def->name, "_seconds") != nullptr) return PyFloat_FromDouble(s.value);
  return PyLong_FromLongLong(static_cast<long long>(s.value));
}

// Sets dict[key] = value, taking the reference to value; false on error.
bool SetItem(PyObject* dict, PyObject* key, PyObject* value) {
  bool ok = key != nullptr && value != nullptr && PyDict_SetItem(dict, key, value) == 0;
  Py_XDECREF(key);
  Py_XDECREF(value);
  return ok;
}

// docs/metrics.md: the catalog's names less "karrow_"; a per-partition or
// labelled metric maps its partition (int) or label value (str) to the value.
PyObject* Metrics(PyObject* self, PyObject*) {
  std::shared_ptr<ReaderCore> core = AsReader(self)->core;
  MetricSamples samples;
  Py_BEGIN_ALLOW_THREADS samples = core->metrics();
  Py_END_ALLOW_THREADS PyObject* dict = PyDict_New();
  if (dict == nullptr) return nullptr;
  for (const MetricSample& s : samples) {
    const char* name = s.def->name + std::strlen("karrow_");
    const bool by_partition = s.def->scope == MetricScope::kPartition;
    if (!by_partition && s.def->label[0] == '\0') {
      if (!SetItem(dict, PyUnicode_FromString(name), MetricValue(s))) {
        Py_DECREF(dict);
        return nullptr;
      }
      continue;
    }
    PyObject* inner = PyDict_GetItemString(dict, name);  // borrowed
    if (inner == nullptr) {
      inner = PyDict_New();
      if (!SetItem(dict, PyUnicode_FromString(name), inner)) {
        Py_DECREF(dict);
        return nullptr;
      }
    }
    PyObject* key = by_partition ? PyLong_FromString(s.partition.c_str(), nullptr, 10)
                                 : PyUnicode_FromString(s.label_value.c_str());
    if (!SetItem(inner, key, MetricValue(s))) {
      Py_DECREF(dict);
      return nullptr;
    }
  }
  return dict;
}

PyObject* Closed(PyObject* self, void*) { return PyBool_FromLong(AsReader(self)->core->closed()); }

// int nanoseconds, float("inf") once the read ended, None before the first.
PyObject* Watermark(PyObject* self, void*) {
  const int64_t ns = AsReader(self)->core->watermark_ns();
  if (ns == ReaderCore::kNoWatermark) Py_RETURN_NONE;
  if (ns == signal::Watermark::kEndOfTime) return PyFloat_FromDouble(HUGE_VAL);
  return PyLong_FromLongLong(ns);
}

PyObject* KeepsDeadLetters(PyObject* self, void*) {
  return PyBool_FromLong(AsReader(self)->core->keeps_dead_letters());
}

PyMethodDef kMethods[] = {
    {"__arrow_c_schema__", NoThrow<ArrowCSchema>, METH_NOARGS,
     "__arrow_c_schema__()\n--\n\nThe schema as an \"arrow_schema\" PyCapsule; any time, any "
     "number of times."},
    {"__arrow_c_stream__", AsCFunction(NoThrowKw<ArrowCStream>), METH_VARARGS | METH_KEYWORDS,
     "__arrow_c_stream__(requested_schema=None)\n--\n\n"
     "An \"arrow_array_stream\" PyCapsule lent by the reader: the first stream to read a batch "
     "keeps the reader; one released unread gives it back."},
    {"read_next", NoThrow<ReadNext>, METH_NOARGS,
     "read_next()\n--\n\nThe next Batch, or None at the end; Ctrl-C interrupts the wait."},
    {"dead_letters_stream", NoThrow<DeadLettersStream>, METH_NOARGS,
     "dead_letters_stream()\n--\n\nThe dead letters read since the last call, as an "
     "\"arrow_array_stream\" PyCapsule."},
    {"close", NoThrow<Close>, METH_NOARGS,
     "close()\n--\n\nStops reading and closes the consumer; idempotent."},
    {"stats", NoThrow<Stats>, METH_NOARGS,
     "stats()\n--\n\nThe source's counters as a dict of ints (also after close())."},
    {"metrics", NoThrow<Metrics>, METH_NOARGS,
     "metrics()\n--\n\nThe metrics of docs/metrics.md as a dict (also after close())."},
    {nullptr, nullptr, 0, nullptr},
};

PyGetSetDef kGetSet[] = {
    {"closed", NoThrowGet<Closed>, nullptr, "True after close().", nullptr},
    {"watermark", NoThrowGet<Watermark>, nullptr,
     "The newest watermark read: int ns since the epoch, inf once the read ended, or None.",
     nullptr},
    {"keeps_dead_letters", NoThrowGet<KeepsDeadLetters>, nullptr,
     "True when opened with bad_data=\"drop\", dead_letter=True.", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

PyType_Slot kSlots[] = {
    {Py_tp_new, reinterpret_cast<void*>(NoNew)},
    {Py_tp_dealloc, reinterpret_cast<void*>(Dealloc)},
    {Py_tp_methods, kMethods},
    {Py_tp_getset, kGetSet},
    {Py_tp_doc, const_cast<char*>("The native half of karrow.KafkaReader.")},
    {0, nullptr},
};

PyType_Spec kSpec = {"karrow._karrow.Reader", sizeof(ReaderObject), 0, Py_TPFLAGS_DEFAULT, kSlots};

// `properties` as (key, value) pairs of str.
bool ParseProperties(PyObject* properties, std::vector<std::pair<std::string, std::string>>* out) {
  PyObject* items = PySequence_Fast(properties, "properties must be a sequence of (key, value)");
  if (items == nullptr) return false;
  const Py_ssize_t n = PySequence_Size(items);
  bool ok = n >= 0;
  for (Py_ssize_t i = 0; ok && i < n; ++i) {
    PyObject* item = PySequence_GetItem(items, i);
    const char* key = nullptr;
    const char* value = nullptr;
    ok = item != nullptr && PyArg_ParseTuple(item, "ss", &key, &value);
    if (ok) out->emplace_back(key, value);
    Py_XDECREF(item);
  }
  Py_DECREF(items);
  return ok;
}

}  // namespace

PyObject* MakeReaderType(PyObject*) { return PyType_FromSpec(&kSpec); }

PyObject* OpenReader(PyObject*, PyObject* args, PyObject* kwargs) {
  static const char* keywords[] = {"properties", "task_index", "parallelism", nullptr};
  PyObject* properties = nullptr;
  int task_index = 0;
  int parallelism = 1;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|ii:open", const_cast<char**>(keywords),
                                   &properties, &task_index, &parallelism)) {
    return nullptr;
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  if (!ParseProperties(properties, &pairs)) return nullptr;
  Result<std::shared_ptr<ReaderCore>> core = Status::Internal("not opened");
  // Connecting takes up to connect_timeout_ms; other threads may run.
  Py_BEGIN_ALLOW_THREADS core = ReaderCore::Open(pairs, TaskInfo{task_index, parallelism});
  Py_END_ALLOW_THREADS if (!core.ok()) return SetKarrowError(core.status().message());
  auto* type = reinterpret_cast<PyTypeObject*>(State().reader_type);
  auto alloc = reinterpret_cast<allocfunc>(PyType_GetSlot(type, Py_tp_alloc));
  PyObject* self = alloc(type, 0);
  if (self == nullptr) return nullptr;
  new (&AsReader(self)->core) std::shared_ptr<ReaderCore>(std::move(*core));
  return self;
}

}  // namespace karrow::python
