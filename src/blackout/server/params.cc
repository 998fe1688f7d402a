#include "blackout/server/params.h"

#include <charconv>

#include "blackout/store/entity_ref.h"

namespace blackout::server {
namespace {

constexpr UnixSeconds kMinTime = 0;
constexpr UnixSeconds kMaxTime = 4102444800;  // 2100-01-01

Result<UnixSeconds> ParseOneTime(std::string_view name, std::string_view text) {
  if (text.empty() || text.size() > 40) {
    return InvalidArgument(std::string(name) + ": expected Unix seconds or ISO 8601 time");
  }
  auto t = ParseTime(text);
  if (!t.ok()) {
    return InvalidArgument(std::string(name) + ": expected Unix seconds or ISO 8601 time, got '" +
                           std::string(text) + "'");
  }
  if (*t < kMinTime || *t > kMaxTime) {
    return InvalidArgument(std::string(name) + ": time out of range (1970..2100)");
  }
  return *t;
}

}  // namespace

Result<TimeRange> ParseRange(const std::optional<std::string>& from,
                             const std::optional<std::string>& until, UnixSeconds now) {
  TimeRange r;
  if (until) {
    BLACKOUT_ASSIGN_OR_RETURN(r.until, ParseOneTime("until", *until));
  } else {
    r.until = now;
  }
  if (from) {
    BLACKOUT_ASSIGN_OR_RETURN(r.from, ParseOneTime("from", *from));
  } else {
    r.from = r.until - kDefaultRangeSeconds;
  }
  if (r.from >= r.until) return InvalidArgument("from must be before until");
  if (r.until - r.from > kMaxRangeSeconds) {
    return InvalidArgument("time range longer than 100 days; ask for a shorter one");
  }
  return r;
}

Result<int64_t> ParseInt(std::string_view name, const std::optional<std::string>& text,
                         int64_t fallback, int64_t min, int64_t max) {
  if (!text) return fallback;
  const std::string& s = *text;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec == std::errc::result_out_of_range) {
    if (ec == std::errc::result_out_of_range && !s.empty() && s[0] != '-') return max;
    return InvalidArgument(std::string(name) + ": expected an integer, got '" + s.substr(0, 40) +
                           "'");
  }
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return InvalidArgument(std::string(name) + ": expected an integer, got '" + s.substr(0, 40) +
                           "'");
  }
  if (v < min) {
    return InvalidArgument(std::string(name) + ": must be at least " + std::to_string(min));
  }
  if (v > max) return max;
  return v;
}

bool IsEntityType(std::string_view type) {
  return type == "country" || type == "region" || type == "asn" || type == "geoasn";
}

bool IsEntityCode(std::string_view code) {
  if (code.empty() || code.size() > 64) return false;
  for (char c : code) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsEntityRef(std::string_view ref) {
  const store::EntityRef e = store::EntityRef::FromCanonical(ref);
  return IsEntityType(e.type()) && IsEntityCode(e.code());
}

bool IsDatasourceName(std::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

}  // namespace blackout::server
