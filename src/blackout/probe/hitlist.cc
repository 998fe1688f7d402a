#include "blackout/probe/hitlist.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace blackout::probe {

unsigned OctetSet::Nth(unsigned k) const {
  for (unsigned w = 0; w < 4; ++w) {
    unsigned c = std::popcount(words[w]);
    if (k < c) {
      uint64_t x = words[w];
      for (unsigned i = 0; i < k; ++i) x &= x - 1;  // drop the k lowest set bits
      return w * 64 + std::countr_zero(x);
    }
    k -= c;
  }
  return 0;
}

void AppendBlock(std::string& out, uint32_t base) {
  char buf[24];
  int n = std::snprintf(buf, sizeof buf, "%u.%u.%u.0/24", base >> 24, (base >> 16) & 255,
                        (base >> 8) & 255);
  out.append(buf, static_cast<size_t>(n));
}

std::string FormatBlock(uint32_t base) {
  std::string s;
  AppendBlock(s, base);
  return s;
}

std::string FormatOctets(const OctetSet& set) {
  std::string out;
  int o = 0;
  while (o < 256) {
    if (!set.Has(o)) {
      ++o;
      continue;
    }
    int hi = o;
    while (hi + 1 < 256 && set.Has(hi + 1)) ++hi;
    if (!out.empty()) out += ',';
    out += std::to_string(o);
    if (hi > o) out += '-' + std::to_string(hi);
    o = hi + 1;
  }
  return out;
}

namespace {

bool ParseUint(std::string_view s, unsigned max, unsigned* v) {
  if (s.empty() || s.size() > 3) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size() && *v <= max;
}

// "a.b.c.0/24" -> base.
bool ParseBlock(std::string_view s, uint32_t* base) {
  if (s.size() < 3 || s.substr(s.size() - 3) != "/24") return false;
  s.remove_suffix(3);
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    size_t dot = i < 3 ? s.find('.') : s.size();
    if (dot == std::string_view::npos) return false;
    unsigned part;
    if (!ParseUint(s.substr(0, dot), 255, &part)) return false;
    v = v << 8 | part;
    s.remove_prefix(i < 3 ? dot + 1 : dot);
  }
  if ((v & 255) != 0) return false;
  *base = v;
  return true;
}

bool ParseOctets(std::string_view s, OctetSet* set) {
  if (s.empty()) return false;
  int last = -1;
  while (!s.empty()) {
    size_t comma = s.find(',');
    std::string_view item = s.substr(0, comma);
    s.remove_prefix(comma == std::string_view::npos ? s.size() : comma + 1);
    if (comma != std::string_view::npos && s.empty()) return false;  // trailing comma
    size_t dash = item.find('-');
    unsigned lo, hi;
    if (dash == std::string_view::npos) {
      if (!ParseUint(item, 255, &lo)) return false;
      hi = lo;
    } else if (!ParseUint(item.substr(0, dash), 255, &lo) ||
               !ParseUint(item.substr(dash + 1), 255, &hi) || hi <= lo) {
      return false;
    }
    if (static_cast<int>(lo) <= last) return false;  // not ascending or overlapping
    for (unsigned o = lo; o <= hi; ++o) set->Add(o);
    last = static_cast<int>(hi);
  }
  return true;
}

bool ParseAvailability(std::string_view s, float* a) {
  // [01].dddd exactly as written; accept any number of decimals for robustness of hand edits.
  if (s.empty() || s.size() > 16) return false;
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !(v >= 0.0 && v <= 1.0)) return false;
  *a = static_cast<float>(v);
  return true;
}

}  // namespace

Result<Hitlist> ParseHitlist(std::string_view text, std::string_view name) {
  Hitlist h;
  uint64_t line_no = 0;
  bool header = false;
  auto fail = [&](std::string what) {
    return Status(StatusCode::kDataLoss, "hitlist: " + what,
                  {.file = std::string(name), .line = line_no});
  };
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line_no == 1) {
      if (line != kHitlistHeader)
        return fail("first line must be '" + std::string(kHitlistHeader) + "'");
      header = true;
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    size_t t1 = line.find('\t');
    size_t t2 = t1 == std::string_view::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string_view::npos || line.find('\t', t2 + 1) != std::string_view::npos) {
      return fail("expected 3 TAB-separated fields");
    }
    HitlistEntry e;
    if (!ParseBlock(line.substr(0, t1), &e.base)) return fail("bad block (want a.b.c.0/24)");
    if (!ParseAvailability(line.substr(t1 + 1, t2 - t1 - 1), &e.availability)) {
      return fail("bad availability (want a number in [0, 1])");
    }
    if (!ParseOctets(line.substr(t2 + 1), &e.addresses)) {
      return fail("bad octet list (want ascending numbers/ranges in 0..255)");
    }
    if (!h.entries.empty() && h.entries.back().base >= e.base) {
      return fail("blocks must be sorted and unique");
    }
    h.entries.push_back(e);
  }
  if (!header) return fail("empty hitlist (no header)");
  return h;
}

Result<Hitlist> ReadHitlist(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return IoError("cannot open hitlist " + file.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseHitlist(ss.str(), file.string());
}

std::string FormatHitlist(const Hitlist& hitlist) {
  std::string out(kHitlistHeader);
  out += "\n# block\tavailability\tever-responsive last octets\n";
  char buf[16];
  for (const HitlistEntry& e : hitlist.entries) {
    AppendBlock(out, e.base);
    std::snprintf(buf, sizeof buf, "\t%.4f\t", static_cast<double>(e.availability));
    out += buf;
    out += FormatOctets(e.addresses);
    out += '\n';
  }
  return out;
}

Status WriteHitlist(const std::filesystem::path& file, const Hitlist& hitlist) {
  std::filesystem::path tmp = file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return IoError("cannot write " + tmp.string());
    std::string text = FormatHitlist(hitlist);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) return IoError("write failed: " + tmp.string());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) return IoError("cannot rename to " + file.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace blackout::probe
