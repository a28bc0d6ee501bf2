#include "karrow/job_identity.h"

#include <algorithm>

namespace karrow {
namespace {

// Job names go into file names (with '@' as the separator, see FileSink),
// so they hold only bytes that are safe there and never '@' or '/'.
bool IsNameByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

constexpr size_t kMaxName = 100;

}  // namespace

Status JobIdentity::Validate() const {
  if (name.empty() || name.size() > kMaxName || name[0] == '.') {
    return Status::Invalid("job name '" + name + "': must be 1 to " + std::to_string(kMaxName) +
                           " bytes and not start with '.'");
  }
  for (char c : name) {
    if (!IsNameByte(c)) {
      return Status::Invalid("job name '" + name +
                             "': only letters, digits, '.', '_' and '-' are allowed");
    }
  }
  // Kafka's own rule for topic names; they go into file names too.
  if (topic.empty() || topic.size() > 249 || !std::all_of(topic.begin(), topic.end(), IsNameByte)) {
    return Status::Invalid("topic '" + topic +
                           "': must be 1 to 249 letters, digits, '.', '_' and '-'");
  }
  return Status::OK();
}

std::vector<std::pair<std::string, std::string>> JobIdentity::Fields() const {
  return {{"job", name},
          {"topic", topic},
          {"group", group},
          {"format", format},
          {"sink_format", sink_format}};
}

bool JobIdentity::Set(const std::string& key, std::string value) {
  std::string* field = key == "job"           ? &name
                       : key == "topic"       ? &topic
                       : key == "group"       ? &group
                       : key == "format"      ? &format
                       : key == "sink_format" ? &sink_format
                                              : nullptr;
  if (field == nullptr) return false;
  *field = std::move(value);
  return true;
}

std::string JobIdentity::Describe() const {
  return "job " + name + " (topic " + topic + ", group " + group + ", format " + format +
         ", sink format " + sink_format + ")";
}

std::string JobNameFrom(const std::string& text) {
  std::string out = text.substr(0, kMaxName);
  for (char& c : out) {
    if (!IsNameByte(c)) c = '_';
  }
  if (!out.empty() && out[0] == '.') out[0] = '_';
  return out.empty() ? "karrow" : out;
}

}  // namespace karrow
