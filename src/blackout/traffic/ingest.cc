#include "blackout/traffic/ingest.h"

#include <filesystem>
#include <unordered_map>
#include <unordered_set>

#include "blackout/geo/geodb.h"
#include "blackout/store/store.h"
#include "blackout/traffic/access_log.h"

namespace blackout::traffic {
namespace {

uint64_t AddressKey(const IpAddress& a) {
  if (a.is_v4()) return a.v4();
  // IPv6 clients: one key per /64, like the geo module resolves them.
  return (a.v6_high() * 0x9e3779b97f4a7c15ULL) | (uint64_t{1} << 63);
}

}  // namespace

Attributor GeoAttributor(const geo::GeoDb& db) {
  return [&db](const IpAddress& a, std::vector<std::string>* out) {
    geo::Attribution at = db.Lookup(a);
    if (at.country) out->push_back(geo::FormatEntity(at.country_id()));
    if (at.region) out->push_back(geo::FormatEntity(at.region_id()));
    if (at.asn) out->push_back(geo::FormatEntity(at.asn_id()));
  };
}

Result<TrafficCounts> CountLog(const std::string& path, const Attributor& attribute,
                               const TrafficOptions& options, TrafficSummary* summary) {
  BLACKOUT_ASSIGN_OR_RETURN(auto in, InputStream::Open(path));
  TrafficCounts out;
  // entity -> bin -> distinct client keys
  std::unordered_map<std::string, std::unordered_map<UnixSeconds, std::unordered_set<uint64_t>>>
      seen;
  std::unordered_map<uint64_t, std::vector<std::string>> entity_cache;
  std::unordered_set<uint64_t> all_clients;
  std::vector<std::string> ents;
  auto on_line = [&](const LogLine& l) {
    uint64_t key = AddressKey(l.client);
    all_clients.insert(key);
    auto it = entity_cache.find(key);
    if (it == entity_cache.end()) {
      ents.clear();
      attribute(l.client, &ents);
      it = entity_cache.emplace(key, ents).first;
    }
    UnixSeconds bin = BinStart(l.time, options.step);
    if (out.first_bin == 0 || bin < out.first_bin) out.first_bin = bin;
    if (bin > out.last_bin) out.last_bin = bin;
    for (const std::string& e : it->second) seen[e][bin].insert(key);
  };
  auto on_problem = [&](const Status& st) {
    if (summary && summary->problem_texts.size() < options.max_problems_kept) {
      summary->problem_texts.push_back(st.ToString());
    }
  };
  auto stats = ReadLog(*in, on_line, on_problem);
  if (summary && stats.ok()) {
    summary->lines = stats->lines;
    summary->good = stats->good;
    summary->malformed = stats->malformed;
  }
  if (!stats.ok()) return stats.status();
  for (auto& [entity, bins] : seen) {
    auto& dst = out.counts[entity];
    for (UnixSeconds b = out.first_bin; b <= out.last_bin; b += options.step) dst[b] = 0;
    for (auto& [bin, clients] : bins) dst[bin] = static_cast<int64_t>(clients.size());
  }
  out.clients = all_clients.size();
  if (summary) {
    summary->clients = out.clients;
    summary->first_bin = out.first_bin;
    summary->last_bin = out.last_bin;
  }
  return out;
}

Result<TrafficSummary> IngestLog(const std::string& path, const Attributor& attribute,
                                 store::Store& store, const TrafficOptions& options) {
  TrafficSummary summary;
  std::error_code ec;
  std::string key = "traffic:" + std::filesystem::absolute(path, ec).string();
  BLACKOUT_ASSIGN_OR_RETURN(store::Store::FileCheck check, store.CheckFile(key, path));
  if (check.unchanged) {
    summary.unchanged = true;
    return summary;
  }
  const std::string& hash = check.hash;
  BLACKOUT_ASSIGN_OR_RETURN(TrafficCounts counts, CountLog(path, attribute, options, &summary));
  store::WriteBatch batch;
  batch.SetInput(key, hash,
                 summary.malformed ? store::IngestState::kPartial : store::IngestState::kComplete,
                 summary.malformed ? std::to_string(summary.malformed) + " malformed lines" : "");
  for (const auto& [entity, bins] : counts.counts) {
    store::SeriesKey sk{entity, std::string(store::kSignalTraffic), options.source};
    std::vector<store::Point> points;
    points.reserve(bins.size());
    for (const auto& [bin, n] : bins) points.push_back({bin, static_cast<double>(n)});
    summary.points += points.size();
    batch.AddPoints(sk, points, options.step);
  }
  BLACKOUT_ASSIGN_OR_RETURN(auto outcome, store.Apply(batch));
  summary.unchanged = outcome == store::ApplyOutcome::kAlreadyApplied;
  return summary;
}

}  // namespace blackout::traffic
