#include "blackout/sim/ooni.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <tuple>

#include "blackout/sim/simulate.h"

namespace blackout::sim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int64_t kHour = 3600;
const char* const kTests[] = {"telegram", "whatsapp", "signal", "facebook_messenger"};

// When messaging apps start being blocked on network n: two days before the first truth event
// that covers it (mobile networks only), staggered by 16 h per network; 0 = never.
UnixSeconds BlockingOnset(const Scenario& s, size_t n, size_t mobile_index, UnixSeconds* until) {
  if (s.networks[n].kind != "mobile") return 0;
  UnixSeconds first = 0;
  for (const TruthEvent& e : s.truth) {
    if (e.observed || !e.Covers(s.networks[n])) continue;
    if (first == 0 || e.start < first) {
      first = e.start;
      *until = e.end;
    }
  }
  if (first == 0) return 0;
  return first - 2 * 86400 + static_cast<int64_t>(mobile_index % 3) * 16 * kHour;
}

json TestKeys(const std::string& test, bool blocked, bool cut) {
  if (cut) return json{{"failure", "generic_timeout_error"}};  // the network itself is down
  if (test == "telegram") {
    return json{{"telegram_tcp_blocking", blocked},
                {"telegram_http_blocking", blocked},
                {"telegram_web_status", blocked ? "blocked" : "ok"},
                {"telegram_web_failure", blocked ? json("generic_timeout_error") : json(nullptr)},
                {"failure", nullptr}};
  }
  if (test == "whatsapp") {
    return json{{"whatsapp_endpoints_status", blocked ? "blocked" : "ok"},
                {"whatsapp_endpoints_blocked", json::array()},
                {"whatsapp_endpoints_dns_inconsistent", json::array()},
                {"registration_server_status", blocked ? "blocked" : "ok"},
                {"registration_server_failure", blocked ? json("connection_reset") : json(nullptr)},
                {"whatsapp_web_status", "ok"},
                {"whatsapp_web_failure", nullptr},
                {"failure", nullptr}};
  }
  if (test == "signal") {
    return json{{"signal_backend_status", blocked ? "blocked" : "ok"},
                {"signal_backend_failure", blocked ? json("connection_reset") : json(nullptr)},
                {"failure", nullptr}};
  }
  return json{{"facebook_tcp_blocking", false}, {"facebook_dns_blocking", false}};
}

std::string Stamp(UnixSeconds t, bool compact) {
  std::string iso = FormatIso8601(t);  // 2022-01-04T10:00:00Z
  if (!compact) return iso.substr(0, 10) + " " + iso.substr(11, 8);
  return iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2) + "T" + iso.substr(11, 2) +
         iso.substr(14, 2) + iso.substr(17, 2) + "Z";
}

json Measurement(const Scenario& s, const Network& net, const std::string& test, UnixSeconds t,
                 bool blocked, bool cut, uint64_t serial) {
  const std::string asn = std::to_string(net.asn);
  return json{{"annotations", {{"engine_name", "blackout-sim"}, {"note", "SIMULATION: " + s.name}}},
              {"data_format_version", "0.2.0"},
              {"input", nullptr},
              {"measurement_start_time", Stamp(t, false)},
              {"probe_asn", "AS" + asn},
              {"probe_cc", net.country},
              {"probe_ip", "127.0.0.1"},
              {"probe_network_name", net.name},
              {"report_id", Stamp(t, true) + "_" + test + "_" + net.country + "_" + asn +
                                "_n1_sim" + std::to_string(serial)},
              {"software_name", "ooniprobe-android"},
              {"software_version", "3.5.1"},
              {"test_name", test},
              {"test_runtime", 1.5},
              {"test_start_time", Stamp(t, false)},
              {"test_version", test == "facebook_messenger" ? "0.2.0" : "0.1.0"},
              {"test_keys", TestKeys(test, blocked, cut)}};
}

}  // namespace

Result<OoniOutput> WriteOoni(const Scenario& s, const fs::path& outdir) {
  std::mt19937_64 rng(s.seed ^ 0x6f6f6e69ULL);
  std::uniform_real_distribution<double> u(0, 1);
  // (upload hour, country, test) -> lines
  std::map<std::tuple<UnixSeconds, std::string, std::string>, std::string> files;
  OoniOutput out;
  uint64_t serial = 0;
  size_t mobile = 0;
  for (size_t n = 0; n < s.networks.size(); ++n) {
    const Network& net = s.networks[n];
    if (net.kind != "mobile" && net.kind != "fixed") continue;
    UnixSeconds block_until = 0;
    const UnixSeconds onset = BlockingOnset(s, n, mobile, &block_until);
    if (net.kind == "mobile") ++mobile;
    std::vector<std::pair<std::string, std::string>> queued;  // (test, line) run while cut
    for (UnixSeconds h = BinStart(s.start, kHour); h < s.end; h += kHour) {
      const double level = NetworkLevel(s, n, h + kHour / 2);
      const bool up = level >= 0.5;
      if (up && !queued.empty()) {  // back online: the queue goes out now, or was lost
        for (auto& [test, line] : queued) files[{h, net.country, test}] += line;
        queued.clear();
      }
      // Volunteers' app runs: about one run of each test per network every 2-3 hours by day.
      const int local = static_cast<int>(((h / kHour) + s.utc_offset_hours) % 24);
      const double p = (net.kind == "mobile" ? 0.5 : 0.35) * (local >= 8 && local < 23 ? 1 : 0.4);
      for (const char* test : kTests) {
        if (u(rng) >= p) continue;
        if (!up && u(rng) >= 0.2) continue;  // the probe could not run at all
        const UnixSeconds t = h + static_cast<int64_t>(u(rng) * (kHour - 1));
        const bool app = std::string(test) != "facebook_messenger";
        const bool blocked = up && app && onset != 0 && t >= onset && t < block_until
                                 ? u(rng) < 0.9  // a few get through (or time out elsewhere)
                                 : up && u(rng) < 0.02;  // the tests' false positives
        std::string line = Measurement(s, net, test, t, blocked, !up, ++serial).dump() + "\n";
        if (up) {
          files[{h, net.country, test}] += line;
        } else if (u(rng) < 0.6) {
          queued.emplace_back(test, std::move(line));
        } else {
          ++out.lost;  // the app was closed, the phone reset: never uploaded
        }
      }
    }
    out.lost += queued.size();
  }
  for (const auto& [key, lines] : files) {
    const auto& [upload, cc, test] = key;
    const std::string day = Stamp(upload, true).substr(0, 8);
    const std::string hour = Stamp(upload, true).substr(9, 2);
    fs::path dir = outdir / "ooni" / "raw" / day / hour / cc / test;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return IoError("cannot create " + dir.string() + ": " + ec.message());
    fs::path file = dir / (day + hour + "_" + cc + "_" + test + ".n1.0.jsonl.gz");
    gzFile f = gzopen(file.c_str(), "wb");
    if (f == nullptr) return IoError("cannot write " + file.string());
    int wrote = gzwrite(f, lines.data(), static_cast<unsigned>(lines.size()));
    if (gzclose(f) != Z_OK || wrote != static_cast<int>(lines.size())) {
      return IoError("write failed: " + file.string());
    }
    ++out.files;
    for (char c : lines) out.measurements += c == '\n';
  }
  return out;
}

}  // namespace blackout::sim
