#include "blackout/sim/simulate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "blackout/sim/mrt_writer.h"
#include "blackout/sim/ooni.h"
#include "blackout/sim/telescope.h"

namespace blackout::sim {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// SplitMix64 finaliser: a keyed hash giving every (seed, purpose, a, b) its own random number, so
// the output does not depend on the order things are generated in.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
uint64_t Hash(uint64_t seed, uint64_t purpose, uint64_t a, uint64_t b = 0) {
  return Mix(Mix(Mix(seed ^ purpose * 0x2545f4914f6cdd1dULL) ^ a) ^ b);
}
double Uniform(uint64_t h) { return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0); }

enum Purpose : uint64_t {
  kWithdraw = 1,
  kFilter,
  kNoise,
  kPhase,
  kChurn,
  kJitter,
  kPool,
  kActive,
  kThrottle,
  kTransit,
  kLines,
  kPath,
  kStatus,
  kAgent,
  kSecond,
};

std::string FileTime(UnixSeconds t) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(t / 86400, &y, &m, &d);
  int64_t s = t % 86400;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld%02u%02u.%02lld%02lld", static_cast<long long>(y), m, d,
                static_cast<long long>(s / 3600), static_cast<long long>(s / 60 % 60));
  return buf;
}

// Apache's %t: [10/Oct/2000:13:55:36 +0000]
std::string LogTime(UnixSeconds t) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t y;
  unsigned m, d;
  CivilFromDays(t / 86400, &y, &m, &d);
  int64_t s = t % 86400;
  char buf[48];
  std::snprintf(buf, sizeof buf, "[%02u/%s/%04lld:%02lld:%02lld:%02lld +0000]", d, kMonths[m - 1],
                static_cast<long long>(y), static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return buf;
}

uint64_t PrefixKey(const Prefix& p) { return uint64_t{p.address().v4()} << 8 | p.length(); }

// Is prefix p of network n announced at time t?
bool PrefixVisible(const Scenario& s, size_t n, const Prefix& p, UnixSeconds t) {
  Technique tech = Technique::kPacketsFiltered;
  double level = NetworkLevel(s, n, t, &tech);
  if (level >= 1 || tech != Technique::kRoutesWithdrawn) return true;
  return Uniform(Hash(s.seed, kWithdraw, PrefixKey(p))) >= 1 - level;
}

