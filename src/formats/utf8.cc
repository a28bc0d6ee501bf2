#include "formats/utf8.h"

#include <simdjson.h>

namespace karrow {

bool IsValidUtf8(const char* data, size_t size) { return simdjson::validate_utf8(data, size); }

}  // namespace karrow
