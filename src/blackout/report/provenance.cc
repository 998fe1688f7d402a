// Provenance from the store's ledger and state, and its wording.
#include "blackout/report/provenance.h"

#include <algorithm>
#include <map>
#include <set>

#include "blackout/store/store.h"

namespace blackout::report {
namespace {

// "a, b and c"
std::string JoinAnd(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
  }
  return out;
}

// At most `max` names, then "and N more".
std::vector<std::string> Few(const std::vector<std::string>& names, size_t max) {
  if (names.size() <= max) return names;
  std::vector<std::string> out(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(max));
  out.push_back(std::to_string(names.size() - max) + " more");
  return out;
}

// Who runs a BGP collector, from its name (the RIS and RouteViews naming schemes, bgp/archive.h).
std::string CollectorOperator(std::string_view name) {
  if (name.rfind("rrc", 0) == 0) return "RIPE RIS";
  if (name.rfind("route-views", 0) == 0) return "RouteViews";
  return "";
}

std::string Files(int64_t n) { return std::to_string(n) + (n == 1 ? " file" : " files"); }

std::string BaseName(std::string_view path) {
  auto slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// The geo attribution's lines joined into one sentence-like run.
std::string GeoRun(const std::string& geo) {
  std::string out;
  size_t pos = 0;
  while (pos < geo.size()) {
    size_t nl = geo.find('\n', pos);
    if (nl == std::string::npos) nl = geo.size();
    std::string line = geo.substr(pos, nl - pos);
    if (!line.empty()) out += (out.empty() ? "" : "; ") + line;
    pos = nl + 1;
  }
  return out;
}

// "BGP routing data from route collectors rrc04 (RIPE RIS) and route-views2 (RouteViews)"
std::string Describe(const SourceUse& s, bool simulation, bool counts) {
  std::vector<std::string> names;
  for (const std::string& n : Few(s.names, 6)) {
    std::string op = simulation ? "" : CollectorOperator(n);
    names.push_back(s.kind == "bgp" && !op.empty() ? n + " (" + op + ")" : n);
  }
  const std::string sim = simulation ? "simulated " : "";
  const std::string list = JoinAnd(names);
  const bool many = s.names.size() != 1;
  // "route collectors a and b"; just "route collectors" when no name is known.
  auto named = [&](const std::string& noun) {
    return list.empty() ? noun + "s" : noun + (many ? "s " : " ") + list;
  };
  std::string out;
  if (s.kind == "bgp") {
    out = "BGP routing data from " + sim + named("route collector");
  } else if (s.kind == "probe") {
    out = "active probing by blackout's prober from " + sim + named("vantage point");
  } else if (s.kind == "traffic") {
    out = "unique clients in " + sim + named("web-server log");
  } else if (s.kind == "darknet") {
    out = "unique sources in " + sim + named("network-telescope capture");
  } else {
    out = "imported series " + (list.empty() ? std::string("files") : list);
  }
  if (counts && s.inputs > 0) out += " (" + Files(s.inputs) + ")";
  return out;
}

}  // namespace

bool IsSimulationNotice(std::string_view notice) {
  return notice.find(kSimulationMark) != std::string_view::npos;
}

Provenance Provenance::ForSignals(const std::vector<std::string>& signals) const {
  Provenance p = *this;
  p.sources.clear();
  std::set<std::string> have(signals.begin(), signals.end());
  for (const SourceUse& s : sources) {
    if (s.signal.empty() || have.count(s.signal)) p.sources.push_back(s);
  }
  return p;
}

std::string Provenance::Attribution() const {
  std::string out;
  if (simulation) {
    std::string n = notice;
    while (!n.empty() && (n.back() == '.' || n.back() == ' ')) n.pop_back();
    out = n.rfind(kSimulationMark, 0) == 0 ? n + ". "
                                           : std::string(kSimulationMark) + ": " + n + ". ";
  }
  std::vector<std::string> parts;
  for (const SourceUse& s : sources) parts.push_back(Describe(s, simulation, true));
  if (parts.empty()) {
    out += "Sources: none recorded in the store's ingest ledger";
  } else {
    out += "Sources: ";
    std::string joined;
    for (size_t i = 0; i < parts.size(); ++i) joined += (i ? "; " : "") + parts[i];
    out += joined;
  }
  out += ". ";
  if (!geo.empty()) out += "Geolocation: " + GeoRun(geo) + ". ";
  out += "Detection by blackout.";
  return out;
}

std::string Provenance::ShortAttribution() const {
  std::vector<std::string> parts;
  for (const SourceUse& s : sources) {
    if (s.kind == "bgp") {
      std::set<std::string> ops;
      for (const auto& n : s.names) {
        std::string op = simulation ? "" : CollectorOperator(n);
        ops.insert(op.empty() ? "BGP collectors" : op);
      }
      std::vector<std::string> v(ops.begin(), ops.end());
      parts.push_back((simulation ? "simulated " : "") + JoinAnd(v));
    } else if (s.kind == "probe") {
      parts.push_back(std::string(simulation ? "simulated " : "") + "blackout probing");
    } else if (s.kind == "traffic") {
      parts.push_back(std::string(simulation ? "simulated " : "") + "web-server logs");
    } else if (s.kind == "darknet") {
      parts.push_back(std::string(simulation ? "simulated " : "") + "network telescope");
    } else {
      parts.push_back("imported series");
    }
  }
  std::string out = std::string(simulation ? "SIMULATION, synthetic data. " : "") +
                    "Data: " + (parts.empty() ? std::string("no recorded source") : JoinAnd(parts));
  if (geo.find("DB-IP") != std::string::npos) out += "; geolocation DB-IP (CC BY 4.0)";
  return out + ".";
}

Result<Provenance> ReadProvenance(store::Store& st) {
  Provenance p;
  if (auto n = st.GetState(kNoticeStateKey); n.ok()) {
    p.notice = *n;
    p.simulation = IsSimulationNotice(p.notice);
  } else if (n.status().code() != StatusCode::kNotFound) {
    return n.status();
  }
  if (auto g = st.GetState(kGeoStateKey); g.ok()) {
    p.geo = *g;
  } else if (g.status().code() != StatusCode::kNotFound) {
    return g.status();
  }
  BLACKOUT_ASSIGN_OR_RETURN(auto ingests, st.ListIngests({}));
  // kind -> (names, inputs), in the order bgp, probe, traffic, darknet, import.
  std::map<std::string, std::pair<std::set<std::string>, int64_t>> kinds;
  for (const store::IngestRecord& r : ingests) {
    auto colon = r.input.find(':');
    if (colon == std::string::npos) continue;
    std::string kind = r.input.substr(0, colon);
    std::string rest = r.input.substr(colon + 1);
    if (kind.rfind("darknet[", 0) == 0) kind = "darknet";  // "darknet[SOURCE]:PATH"
    auto& [names, count] = kinds[kind];
    ++count;
    if (kind == "bgp") {
      names.insert(rest.substr(0, rest.find('/')));  // "bgp:COLLECTOR/FILE"
    } else if (kind == "darknet" && rest.rfind("if:", 0) == 0) {
      names.insert(rest.substr(0, rest.rfind(':')));  // "darknet:if:NAME:BIN", one per bin
    } else if (kind != "probe") {
      names.insert(BaseName(rest));
    }
  }
  if (kinds.count("probe")) {
    store::SeriesFilter f;
    f.signal = "probe";
    BLACKOUT_ASSIGN_OR_RETURN(auto infos, st.ListSeries(f));
    for (const auto& info : infos) {
      if (!info.key.source.empty()) kinds["probe"].first.insert(info.key.source);
    }
  }
  for (const char* kind : {"bgp", "probe", "traffic", "darknet", "import"}) {
    auto it = kinds.find(kind);
    if (it == kinds.end()) continue;
    SourceUse s;
    s.kind = kind;
    s.signal = s.kind == "import" ? "" : s.kind;
    s.names.assign(it->second.first.begin(), it->second.first.end());
    s.inputs = it->second.second;
    p.sources.push_back(std::move(s));
  }
  return p;
}

}  // namespace blackout::report
