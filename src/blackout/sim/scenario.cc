#include "blackout/sim/scenario.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace blackout::sim {
namespace {

Status Bad(std::string_view source, const std::string& what) {
  return InvalidArgument(std::string(source) + ": " + what);
}

// v in [0, 1]; false for NaN.
bool InUnit(double v) { return v >= 0 && v <= 1; }

constexpr double kMaxClientsPerBin = 1e6;

// A time value: TOML date-time, or a string ParseTime understands, or Unix seconds.
Result<UnixSeconds> TimeOf(const toml::node* node, std::string_view source,
                           const std::string& key) {
  if (!node) return Bad(source, "missing " + key);
  if (auto s = node->value<std::string>()) {
    auto t = ParseTime(*s);
    if (!t.ok()) return Bad(source, key + ": " + t.status().message());
    return *t;
  }
  if (auto i = node->value<int64_t>()) return *i;
  if (const auto* dt = node->as_date_time()) {
    const toml::date_time& v = dt->get();
    int64_t days = DaysFromCivil(v.date.year, v.date.month, v.date.day);
    int64_t secs = days * 86400 + v.time.hour * 3600 + v.time.minute * 60 + v.time.second;
    if (v.offset) secs -= int64_t{v.offset->minutes} * 60;
    return secs;
  }
  return Bad(source, key + ": expected a time");
}

std::string Str(const toml::table& t, const char* key, std::string fallback = "") {
  return t[key].value<std::string>().value_or(std::move(fallback));
}

Result<std::vector<std::string>> StringList(const toml::node* node, std::string_view source,
                                            const std::string& key) {
  std::vector<std::string> out;
  if (!node) return out;
  if (auto s = node->value<std::string>()) {
    out.push_back(*s);
    return out;
  }
  const auto* arr = node->as_array();
  if (!arr) return Bad(source, key + ": expected a string or a list of strings");
  for (const auto& el : *arr) {
    auto s = el.value<std::string>();
    if (!s) return Bad(source, key + ": expected strings");
    out.push_back(*s);
  }
  return out;
}

Result<std::vector<Prefix>> PrefixList(const toml::node* node, std::string_view source,
                                       const std::string& key) {
  BLACKOUT_ASSIGN_OR_RETURN(auto texts, StringList(node, source, key));
  std::vector<Prefix> out;
  for (const auto& text : texts) {
    auto p = Prefix::Parse(text);
    if (!p.ok()) return Bad(source, key + ": bad prefix '" + text + "'");
    out.push_back(p->Masked());
  }
  return out;
}

}  // namespace

Result<Technique> ParseTechnique(std::string_view name) {
  auto t = store::ParseTechnique(name);
  if (t.ok() && (*t == Technique::kRoutesWithdrawn || *t == Technique::kPacketsFiltered ||
                 *t == Technique::kThrottling)) {
    return *t;
  }
  return InvalidArgument(
      "technique must be routes-withdrawn, packets-filtered or throttling, got '" +
      std::string(name) + "'");
}

std::vector<std::string> Network::Entities() const {
  std::vector<std::string> out = {"country/" + country};
  if (!region.empty()) out.push_back("region/" + region);
  out.push_back("asn/" + std::to_string(asn));
  return out;
}

double TruthEvent::LevelAt(UnixSeconds t) const {
  for (const Phase& p : phases) {
    if (p.start <= t && t < p.end) return p.level;
  }
  return level;
}

bool TruthEvent::Covers(const Network& n) const {
  auto ents = n.Entities();
  auto in = [&](const std::vector<std::string>& list) {
    return std::any_of(list.begin(), list.end(), [&](const std::string& e) {
      return std::find(ents.begin(), ents.end(), e) != ents.end();
    });
  };
  return in(entities) && !in(exclude);
}

std::vector<std::string> Scenario::Entities() const {
  std::set<std::string> all;
  for (const Network& n : networks) {
    for (auto& e : n.Entities()) all.insert(e);
  }
  return {all.begin(), all.end()};
}

std::string Scenario::EntityName(std::string_view entity) const {
  auto it = names.find(std::string(entity));
  if (it != names.end()) return it->second;
  for (const Network& n : networks) {
    if (entity == "asn/" + std::to_string(n.asn) && !n.name.empty()) return n.name;
    if (!n.region.empty() && entity == "region/" + n.region && !n.region_name.empty()) {
      return n.region_name;
    }
  }
  return "";
}

