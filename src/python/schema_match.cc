#include "python/schema_match.h"

#include <cstdint>
#include <string>

namespace karrow::python {
namespace {

std::string Str(const char* s) { return s == nullptr ? std::string() : std::string(s); }

std::string Describe(const std::string& path) {
  return path.empty() ? "the schema" : "field '" + path + "'";
}

std::string Compare(const ArrowSchema& requested, const ArrowSchema& produced,
                    const std::string& path, bool top) {
  if (Str(requested.format) != Str(produced.format)) {
    return Describe(path) + " has format '" + Str(requested.format) +
           "' in requested_schema but '" + Str(produced.format) + "' in the reader's schema";
  }
  if (!top) {
    if (Str(requested.name) != Str(produced.name)) {
      return Describe(path) + " is named '" + Str(requested.name) +
             "' in requested_schema but the reader's column there is '" + Str(produced.name) + "'";
    }
    const int64_t kCompared =
        ARROW_FLAG_NULLABLE | ARROW_FLAG_DICTIONARY_ORDERED | ARROW_FLAG_MAP_KEYS_SORTED;
    if ((requested.flags & kCompared) != (produced.flags & kCompared)) {
      const bool requested_nullable = requested.flags & ARROW_FLAG_NULLABLE;
      const bool produced_nullable = produced.flags & ARROW_FLAG_NULLABLE;
      if (requested_nullable != produced_nullable) {
        return Describe(path) + " is " + (requested_nullable ? "nullable" : "not nullable") +
               " in requested_schema but " + (produced_nullable ? "nullable" : "not nullable") +
               " in the reader's schema";
      }
      return Describe(path) + " has flags " + std::to_string(requested.flags) +
             " in requested_schema but " + std::to_string(produced.flags) +
             " in the reader's schema";
    }
  }
  if (requested.n_children != produced.n_children) {
    return Describe(path) + " has " + std::to_string(requested.n_children) + " " +
           (top ? "columns" : "children") + " in requested_schema but " +
           std::to_string(produced.n_children) + " in the reader's";
  }
  for (int64_t i = 0; i < produced.n_children; ++i) {
    const ArrowSchema& child = *produced.children[i];
    std::string child_path = path.empty() ? Str(child.name) : path + "." + Str(child.name);
    std::string difference = Compare(*requested.children[i], child, child_path, false);
    if (!difference.empty()) return difference;
  }
  if ((requested.dictionary == nullptr) != (produced.dictionary == nullptr)) {
    return Describe(path) + (requested.dictionary ? " is" : " is not") +
           " dictionary-encoded in requested_schema, unlike the reader's schema";
  }
  if (requested.dictionary != nullptr) {
    return Compare(*requested.dictionary, *produced.dictionary, path + " (dictionary)", true);
  }
  return {};
}

}  // namespace

std::string SchemaDifference(const ArrowSchema& requested, const ArrowSchema& produced) {
  return Compare(requested, produced, "", true);
}

}  // namespace karrow::python
