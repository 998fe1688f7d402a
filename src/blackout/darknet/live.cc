#include "blackout/darknet/live.h"

#include <algorithm>
#include <filesystem>

#include "blackout/base/log.h"
#include "blackout/store/store.h"

namespace blackout::darknet {
namespace {

CounterOptions ToCounterOptions(const DarknetOptions& o) {
  CounterOptions c;
  c.step = o.step;
  c.filter = o.filter;
  c.cache_entries = o.cache_entries;
  return c;
}

}  // namespace

LiveCapture::LiveCapture(std::string interface, Attributor attribute, DarknetOptions options,
                         LiveOptions live)
    : interface_(std::move(interface)),
      options_(std::move(options)),
      live_(live),
      counter_(std::move(attribute), ToCounterOptions(options_)) {}

LiveCapture::~LiveCapture() { Stop(); }

Status LiveCapture::Start() {
  BLACKOUT_ASSIGN_OR_RETURN(source_, PacketSource::OpenLive(interface_, live_));
  BLACKOUT_RETURN_IF_ERROR(source_->SetFilter(options_.bpf));
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void LiveCapture::Stop() {
  stop_ = true;
  if (source_) source_->Interrupt();
  if (thread_.joinable()) thread_.join();
}

void LiveCapture::Run() {
  const int link = source_->link();
  CapturedPacket packet;
  while (!stop_.load(std::memory_order_relaxed)) {
    auto more = source_->Next(&packet);
    if (!more.ok()) {
      log::Error("darknet capture on ", interface_, " stopped: ", more.status().ToString());
      return;
    }
    if (!*more) continue;  // timeout
    std::lock_guard<std::mutex> lock(mu_);
    if (BinStart(packet.time, options_.step) <= written_through_) {
      ++late_;
      continue;
    }
    counter_.AddPacket(packet.time, link, packet.bytes);
  }
}

std::vector<UnixSeconds> LiveCapture::FinishedBins(UnixSeconds now, bool all) const {
  std::vector<UnixSeconds> out;
  const int64_t grace = std::max<int64_t>(1, options_.step / 10);
  for (UnixSeconds b : counter_.Bins()) {
    if (all || b + options_.step + grace <= now) out.push_back(b);
  }
  return out;
}

std::map<UnixSeconds, std::map<std::string, EntityBin>> LiveCapture::TakeCounts(UnixSeconds now,
                                                                                bool all) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<UnixSeconds, std::map<std::string, EntityBin>> out;
  for (UnixSeconds b : FinishedBins(now, all)) {
    out[b] = counter_.Counts(b);
    counter_.TakeBin(b);
  }
  return out;
}

Result<size_t> LiveCapture::Flush(store::Store& store, UnixSeconds now, bool all) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t points = 0;
  for (UnixSeconds b : FinishedBins(now, all)) {
    store::WriteBatch batch;
    const std::string key = "darknet:if:" + interface_ + ":" + std::to_string(b);
    std::string hash;
    for (const auto& [entity, n] : counter_.Counts(b)) {
      hash += entity + "=" + std::to_string(n.sources) + "/" + std::to_string(n.packets) + ";";
    }
    batch.SetInput(key, std::to_string(std::hash<std::string>{}(hash)));
    points += AddBinsToBatch(counter_, {b}, options_.source, batch);
    BLACKOUT_RETURN_IF_ERROR(store.Apply(batch).status());
    counter_.TakeBin(b);
    written_through_ = std::max(written_through_, b);
  }
  return points;
}

PacketStats LiveCapture::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counter_.stats();
}

uint64_t LiveCapture::late_packets() const {
  std::lock_guard<std::mutex> lock(mu_);
  return late_;
}

uint64_t LiveCapture::kernel_drops() const { return source_ ? source_->kernel_drops() : 0; }

DarknetSources::DarknetSources(std::vector<std::string> inputs, DarknetOptions options)
    : inputs_(std::move(inputs)), options_(std::move(options)) {}

DarknetSources::~DarknetSources() = default;

void DarknetSources::SetRouted(std::shared_ptr<const RoutedSpace> routed) {
  routed_ = std::move(routed);
  options_.filter.routed = routed_.get();
}

Result<DarknetSources::Report> DarknetSources::Poll(const Attributor& attribute,
                                                    store::Store& store, UnixSeconds now,
                                                    const std::atomic<bool>* cancel) {
  Report report;
  std::vector<std::string> files;
  for (const std::string& in : inputs_) {
    if (in.rfind("if:", 0) == 0) {
      if (started_) continue;
      auto live = std::make_unique<LiveCapture>(in.substr(3), attribute, options_);
      if (Status s = live->Start(); !s.ok()) {
        report.problems.push_back(s.ToString());
        continue;
      }
      log::Info("darknet: capturing on ", in.substr(3));
      live_.push_back(std::move(live));
      continue;
    }
    std::error_code ec;
    if (std::filesystem::exists(in, ec)) files.push_back(in);
  }
  if (!started_) live_routed_ = routed_;
  started_ = true;
  for (auto& live : live_) {
    BLACKOUT_ASSIGN_OR_RETURN(size_t points, live->Flush(store, now));
    report.points += points;
  }
  if (files.empty()) return report;
  BLACKOUT_ASSIGN_OR_RETURN(IngestSummary s,
                            IngestInputs(files, attribute, store, options_, cancel));
  report.files = s.written;
  report.points += s.points;
  report.problems.insert(report.problems.end(), s.problem_texts.begin(), s.problem_texts.end());
  return report;
}

}  // namespace blackout::darknet