// The [[truth.event]] tables: the outages to inject (and, with observed = true, the effects to
// score) with their phases.
Status ParseTruthEvents(const toml::table& root, std::string_view source,
                        std::vector<TruthEvent>* out) {
  if (const toml::table* truth = root["truth"].as_table()) {
    if (const auto* evs = (*truth)["event"].as_array()) {
      for (const auto& e : *evs) {
        const toml::table* et = e.as_table();
        if (!et) return Bad(source, "[[truth.event]]: expected tables");
        TruthEvent ev;
        ev.id = Str(*et, "id");
        ev.description = Str(*et, "description");
        BLACKOUT_ASSIGN_OR_RETURN(ev.entities,
                                  StringList((*et)["entities"].node(), source, "truth.entities"));
        BLACKOUT_ASSIGN_OR_RETURN(ev.exclude,
                                  StringList((*et)["exclude"].node(), source, "truth.exclude"));
        BLACKOUT_ASSIGN_OR_RETURN(ev.start, TimeOf((*et)["start"].node(), source, "truth.start"));
        BLACKOUT_ASSIGN_OR_RETURN(ev.end, TimeOf((*et)["end"].node(), source, "truth.end"));
        ev.level = (*et)["level"].value<double>().value_or(ev.level);
        if (auto obs = (*et)["observed"]; obs) {
          if (!obs.is_boolean())
            return Bad(source, "truth event '" + ev.id + "': observed is true or false");
          ev.observed = *obs.value<bool>();
        }
        BLACKOUT_ASSIGN_OR_RETURN(ev.technique,
                                  ParseTechnique(Str(*et, "technique", "packets-filtered")));
        if (ev.entities.empty() || ev.end <= ev.start || !InUnit(ev.level)) {
          return Bad(source, "truth event '" + ev.id +
                                 "': needs entities, start < end and level in [0, 1]");
        }
        if (const auto* phases = (*et)["phase"].as_array()) {
          for (const auto& p : *phases) {
            const toml::table* pt = p.as_table();
            if (!pt) return Bad(source, "truth.event.phase: expected tables");
            Phase ph;
            BLACKOUT_ASSIGN_OR_RETURN(ph.start,
                                      TimeOf((*pt)["start"].node(), source, "phase.start"));
            BLACKOUT_ASSIGN_OR_RETURN(ph.end, TimeOf((*pt)["end"].node(), source, "phase.end"));
            ph.level = (*pt)["level"].value<double>().value_or(ev.level);
            ph.label = Str(*pt, "label");
            if (ph.end <= ph.start || ph.start < ev.start || ph.end > ev.end || !InUnit(ph.level)) {
              return Bad(source, "truth event '" + ev.id +
                                     "': phases must lie inside the event, level in [0, 1]");
            }
            ev.phases.push_back(std::move(ph));
          }
        }
        out->push_back(std::move(ev));
      }
    }
  }
  return Status::Ok();
}

