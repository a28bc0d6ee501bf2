#include "karrow/status.h"

#include <cstdio>
#include <cstdlib>

#include "common/secrets.h"

namespace karrow {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      return "Invalid argument";
    case StatusCode::kNotFound:
      return "Not found";
    case StatusCode::kBadData:
      return "Bad data";
    case StatusCode::kKafkaError:
      return "Kafka error";
    case StatusCode::kTimeout:
      return "Timeout";
    case StatusCode::kIoError:
      return "I/O error";
    case StatusCode::kInternal:
      return "Internal error";
  }
  return "Unknown";
}

Status::Status(StatusCode code, std::string message)
    : state_(std::make_unique<State>(State{code, ScrubSecrets(std::move(message))})) {}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(StatusCodeName(state_->code)) + ": " + state_->message;
}

void AbortWithStatus(const Status& status) {
  std::fprintf(stderr, "karrow: fatal: %s\n", status.ToString().c_str());
  std::abort();
}

}  // namespace karrow
