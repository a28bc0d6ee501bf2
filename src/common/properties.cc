#include "common/properties.h"

#include <cerrno>
#include <cstdlib>

namespace karrow {

Result<int64_t> ParseIntProperty(const std::string& key, const std::string& value) {
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || errno != 0) {
    return Status::Invalid(key + "=" + value + ": expected a whole number");
  }
  return static_cast<int64_t>(v);
}

Result<bool> ParseBoolProperty(const std::string& key, const std::string& value) {
  if (value == "true" || value == "1") return true;
  if (value == "false" || value == "0") return false;
  return Status::Invalid(key + "=" + value + ": expected true or false");
}

Result<double> ParseNumberProperty(const std::string& key, const std::string& value) {
  char* end = nullptr;
  double v = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0')
    return Status::Invalid(key + "=" + value + ": expected a number");
  return v;
}

}  // namespace karrow