Result<Scenario> ParseScenario(std::string_view text, std::string_view source) {
  if (source.empty()) source = "scenario";
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << e.description() << " (line " << e.source().begin.line << ")";
    return Bad(source, msg.str());
  }
  Scenario s;
  const toml::table* head = root["scenario"].as_table();
  if (!head) return Bad(source, "missing [scenario]");
  s.name = Str(*head, "name");
  if (s.name.empty()) return Bad(source, "[scenario] name is required");
  s.title = Str(*head, "title", s.name);
  s.notice = Str(*head, "notice", "SIMULATION: scenario " + s.name + " (simulated data)");
  s.seed = static_cast<uint64_t>((*head)["seed"].value<int64_t>().value_or(1));
  BLACKOUT_ASSIGN_OR_RETURN(s.start, TimeOf((*head)["start"].node(), source, "scenario.start"));
  BLACKOUT_ASSIGN_OR_RETURN(s.end, TimeOf((*head)["end"].node(), source, "scenario.end"));
  if (s.end <= s.start) return Bad(source, "scenario.end must be after scenario.start");
  int64_t span = 0;
  if (__builtin_sub_overflow(s.end, s.start, &span) || span > 100 * 86400) {
    return Bad(source, "scenario longer than 100 days");
  }

  if (const toml::table* bgp = root["bgp"].as_table()) {
    s.update_interval = (*bgp)["update_interval"].value<int64_t>().value_or(s.update_interval);
    s.rib_interval = (*bgp)["rib_interval"].value<int64_t>().value_or(s.rib_interval);
    s.churn = (*bgp)["churn"].value<double>().value_or(s.churn);
    if (const auto* tr = (*bgp)["transit"].as_array()) {
      for (const auto& el : *tr)
        s.transit.push_back(static_cast<uint32_t>(el.value<int64_t>().value_or(0)));
    }
    if (const auto* cols = (*bgp)["collectors"].as_array()) {
      for (const auto& c : *cols) {
        const toml::table* ct = c.as_table();
        if (!ct) return Bad(source, "bgp.collectors: expected tables");
        Collector col;
        col.name = Str(*ct, "name");
        auto id = IpAddress::Parse(Str(*ct, "bgp_id", "198.18.0.1"));
        if (col.name.empty() || !id.ok() || !id->is_v4()) {
          return Bad(source, "bgp.collectors: name and an IPv4 bgp_id are required");
        }
        col.bgp_id = *id;
        if (const auto* peers = (*ct)["peers"].as_array()) {
          for (const auto& p : *peers) {
            const toml::table* pt = p.as_table();
            if (!pt) return Bad(source, "bgp.collectors.peers: expected tables");
            Peer peer;
            peer.asn = static_cast<uint32_t>((*pt)["asn"].value<int64_t>().value_or(0));
            auto addr = IpAddress::Parse(Str(*pt, "address"));
            if (!peer.asn || !addr.ok() || !addr->is_v4()) {
              return Bad(source, "collector " + col.name + ": peers need asn and IPv4 address");
            }
            peer.address = *addr;
            col.peers.push_back(peer);
          }
        }
        if (col.peers.empty()) return Bad(source, "collector " + col.name + " has no peers");
        s.collectors.push_back(std::move(col));
      }
    }
  }
  if (s.update_interval < 60 || s.update_interval > 86400 || s.rib_interval < s.update_interval) {
    return Bad(source, "bgp.update_interval must be 60..86400 s and rib_interval >= it");
  }
  if (s.collectors.empty()) return Bad(source, "at least one [[bgp.collectors]] is required");
  if (s.transit.empty()) s.transit = {1299};

  if (const toml::table* probe = root["probe"].as_table()) {
    s.vantage = Str(*probe, "vantage", s.vantage);
    s.round_seconds = (*probe)["round_seconds"].value<int64_t>().value_or(s.round_seconds);
    s.probe_noise = (*probe)["noise"].value<double>().value_or(s.probe_noise);
    s.max_blocks_per_network =
        (*probe)["max_blocks_per_network"].value<int64_t>().value_or(s.max_blocks_per_network);
  }
  if (s.round_seconds < 10) return Bad(source, "probe.round_seconds must be >= 10");
  if (!InUnit(s.churn) || !InUnit(s.probe_noise)) {
    return Bad(source, "bgp.churn and probe.noise must be in [0, 1]");
  }

  if (const toml::table* tr = root["traffic"].as_table()) {
    s.log_name = Str(*tr, "log_name", s.log_name);
    s.clients_per_bin = (*tr)["clients_per_bin"].value<double>().value_or(s.clients_per_bin);
    s.diurnal_amplitude = (*tr)["diurnal_amplitude"].value<double>().value_or(s.diurnal_amplitude);
    int64_t offset = (*tr)["utc_offset_hours"].value<int64_t>().value_or(s.utc_offset_hours);
    if (offset < -12 || offset > 14) {
      return Bad(source, "traffic.utc_offset_hours must be in [-12, 14]");
    }
    s.utc_offset_hours = static_cast<int>(offset);
    s.vhost = Str(*tr, "vhost", s.vhost);
    BLACKOUT_ASSIGN_OR_RETURN(
        s.other_client_prefixes,
        PrefixList((*tr)["other_client_prefixes"].node(), source, "traffic.other_client_prefixes"));
    s.other_clients_per_bin =
        (*tr)["other_clients_per_bin"].value<double>().value_or(s.other_clients_per_bin);
  }

  if (!(s.clients_per_bin >= 0 && s.clients_per_bin <= kMaxClientsPerBin) ||
      !(s.other_clients_per_bin >= 0 && s.other_clients_per_bin <= kMaxClientsPerBin)) {
    return Bad(source, "traffic.clients_per_bin and other_clients_per_bin must be in [0, 1e6]");
  }
  if (!InUnit(s.diurnal_amplitude))
    return Bad(source, "traffic.diurnal_amplitude must be in [0, 1]");

  if (const toml::table* names = root["names"].as_table()) {
    for (const auto& [k, v] : *names) {
      if (auto str = v.value<std::string>()) s.names[std::string(k.str())] = *str;
    }
  }

  const auto* nets = root["network"].as_array();
  if (!nets || nets->empty()) return Bad(source, "at least one [[network]] is required");
  for (const auto& n : *nets) {
    const toml::table* nt = n.as_table();
    if (!nt) return Bad(source, "[[network]]: expected tables");
    Network net;
    net.asn = static_cast<uint32_t>((*nt)["asn"].value<int64_t>().value_or(0));
    net.name = Str(*nt, "name");
    net.country = Str(*nt, "country");
    net.region = Str(*nt, "region");
    net.region_name = Str(*nt, "region_name");
    net.kind = Str(*nt, "kind");
    net.traffic_share = (*nt)["traffic_share"].value<double>().value_or(1.0);
    BLACKOUT_ASSIGN_OR_RETURN(net.prefixes,
                              PrefixList((*nt)["prefixes"].node(), source, "network.prefixes"));
    if (!(net.traffic_share >= 0 && std::isfinite(net.traffic_share))) {
      return Bad(source, "network " + net.name + ": traffic_share must be a finite number >= 0");
    }
    if (!net.asn || net.country.size() != 2 || net.prefixes.empty()) {
      return Bad(source,
                 "[[network]] needs asn, a two-letter country and prefixes (" + net.name + ")");
    }
    for (const Prefix& p : net.prefixes) {
      if (!p.address().is_v4() || p.length() < 8 || p.length() > 24) {
        return Bad(source, "network " + net.name + ": prefixes must be IPv4 /8../24");
      }
    }
    s.networks.push_back(std::move(net));
  }

  BLACKOUT_RETURN_IF_ERROR(ParseTruthEvents(root, source, &s.truth));
  return s;
}

Result<Scenario> LoadScenario(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read scenario " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseScenario(ss.str(), path.string());
}

}  // namespace blackout::sim
