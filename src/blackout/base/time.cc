#include "blackout/base/time.h"

#include <cctype>
#include <charconv>
#include <cstdio>

namespace blackout {

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

namespace {

bool TakeInt(std::string_view& s, size_t digits, int64_t* out) {
  if (s.size() < digits) return false;
  for (size_t i = 0; i < digits; ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  std::from_chars(s.data(), s.data() + digits, *out);
  s.remove_prefix(digits);
  return true;
}

bool TakeChar(std::string_view& s, char c) {
  if (s.empty() || s[0] != c) return false;
  s.remove_prefix(1);
  return true;
}

unsigned DaysInMonth(int64_t y, int64_t m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

Result<UnixSeconds> ParseTime(std::string_view text) {
  auto bad = [&](const char* why) {
    return InvalidArgument("bad time '" + std::string(text) + "': " + why +
                           " (use ISO 8601 UTC like 2022-01-05T10:30:00Z, or Unix seconds)");
  };
  if (text.empty()) return bad("empty");
  bool all_digits = true;
  for (char c : text) all_digits &= std::isdigit(static_cast<unsigned char>(c)) != 0;
  if (all_digits) {
    if (text.size() == 8) {
      // "20220105" is ambiguous; treat 8 digits as a compact date, as bgpdump-style names use.
    } else {
      int64_t v = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc()) return bad("out of range");
      return v;
    }
  }
  std::string_view s = text;
  int64_t y, mo, d, h = 0, mi = 0, se = 0;
  if (!TakeInt(s, 4, &y)) return bad("expected a 4-digit year");
  bool dashed = TakeChar(s, '-');
  if (!TakeInt(s, 2, &mo)) return bad("expected a 2-digit month");
  if (dashed && !TakeChar(s, '-')) return bad("expected '-'");
  if (!TakeInt(s, 2, &d)) return bad("expected a 2-digit day");
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo)) return bad("no such date");
  int64_t offset = 0;
  if (!s.empty() && (s[0] == 'T' || s[0] == 't' || s[0] == ' ')) {
    s.remove_prefix(1);
    if (!TakeInt(s, 2, &h)) return bad("expected a 2-digit hour");
    bool colon = TakeChar(s, ':');
    if (!TakeInt(s, 2, &mi)) return bad("expected 2-digit minutes");
    if (!s.empty() && (s[0] == ':' || std::isdigit(static_cast<unsigned char>(s[0])))) {
      if (colon && !TakeChar(s, ':')) return bad("expected ':'");
      if (!TakeInt(s, 2, &se)) return bad("expected 2-digit seconds");
      if (TakeChar(s, '.') || TakeChar(s, ',')) {
        while (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0]))) s.remove_prefix(1);
      }
    }
    if (h > 24 || mi > 59 || se > 60) return bad("no such time of day");
    if (TakeChar(s, 'Z') || TakeChar(s, 'z')) {
    } else if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
      int sign = s[0] == '-' ? -1 : 1;
      s.remove_prefix(1);
      int64_t oh = 0, om = 0;
      if (!TakeInt(s, 2, &oh)) return bad("bad UTC offset");
      TakeChar(s, ':');
      if (!s.empty()) TakeInt(s, 2, &om);
      offset = sign * (oh * 3600 + om * 60);
    }
  } else if (TakeChar(s, 'Z')) {
  }
  if (!s.empty()) return bad("unexpected trailing text");
  return DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 +
         mi * 60 + se - offset;
}

static void Split(UnixSeconds t, int64_t* y, unsigned* mo, unsigned* d, int* h, int* mi, int* s) {
  int64_t days = t / 86400, rem = t % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  CivilFromDays(days, y, mo, d);
  *h = static_cast<int>(rem / 3600);
  *mi = static_cast<int>(rem / 60 % 60);
  *s = static_cast<int>(rem % 60);
}

std::string FormatIso8601(UnixSeconds t) {
  int64_t y;
  unsigned mo, d;
  int h, mi, s;
  Split(t, &y, &mo, &d, &h, &mi, &s);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), mo,
                d, h, mi, s);
  return buf;
}

std::string FormatDateTime(UnixSeconds t) {
  int64_t y;
  unsigned mo, d;
  int h, mi, s;
  Split(t, &y, &mo, &d, &h, &mi, &s);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u %02d:%02d:%02d", static_cast<long long>(y), mo,
                d, h, mi, s);
  return buf;
}

}  // namespace blackout
