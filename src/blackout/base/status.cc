#include "blackout/base/status.h"

namespace blackout {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case StatusCode::kDataLoss: return "DATA_LOSS";
    case StatusCode::kNotFound: return "NOT_FOUND";
    case StatusCode::kAlreadyExists: return "ALREADY_EXISTS";
    case StatusCode::kUnavailable: return "UNAVAILABLE";
    case StatusCode::kIoError: return "IO_ERROR";
    case StatusCode::kUnimplemented: return "UNIMPLEMENTED";
    case StatusCode::kInternal: return "INTERNAL";
    case StatusCode::kPermissionDenied: return "PERMISSION_DENIED";
  }
  return "UNKNOWN";
}

std::string Location::ToString() const {
  std::string parts;
  auto add = [&parts](const char* what, uint64_t v) {
    if (!parts.empty()) parts += ' ';
    parts += what;
    parts += ' ';
    parts += std::to_string(v);
  };
  if (line) add("line", *line);
  if (offset) add("offset", *offset);
  if (record) add("record", *record);
  if (file.empty()) return parts;
  return parts.empty() ? file : file + ": " + parts;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string where = where_.ToString();
  std::string out;
  if (!where.empty()) out = where + ": ";
  out += message_;
  return out;
}

}  // namespace blackout
