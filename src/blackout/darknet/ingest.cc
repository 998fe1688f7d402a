#include "blackout/darknet/ingest.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "blackout/store/signals.h"
#include "blackout/store/store.h"

namespace blackout::darknet {
namespace fs = std::filesystem;
namespace {

// State of the bins a file shares with its neighbours: (file key, that file's bin state) pairs.
using EdgeParts = std::vector<std::pair<std::string, std::string>>;

void PutString(std::string& out, std::string_view s) {
  const uint64_t n = s.size();
  for (int b = 0; b < 8; ++b) out.push_back(static_cast<char>(n >> (8 * b)));
  out.append(s);
}

bool GetString(std::string_view* in, std::string* s) {
  if (in->size() < 8) return false;
  uint64_t n = 0;
  for (int b = 0; b < 8; ++b) n |= uint64_t{static_cast<uint8_t>((*in)[b])} << (8 * b);
  in->remove_prefix(8);
  if (n > in->size()) return false;
  s->assign(in->substr(0, n));
  in->remove_prefix(n);
  return true;
}

Result<EdgeParts> ParseEdge(std::string_view in) {
  EdgeParts parts;
  while (!in.empty()) {
    std::string key, blob;
    if (!GetString(&in, &key) || !GetString(&in, &blob)) {
      return DataLoss("darknet bin state is damaged");
    }
    parts.emplace_back(std::move(key), std::move(blob));
  }
  return parts;
}

std::string EdgeKey(const std::string& source, UnixSeconds bin) {
  return "darknet:bin:" + source + ":" + std::to_string(bin);
}

}  // namespace

Result<std::vector<std::string>> ListCaptureFiles(const std::vector<std::string>& inputs) {
  std::vector<std::string> out;
  for (const std::string& input : inputs) {
    std::error_code ec;
    fs::file_status st = fs::status(input, ec);
    if (ec || !fs::exists(st)) return NotFound("no such capture file or folder: " + input);
    if (!fs::is_directory(st)) {
      out.push_back(input);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(input, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (!name.empty() && name[0] == '.') {
        if (it->is_directory()) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file()) found.push_back(it->path().string());
    }
    if (ec) return IoError("cannot list " + input + ": " + ec.message());
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

Status CountFile(const std::string& path, const std::string& bpf, TelescopeCounter& counter,
                 Status* damage) {
  BLACKOUT_ASSIGN_OR_RETURN(auto source, PacketSource::OpenFile(path));
  BLACKOUT_RETURN_IF_ERROR(source->SetFilter(bpf));
  const int link = source->link();
  CapturedPacket packet;
  while (true) {
    auto more = source->Next(&packet);
    if (!more.ok()) {
      *damage = more.status();
      break;
    }
    if (!*more) break;
    counter.AddPacket(packet.time, link, packet.bytes);
  }
  return Status::Ok();
}

size_t AddBinsToBatch(const TelescopeCounter& counter, const std::vector<UnixSeconds>& bins,
                      const std::string& source, store::WriteBatch& batch) {
  if (bins.empty()) return 0;
  const int64_t step = counter.step();
  std::map<std::string, std::vector<store::Point>> sources, packets;
  for (const std::string& e : counter.entities()) {
    sources[e];
    packets[e];
  }
  std::set<UnixSeconds> wanted(bins.begin(), bins.end());
  for (UnixSeconds b = bins.front(); b <= bins.back(); b += step) wanted.insert(b);
  for (UnixSeconds b : wanted) {
    auto counts = counter.Counts(b);
    for (auto& [entity, points] : sources) {
      auto it = counts.find(entity);
      points.push_back({b, it == counts.end() ? 0.0 : static_cast<double>(it->second.sources)});
      packets[entity].push_back(
          {b, it == counts.end() ? 0.0 : static_cast<double>(it->second.packets)});
    }
  }
  size_t n = 0;
  const std::string signal(store::kSignalDarknet);
  for (const auto& [entity, points] : sources) {
    batch.AddPoints({entity, signal, source}, points, step);
    batch.AddPoints({entity, std::string(kPacketsSignal), source}, packets[entity], step);
    n += points.size() * 2;
  }
  return n;
}

Result<FileSummary> IngestFile(const std::string& path, const Attributor& attribute,
                               store::Store& store, const DarknetOptions& options) {
  FileSummary summary;
  summary.path = path;
  std::error_code ec;
  BLACKOUT_RETURN_IF_ERROR(CheckBpf(options.bpf));
  // Another series source is another ingest of the same file.
  const std::string key =
      (options.source.empty() ? "darknet:" : "darknet[" + options.source + "]:") +
      fs::absolute(path, ec).lexically_normal().string();
  BLACKOUT_ASSIGN_OR_RETURN(store::Store::FileCheck check, store.CheckFile(key, path));
  if (check.unchanged) {
    summary.unchanged = true;
    return summary;
  }
  const std::string& hash = check.hash;
  CounterOptions co;
  co.step = options.step;
  co.filter = options.filter;
  co.cache_entries = options.cache_entries;
  TelescopeCounter counter(attribute, co);
  Status damage;
  BLACKOUT_RETURN_IF_ERROR(CountFile(path, options.bpf, counter, &damage));
  summary.stats = counter.stats();
  if (!damage.ok()) summary.problem = damage.ToString();

  store::WriteBatch batch;
  batch.SetInput(key, hash,
                 damage.ok() ? store::IngestState::kComplete : store::IngestState::kPartial,
                 damage.ok() ? "" : damage.message());
  std::vector<UnixSeconds> bins = counter.Bins();
  // The first and last bins may be shared with the neighbouring captures: merge theirs in.
  std::vector<UnixSeconds> edges;
  if (!bins.empty()) edges = {bins.front()};
  if (bins.size() > 1) edges.push_back(bins.back());
  for (UnixSeconds edge : edges) {
    const std::string own = counter.SerializeBin(edge);
    EdgeParts parts;
    if (auto saved = store.GetState(EdgeKey(options.source, edge)); saved.ok()) {
      auto parsed = ParseEdge(*saved);
      if (parsed.ok()) parts = std::move(*parsed);
    }
    std::erase_if(parts, [&](const auto& p) { return p.first == key; });
    for (const auto& [other, blob] : parts) {
      BLACKOUT_RETURN_IF_ERROR(counter.MergeSerializedBin(edge, blob));
    }
    parts.emplace_back(key, own);
    std::string value;
    for (const auto& [k, blob] : parts) {
      PutString(value, k);
      PutString(value, blob);
    }
    batch.SetState(EdgeKey(options.source, edge), std::move(value));
  }
  summary.bins = bins.empty() ? 0 : (bins.back() - bins.front()) / options.step + 1;
  summary.points = AddBinsToBatch(counter, bins, options.source, batch);
  BLACKOUT_ASSIGN_OR_RETURN(auto outcome, store.Apply(batch));
  summary.unchanged = outcome == store::ApplyOutcome::kAlreadyApplied;
  return summary;
}

Result<IngestSummary> IngestInputs(const std::vector<std::string>& inputs,
                                   const Attributor& attribute, store::Store& store,
                                   const DarknetOptions& options, const std::atomic<bool>* cancel) {
  IngestSummary out;
  auto note = [&](std::string text) {
    if (out.problem_texts.size() < options.max_problems_kept) {
      out.problem_texts.push_back(std::move(text));
    }
  };
  BLACKOUT_ASSIGN_OR_RETURN(std::vector<std::string> files, ListCaptureFiles(inputs));
  for (const std::string& path : files) {
    if (cancel && cancel->load(std::memory_order_relaxed)) break;
    auto summary = IngestFile(path, attribute, store, options);
    if (!summary.ok()) {
      const StatusCode c = summary.status().code();
      if (c == StatusCode::kDataLoss || c == StatusCode::kNotFound ||
          c == StatusCode::kInvalidArgument) {
        note(summary.status().ToString());
        ++out.damaged;
        continue;
      }
      return summary.status();
    }
    out.stats.Add(summary->stats);
    out.points += summary->points;
    if (summary->unchanged) {
      ++out.unchanged;
    } else {
      ++out.written;
    }
    if (!summary->problem.empty()) {
      ++out.damaged;
      note(summary->problem);
    }
    out.files.push_back(std::move(*summary));
  }
  return out;
}

}  // namespace blackout::darknet
