#include "blackout/ooni/series.h"

#include <charconv>

#include "blackout/base/text.h"

namespace blackout::ooni {
namespace {

constexpr std::array<std::string_view, 6> kMethodKeys = {"",    "dns",  "tcp-ip",
                                                         "tls", "http", "unspecified"};

bool ParseInt(std::string_view s, int64_t* v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::string_view MethodKey(Method m) { return kMethodKeys[static_cast<size_t>(m)]; }

Method ParseMethodKey(std::string_view key) {
  for (size_t i = 1; i < kMethodKeys.size(); ++i) {
    if (kMethodKeys[i] == key) return static_cast<Method>(i);
  }
  return Method::kNone;
}

Cell& Cell::operator+=(const Cell& o) {
  measured += o.measured;
  blocked += o.blocked;
  failed += o.failed;
  for (size_t i = 0; i < by_method.size(); ++i) by_method[i] += o.by_method[i];
  return *this;
}

Cell& Cell::operator-=(const Cell& o) {
  measured -= o.measured;
  blocked -= o.blocked;
  failed -= o.failed;
  for (size_t i = 0; i < by_method.size(); ++i) by_method[i] -= o.by_method[i];
  return *this;
}

std::vector<std::string> EntitiesOf(const Measurement& m, const EntityOptions& options) {
  std::vector<std::string> out;
  // OONI writes "ZZ" and "AS0" when the probe could not (or chose not to) tell its country or
  // network: such a measurement counts for what is known only.
  const bool country = m.probe_cc != "ZZ";
  if (country) out.push_back("country/" + m.probe_cc);
  if (m.probe_asn != 0) {
    std::string asn = std::to_string(m.probe_asn);
    if (options.asn) out.push_back("asn/" + asn);
    if (options.geoasn && country) out.push_back("geoasn/" + m.probe_cc + "-" + asn);
  }
  return out;
}

void AddMeasurement(const Measurement& m, int64_t step, const EntityOptions& options,
                    CellMap* cells) {
  if (m.verdict.outcome == Outcome::kUnknown || m.app.empty()) return;
  Cell c;
  c.measured = 1;
  if (m.verdict.outcome == Outcome::kBlocked) {
    c.blocked = 1;
    c.by_method[static_cast<size_t>(m.verdict.method)] = 1;
  }
  if (m.verdict.outcome == Outcome::kFailed) c.failed = 1;
  UnixSeconds bin = BinStart(m.start, step);
  for (std::string& e : EntitiesOf(m, options)) {
    (*cells)[CellKey{std::move(e), m.app, bin}] += c;
  }
}

std::string SerializeCells(const CellMap& cells) {
  std::string out;
  for (const auto& [k, c] : cells) {
    out += k.entity + ' ' + k.app + ' ' + std::to_string(k.bin) + ' ' + std::to_string(c.measured) +
           ' ' + std::to_string(c.blocked) + ' ' + std::to_string(c.failed);
    for (size_t i = 1; i < c.by_method.size(); ++i) out += ' ' + std::to_string(c.by_method[i]);
    out += '\n';
  }
  return out;
}

Result<CellMap> ParseCells(std::string_view text) {
  CellMap out;
  LineReader lines(text);
  std::string_view line;
  uint64_t line_no = 0;
  while (lines.Next(&line, &line_no)) {
    std::vector<std::string_view> f;
    while (!line.empty()) {
      size_t sp = line.find(' ');
      f.push_back(line.substr(0, sp));
      line.remove_prefix(sp == std::string_view::npos ? line.size() : sp + 1);
    }
    CellKey k;
    Cell c;
    bool ok = f.size() == 11 && ParseInt(f[2], &k.bin) && ParseInt(f[3], &c.measured) &&
              ParseInt(f[4], &c.blocked) && ParseInt(f[5], &c.failed);
    for (size_t i = 1; ok && i < c.by_method.size(); ++i) ok = ParseInt(f[5 + i], &c.by_method[i]);
    if (!ok) return DataLoss("ooni cell state line " + std::to_string(line_no) + " is malformed");
    k.entity = f[0];
    k.app = f[1];
    out[k] += c;
  }
  return out;
}

SeriesValues ToSeriesValues(const CellMap& cells) {
  SeriesValues out;
  auto add = [&out](std::string_view entity, std::string_view signal, std::string source,
                    UnixSeconds bin, double v) {
    store::SeriesKey key{std::string(entity), std::string(signal), std::move(source)};
    out[{std::move(key), bin}] += v;
  };
  for (const auto& [k, c] : cells) {
    add(k.entity, kSignalAppBlocking, k.app, k.bin, static_cast<double>(c.blocked));
    add(k.entity, kSignalAppBlocking, "", k.bin, static_cast<double>(c.blocked));
    add(k.entity, kSignalAppMeasurements, k.app, k.bin, static_cast<double>(c.measured));
    add(k.entity, kSignalAppFailed, k.app, k.bin, static_cast<double>(c.failed));
    for (size_t i = 1; i < c.by_method.size(); ++i) {
      if (c.by_method[i] == 0) continue;
      add(k.entity, kSignalAppBlockedBy, k.app + ":" + std::string(kMethodKeys[i]), k.bin,
          static_cast<double>(c.by_method[i]));
    }
  }
  return out;
}

}  // namespace blackout::ooni
