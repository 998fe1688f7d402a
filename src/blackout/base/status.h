// Status and Result<T>: errors as values. A Status carries a code, a message, and where the problem
// was found (file, byte offset, record number) so parsers can report "where and why".
// Thread-safety: value types; distinct objects may be used from distinct threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace blackout {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the caller's input is wrong (usage)
  kDataLoss,         // malformed or truncated input data
  kNotFound,
  kAlreadyExists,
  kUnavailable,  // a server or resource is unreachable / busy
  kIoError,
  kUnimplemented,
  kInternal,
  kPermissionDenied,
};

const char* StatusCodeName(StatusCode code);

// Where in an input a problem was found. Fields that are unknown stay unset.
struct Location {
  std::string file;
  std::optional<uint64_t> offset;  // byte offset in the (decompressed) stream
  std::optional<uint64_t> record;  // 1-based record number
  std::optional<uint64_t> line;    // 1-based line number (text inputs)

  std::string ToString() const;  // "file:offset 1234 record 5" or ""
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, Location where = {})
      : code_(code), message_(std::move(message)), where_(std::move(where)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const Location& where() const { return where_; }
  Status WithLocation(Location where) const { return Status(code_, message_, std::move(where)); }

  // "file: offset 12 record 3: DATA_LOSS: message"
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  Location where_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status Unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }

// Result<T> holds either a value or a non-OK Status (like absl::StatusOr).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {
    if (std::get<Status>(v_).ok()) v_ = Status(StatusCode::kInternal, "Result from OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T value_or(T other) const { return ok() ? value() : std::move(other); }

 private:
  std::variant<T, Status> v_;
};

#define BLACKOUT_RETURN_IF_ERROR(expr)       \
  do {                                       \
    ::blackout::Status _st = (expr);         \
    if (!_st.ok()) return _st;               \
  } while (0)

#define BLACKOUT_CONCAT_INNER(a, b) a##b
#define BLACKOUT_CONCAT(a, b) BLACKOUT_CONCAT_INNER(a, b)
#define BLACKOUT_ASSIGN_OR_RETURN(lhs, expr)                        \
  auto BLACKOUT_CONCAT(_res_, __LINE__) = (expr);                   \
  if (!BLACKOUT_CONCAT(_res_, __LINE__).ok())                       \
    return BLACKOUT_CONCAT(_res_, __LINE__).status();               \
  lhs = std::move(BLACKOUT_CONCAT(_res_, __LINE__)).value()

}  // namespace blackout