// Does address `addr` (in prefix p of network n) answer at time t? `key` identifies the unit
// (a /24 for probing, a client for traffic) so the same units stay dark during a filter.
bool Reachable(const Scenario& s, size_t n, const Prefix& p, uint64_t key, UnixSeconds t) {
  Technique tech = Technique::kPacketsFiltered;
  double level = NetworkLevel(s, n, t, &tech);
  if (level >= 1) return true;
  switch (tech) {
    case Technique::kRoutesWithdrawn:
      return PrefixVisible(s, n, p, t);
    case Technique::kPacketsFiltered:
      return Uniform(Hash(s.seed, kFilter, key)) >= 1 - level;
    case Technique::kThrottling:
      return true;
    case Technique::kUnknown:  // not injectable (ParseTechnique)
    case Technique::kMixed:
      return true;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// BGP

struct Route {
  Prefix prefix;
  size_t network = 0;
};

std::vector<uint32_t> PathFor(const Scenario& s, const Peer& peer, const Network& net,
                              const Prefix& p) {
  std::vector<uint32_t> path = {peer.asn};
  uint32_t transit = s.transit[Hash(s.seed, kTransit, peer.asn, PrefixKey(p)) % s.transit.size()];
  if (transit != peer.asn && transit != net.asn) path.push_back(transit);
  if (net.asn != path.back()) path.push_back(net.asn);
  return path;
}

MrtPeer ToMrt(const Peer& p) { return {p.asn, p.address, p.address}; }

Status WriteRib(const Scenario& s, const Collector& c, const std::vector<Route>& routes,
                UnixSeconds t, const fs::path& file) {
  BLACKOUT_ASSIGN_OR_RETURN(auto w, MrtWriter::Create(file));
  std::vector<MrtPeer> peers;
  for (const Peer& p : c.peers) peers.push_back(ToMrt(p));
  BLACKOUT_RETURN_IF_ERROR(w->PeerIndexTable(t, c.bgp_id, c.name, peers));
  uint32_t seq = 0;
  for (const Route& r : routes) {
    if (!PrefixVisible(s, r.network, r.prefix, t)) continue;
    std::vector<RibEntry> entries;
    for (size_t i = 0; i < c.peers.size(); ++i) {
      RibEntry e;
      e.peer_index = static_cast<uint16_t>(i);
      e.originated = s.start - 86400;
      e.as_path = PathFor(s, c.peers[i], s.networks[r.network], r.prefix);
      e.next_hop = c.peers[i].address;
      entries.push_back(std::move(e));
    }
    BLACKOUT_RETURN_IF_ERROR(w->RibIpv4(t, seq++, r.prefix, entries));
  }
  return w->Close();
}

struct UpdateItem {
  UnixSeconds time;
  size_t peer;
  bool announce;
  size_t route;
  friend bool operator<(const UpdateItem& a, const UpdateItem& b) {
    return std::tie(a.time, a.peer, a.announce, a.route) <
           std::tie(b.time, b.peer, b.announce, b.route);
  }
};

Status WriteBgp(const Scenario& s, const fs::path& outdir, SimulationOutput& out) {
  std::vector<Route> routes;
  std::set<uint64_t> seen;
  for (size_t n = 0; n < s.networks.size(); ++n) {
    for (const Prefix& p : s.networks[n].prefixes) {
      if (seen.insert(PrefixKey(p)).second) routes.push_back({p, n});
    }
  }
  const UnixSeconds first = BinStart(s.start, s.update_interval);
  for (const Collector& c : s.collectors) {
    fs::path dir = outdir / "bgp" / c.name;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return IoError("cannot create " + dir.string() + ": " + ec.message());
    const IpAddress local = c.bgp_id;
    std::vector<bool> visible(routes.size());
    for (size_t r = 0; r < routes.size(); ++r) {
      visible[r] = PrefixVisible(s, routes[r].network, routes[r].prefix, first);
    }
    for (UnixSeconds t = first; t < s.end; t += s.update_interval) {
      if ((t - first) % s.rib_interval == 0) {
        fs::path rib = dir / ("bview." + FileTime(t) + ".gz");
        BLACKOUT_RETURN_IF_ERROR(WriteRib(s, c, routes, t, rib));
        out.rib_files.push_back(rib);
      }
      std::vector<UpdateItem> items;
      // Changes of visibility, sampled every minute, seen by each peer a few seconds apart.
      for (UnixSeconds m = t; m < t + s.update_interval; m += 60) {
        for (size_t r = 0; r < routes.size(); ++r) {
          bool v = PrefixVisible(s, routes[r].network, routes[r].prefix, m + 59);
          if (v == visible[r]) continue;
          visible[r] = v;
          for (size_t p = 0; p < c.peers.size(); ++p) {
            UnixSeconds at =
                m + static_cast<int64_t>(
                        Hash(s.seed, kJitter, PrefixKey(routes[r].prefix), m * 64 + p) % 60);
            items.push_back({at, p, v, r});
          }
        }
      }
      // Churn: re-announcements of visible prefixes (path hunting, MED changes).
      for (size_t r = 0; r < routes.size(); ++r) {
        if (!visible[r]) continue;
        uint64_t h = Hash(s.seed, kChurn, PrefixKey(routes[r].prefix), t);
        if (Uniform(h) >= s.churn) continue;
        size_t p = (h >> 8) % c.peers.size();
        items.push_back({t + static_cast<int64_t>((h >> 20) % s.update_interval), p, true, r});
      }
      std::sort(items.begin(), items.end());
      fs::path upd = dir / ("updates." + FileTime(t) + ".gz");
      BLACKOUT_ASSIGN_OR_RETURN(auto w, MrtWriter::Create(upd));
      for (size_t i = 0; i < items.size();) {
        size_t j = i;
        std::vector<Prefix> withdrawn, announced;
        // One message per (time, peer, kind) group; announcements grouped only for equal paths,
        // which holds here per route, so announce one prefix per message when paths differ.
        while (j < items.size() && items[j].time == items[i].time &&
               items[j].peer == items[i].peer && items[j].announce == items[i].announce) {
          (items[j].announce ? announced : withdrawn).push_back(routes[items[j].route].prefix);
          ++j;
          if (items[i].announce) break;
        }
        const Peer& peer = c.peers[items[i].peer];
        std::vector<uint32_t> path;
        if (!announced.empty()) {
          path = PathFor(s, peer, s.networks[routes[items[i].route].network], announced[0]);
        }
        BLACKOUT_RETURN_IF_ERROR(w->UpdateAs4(items[i].time, ToMrt(peer), 12654, local, withdrawn,
                                              announced, path, peer.address));
        ++out.bgp_messages;
        i = j;
      }
      BLACKOUT_RETURN_IF_ERROR(w->Close());
      out.update_files.push_back(upd);
    }
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Probing (docs/probe.md, records v1)

struct Block {
  uint32_t block;  // address >> 8
  size_t network;
  Prefix prefix;
};

std::vector<Block> ProbeBlocks(const Scenario& s) {
  std::vector<Block> out;
  std::set<uint32_t> seen;
  for (size_t n = 0; n < s.networks.size(); ++n) {
    std::vector<Block> mine;
    for (const Prefix& p : s.networks[n].prefixes) {
      uint32_t first = p.address().v4() >> 8;
      uint32_t count = 1u << (24 - p.length());
      for (uint32_t b = first; b < first + count; ++b) {
        if (seen.insert(b).second) mine.push_back({b, n, p});
      }
    }
    // A deterministic sample when the network is large.
    if (static_cast<int64_t>(mine.size()) > s.max_blocks_per_network) {
      std::sort(mine.begin(), mine.end(), [&](const Block& a, const Block& b) {
        return Hash(s.seed, kPhase, a.block) < Hash(s.seed, kPhase, b.block);
      });
      mine.resize(s.max_blocks_per_network);
    }
    out.insert(out.end(), mine.begin(), mine.end());
  }
  std::sort(out.begin(), out.end(),
            [](const Block& a, const Block& b) { return a.block < b.block; });
  return out;
}

std::string BlockText(uint32_t b) { return IpAddress::V4(b << 8).ToString() + "/24"; }

Status WriteProbe(const Scenario& s, const fs::path& outdir, SimulationOutput& out) {
  fs::path dir = outdir / "probe";
  std::error_code ec;
  fs::create_directories(dir, ec);
  out.probe_records = dir / (s.vantage + ".records");
  std::ofstream f(out.probe_records, std::ios::binary | std::ios::trunc);
  if (!f) return IoError("cannot create " + out.probe_records.string());
  f << "#blackout-probe-records v1\n";
  std::vector<Block> blocks = ProbeBlocks(s);
  // Entities of each block, and the sorted entity list (COUNT lines are in byte order).
  std::vector<std::string> entities = s.Entities();
  std::sort(entities.begin(), entities.end());
  std::map<std::string, size_t> entity_index;
  for (size_t i = 0; i < entities.size(); ++i) entity_index[entities[i]] = i;
  std::vector<std::vector<size_t>> block_entities(blocks.size());
  std::vector<int64_t> eligible(entities.size());
  for (size_t i = 0; i < blocks.size(); ++i) {
    for (const auto& e : s.networks[blocks[i].network].Entities()) {
      block_entities[i].push_back(entity_index[e]);
      ++eligible[entity_index[e]];
    }
  }
  std::vector<bool> up(blocks.size(), true);
  const int64_t secs = s.round_seconds;
  const UnixSeconds first = BinStart(s.start, secs);
  int64_t index = 0;
  std::string buf;
  for (UnixSeconds round = first; round + secs <= s.end; round += secs, ++index) {
    struct Change {
      UnixSeconds at;
      size_t block;
      bool to_up;
    };
    std::vector<Change> changes;
    for (size_t i = 0; i < blocks.size(); ++i) {
      UnixSeconds at = round + static_cast<int64_t>(Hash(s.seed, kPhase, blocks[i].block) %
                                                    static_cast<uint64_t>(secs - 8));
      bool ok = Reachable(s, blocks[i].network, blocks[i].prefix, blocks[i].block, at) &&
                Uniform(Hash(s.seed, kNoise, blocks[i].block, round)) >= s.probe_noise;
      if (ok != up[i]) {
        changes.push_back({at, i, ok});
        up[i] = ok;
      }
    }
    std::sort(changes.begin(), changes.end(), [&](const Change& a, const Change& b) {
      return std::tie(a.at, blocks[a.block].block) < std::tie(b.at, blocks[b.block].block);
    });
    buf.clear();
    const std::string vp = "\t" + s.vantage + "\t";
    for (const Change& c : changes) {
      std::string head = "STATE\t" + std::to_string(round) + vp + BlockText(blocks[c.block].block);
      // Trinocular passes through UNCERTAIN: one probe moves the belief, an adaptive probe settles.
      if (c.to_up) {
        buf += head + "\tDOWN\tUNCERTAIN\t0.8347\t" + std::to_string(c.at) + "\n";
        buf += head + "\tUNCERTAIN\tUP\t0.9900\t" + std::to_string(c.at + 3) + "\n";
      } else {
        buf += head + "\tUP\tUNCERTAIN\t0.3000\t" + std::to_string(c.at) + "\n";
        buf += head + "\tUNCERTAIN\tDOWN\t0.0100\t" + std::to_string(c.at + 3) + "\n";
      }
    }
    std::vector<int64_t> up_count(entities.size());
    int64_t total_up = 0;
    for (size_t i = 0; i < blocks.size(); ++i) {
      if (!up[i]) continue;
      ++total_up;
      for (size_t e : block_entities[i]) ++up_count[e];
    }
    for (size_t e = 0; e < entities.size(); ++e) {
      if (eligible[e] == 0) continue;
      buf += "COUNT\t" + std::to_string(round) + vp + entities[e] + "\t" +
             std::to_string(up_count[e]) + "\t" + std::to_string(eligible[e]) + "\n";
    }
    int64_t n = static_cast<int64_t>(blocks.size());
    int64_t sent = n + 2 * static_cast<int64_t>(changes.size());
    buf += "ROUND\t" + std::to_string(round) + vp + std::to_string(index) + "\t" +
           std::to_string(secs) + "\t" + std::to_string(n) + "\t" + std::to_string(total_up) +
           "\t" + std::to_string(n - total_up) + "\t0\t" + std::to_string(sent) + "\t" +
           std::to_string(total_up) + "\n";
    f << buf;
    ++out.probe_rounds;
  }
  f.close();
  if (!f) return IoError("write failed: " + out.probe_records.string());
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Access log (combined log format)

struct Client {
  IpAddress address;
  size_t network;  // SIZE_MAX = a visitor from elsewhere
  Prefix prefix;
};

Status WriteLogs(const Scenario& s, const fs::path& outdir, SimulationOutput& out) {
  static const char* kPaths[] = {"/",
                                 "/news/",
                                 "/news/2022/01/latest.html",
                                 "/live/",
                                 "/static/app.css",
                                 "/static/app.js",
                                 "/favicon.ico",
                                 "/rss.xml",
                                 "/search?q=almaty"};
  static const char* kAgents[] = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/96.0.4664.110 Safari/537.36",
      "Mozilla/5.0 (Linux; Android 11; SM-A515F) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/96.0.4664.104 Mobile Safari/537.36",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 15_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
      "Gecko) Version/15.2 Mobile/15E148 Safari/604.1",
      "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:95.0) Gecko/20100101 Firefox/95.0"};
  fs::path dir = outdir / "logs";
  std::error_code ec;
  fs::create_directories(dir, ec);
  out.access_log = dir / s.log_name;
  std::ofstream f(out.access_log, std::ios::binary | std::ios::trunc);
  if (!f) return IoError("cannot create " + out.access_log.string());

  // Client pools: a fixed set of addresses per network, a few times the peak, so the same users
  // come back and unique counts behave like real ones.
  double total_share = 0;
  for (const Network& n : s.networks) total_share += n.traffic_share;
  std::vector<std::vector<Client>> pools(s.networks.size() + 1);
  std::vector<double> expected(s.networks.size() + 1);
  auto fill = [&](size_t pool, const std::vector<Prefix>& prefixes, double peak, size_t network) {
    size_t size = static_cast<size_t>(std::ceil(peak * 4)) + 1;
    uint64_t space = 0;
    for (const Prefix& p : prefixes) space += uint64_t{1} << (32 - p.length());
    for (size_t i = 0; i < size && space > 0; ++i) {
      uint64_t h = Hash(s.seed, kPool, pool, i);
      uint64_t k = h % space;
      for (const Prefix& p : prefixes) {
        uint64_t n = uint64_t{1} << (32 - p.length());
        if (k < n) {
          uint32_t addr = p.address().v4() + static_cast<uint32_t>(k);
          if ((addr & 0xff) == 0 || (addr & 0xff) == 255) addr ^= 1;
          pools[pool].push_back({IpAddress::V4(addr), network, p});
          break;
        }
        k -= n;
      }
    }
    expected[pool] = peak;
  };
  for (size_t n = 0; n < s.networks.size(); ++n) {
    fill(n, s.networks[n].prefixes,
         s.clients_per_bin * s.networks[n].traffic_share / std::max(total_share, 1e-9), n);
  }
  if (!s.other_client_prefixes.empty()) {
    fill(s.networks.size(), s.other_client_prefixes, s.other_clients_per_bin, SIZE_MAX);
  }

  const int64_t bin = 300;
  std::vector<std::pair<UnixSeconds, std::string>> lines;
  for (UnixSeconds t = BinStart(s.start, bin); t < s.end; t += bin) {
    double local_hour = std::fmod((t % 86400) / 3600.0 + s.utc_offset_hours + 24, 24);
    // Busiest at 21:00 local, quietest around 09:00.
    double diurnal =
        (1 - s.diurnal_amplitude) +
        s.diurnal_amplitude * (0.5 + 0.5 * std::cos(2 * M_PI * (local_hour - 21) / 24));
    lines.clear();
    for (size_t pool = 0; pool < pools.size(); ++pool) {
      if (pools[pool].empty()) continue;
      double p_active = std::min(1.0, expected[pool] * diurnal / pools[pool].size());
      for (size_t i = 0; i < pools[pool].size(); ++i) {
        const Client& c = pools[pool][i];
        uint64_t h = Hash(s.seed, kActive, pool << 32 | i, t);
        if (Uniform(h) >= p_active) continue;
        UnixSeconds at = t + static_cast<int64_t>((h >> 7) % bin);
        if (c.network != SIZE_MAX) {
          uint64_t key = c.address.v4();
          if (!Reachable(s, c.network, c.prefix, key, at)) continue;
          Technique tech = Technique::kPacketsFiltered;
          double level = NetworkLevel(s, c.network, at, &tech);
          if (level < 1 && tech == Technique::kThrottling &&
              Uniform(Hash(s.seed, kThrottle, key, t)) >= level) {
            continue;
          }
        }
        int requests = 1 + static_cast<int>((h >> 40) % 3);
        for (int r = 0; r < requests; ++r) {
          uint64_t hr = Hash(s.seed, kLines, h, r);
          UnixSeconds when = std::min(at + r * 2, t + bin - 1);
          const char* path = kPaths[hr % std::size(kPaths)];
          int status = (hr >> 16) % 50 == 0 ? 404 : (hr >> 16) % 7 == 0 ? 304 : 200;
          int bytes = status == 304 ? 0 : 300 + static_cast<int>((hr >> 24) % 40000);
          std::string line = c.address.ToString() + " - - " + LogTime(when) + " \"GET " + path +
                             " HTTP/1.1\" " + std::to_string(status) + " " +
                             (bytes ? std::to_string(bytes) : std::string("-")) + " \"" +
                             (r ? "https://" + s.vhost + "/" : std::string("-")) + "\" \"" +
                             kAgents[(h >> 50) % std::size(kAgents)] + "\"";
          lines.emplace_back(when, std::move(line));
        }
      }
    }
    std::stable_sort(lines.begin(), lines.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [when, line] : lines) f << line << '\n';
    out.log_lines += lines.size();
  }
  f.close();
  if (!f) return IoError("write failed: " + out.access_log.string());
  return Status::Ok();
}

}  // namespace

double NetworkLevel(const Scenario& s, size_t n, UnixSeconds t, Technique* technique) {
  double level = 1;
  for (const TruthEvent& e : s.truth) {
    if (e.observed || t < e.start || t >= e.end || !e.Covers(s.networks[n])) continue;
    double l = e.LevelAt(t);
    if (l < level) {
      level = l;
      if (technique) *technique = e.technique;
    }
  }
  return level;
}

std::string TruthJson(const Scenario& s) {
  json events = json::array();
  for (const TruthEvent& e : s.truth) {
    json phases = json::array();
    for (const Phase& p : e.phases) {
      phases.push_back(
          {{"start", p.start}, {"end", p.end}, {"level", p.level}, {"label", p.label}});
    }
    events.push_back({{"id", e.id},
                      {"entities", e.entities},
                      {"exclude", e.exclude},
                      {"start", e.start},
                      {"end", e.end},
                      {"start_iso", FormatIso8601(e.start)},
                      {"end_iso", FormatIso8601(e.end)},
                      {"level", e.level},
                      {"technique", TechniqueName(e.technique)},
                      {"phases", phases},
                      {"observed", e.observed},
                      {"description", e.description}});
  }
  return json{{"scenario", s.name}, {"simulation", true}, {"notice", s.notice}, {"events", events}}
      .dump(2);
}

Result<SimulationOutput> Simulate(const Scenario& s, const fs::path& outdir) {
  std::error_code ec;
  fs::create_directories(outdir, ec);
  if (ec) return IoError("cannot create " + outdir.string() + ": " + ec.message());
  SimulationOutput out;
  BLACKOUT_RETURN_IF_ERROR(WriteBgp(s, outdir, out));
  BLACKOUT_RETURN_IF_ERROR(WriteProbe(s, outdir, out));
  BLACKOUT_RETURN_IF_ERROR(WriteLogs(s, outdir, out));
  BLACKOUT_RETURN_IF_ERROR(WriteTelescope(s, outdir, &out.telescope, &out.telescope_packets));
  BLACKOUT_RETURN_IF_ERROR(WriteOoni(s, outdir).status());  // OONI measurements (sim/ooni.h)
  out.truth = outdir / "truth.json";
  {
    std::ofstream f(out.truth, std::ios::binary | std::ios::trunc);
    f << TruthJson(s) << '\n';
    if (!f) return IoError("write failed: " + out.truth.string());
  }
  out.manifest = outdir / "manifest.json";
  json entities = json::array();
  for (const auto& e : s.Entities()) entities.push_back({{"entity", e}, {"name", s.EntityName(e)}});
  json m = {{"scenario", s.name},
            {"title", s.title},
            {"notice", s.notice},
            {"simulation", true},
            {"seed", s.seed},
            {"start", s.start},
            {"end", s.end},
            {"entities", entities},
            {"bgp_rib_files", out.rib_files.size()},
            {"bgp_update_files", out.update_files.size()},
            {"bgp_messages", out.bgp_messages},
            {"probe_records", fs::relative(out.probe_records, outdir).string()},
            {"probe_rounds", out.probe_rounds},
            {"access_log", fs::relative(out.access_log, outdir).string()},
            {"log_lines", out.log_lines},
            {"telescope", fs::relative(out.telescope, outdir).string()},
            {"telescope_packets", out.telescope_packets},
            {"truth", "truth.json"}};
  std::ofstream f(out.manifest, std::ios::binary | std::ios::trunc);
  f << m.dump(2) << '\n';
  if (!f) return IoError("write failed: " + out.manifest.string());
  return out;
}

}  // namespace blackout::sim
