// Status and Result<T>: how every fallible karrow function reports failure.
// Errors carry a code (what kind of failure) and a message written for users.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <variant>

#include "karrow/export.h"

namespace karrow {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  ///< A configuration value or argument is wrong; fix it and retry.
  kNotFound,         ///< A topic, file or schema that was named does not exist.
  kBadData,          ///< A Kafka record could not be decoded (see the bad_data policy).
  kKafkaError,       ///< The Kafka client reported a fatal error.
  kTimeout,          ///< Something did not answer within the configured time.
  kIoError,          ///< Reading or writing a file or stream failed.
  kInternal,         ///< A bug in karrow; please report it.
};

KARROW_EXPORT const char* StatusCodeName(StatusCode code);

class [[nodiscard]] KARROW_EXPORT Status {
 public:
  Status() = default;
  // Masks the secrets of every configuration seen so far (README,
  // "Secrets"): a message can leave karrow by any route.
  Status(StatusCode code, std::string message);
  Status(const Status& other)
      : state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}
  Status& operator=(const Status& other) {
    state_ = other.state_ ? std::make_unique<State>(*other.state_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status OK() { return Status(); }
  static Status Invalid(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status BadData(std::string m) { return {StatusCode::kBadData, std::move(m)}; }
  static Status Kafka(std::string m) { return {StatusCode::kKafkaError, std::move(m)}; }
  static Status Timeout(std::string m) { return {StatusCode::kTimeout, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  const std::string& message() const;
  /// "<code name>: <message>", or "OK".
  std::string ToString() const;

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  // Null when OK, so that passing OK around costs one pointer.
  std::unique_ptr<State> state_;
};

/// Prints "karrow: fatal: <status>" to stderr and aborts.
[[noreturn]] KARROW_EXPORT void AbortWithStatus(const Status& status);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    if (std::get<Status>(v_).ok()) v_ = Status::Internal("Result constructed from an OK status");
  }
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& operator*() & { return std::get<T>(v_); }
  T&& operator*() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &std::get<T>(v_); }
  /// The value; on an error, prints the status to stderr and aborts (for
  /// tests and tools where an error is a bug).
  T ValueOrDie() && {
    if (!ok()) AbortWithStatus(std::get<Status>(v_));
    return std::get<T>(std::move(v_));
  }

 private:
  std::variant<T, Status> v_;
};

#define KARROW_CONCAT_IMPL(a, b) a##b
#define KARROW_CONCAT(a, b) KARROW_CONCAT_IMPL(a, b)

#define KARROW_RETURN_NOT_OK(expr)           \
  do {                                       \
    ::karrow::Status _karrow_st = (expr);    \
    if (!_karrow_st.ok()) return _karrow_st; \
  } while (0)

#define KARROW_ASSIGN_OR_RAISE_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(*tmp)

#define KARROW_ASSIGN_OR_RAISE(lhs, expr) \
  KARROW_ASSIGN_OR_RAISE_IMPL(KARROW_CONCAT(_karrow_result_, __LINE__), lhs, expr)

}  // namespace karrow
