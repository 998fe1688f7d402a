#include "blackout/bgp/ingest.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <regex>

#include "blackout/mrt/reader.h"
#include "blackout/store/types.h"

namespace blackout::bgp {
namespace {

namespace fs = std::filesystem;

constexpr uint8_t kEstablished = 6;  // RFC 4271 §8.2.2 FSM state
constexpr size_t kMaxProblemTexts = 20;

bool LooksLikeMrt(const fs::path& p) {
  std::string name = p.filename().string();
  auto ends = [&](std::string_view tail) {
    return name.size() >= tail.size() &&
           name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
  };
  // Transfers in progress (fetch.h): NAME.part and its NAME.part.meta.
  if (name.empty() || name[0] == '.' || ends(".part") || ends(".part.meta")) return false;
  for (const char* s : {"updates", "bview", "rib"}) {
    if (name.find(s) != std::string::npos) return true;
  }
  std::string ext = p.extension().string();
  return ext.empty() || ext == ".mrt" || ext == ".gz" || ext == ".bz2" || ext == ".xz" ||
         ext == ".zst";
}

// "rrc04" from .../rrc04/2021.01/updates...; "route-views.sydney" from
// .../route-views.sydney/bgpdata/2021.01/UPDATES/...; "route-views2" from DIR/bgpdata/... (its
// archive has no collector folder); else the parent folder's name.
std::string CollectorOf(const fs::path& p) {
  std::vector<std::string> parts;
  for (const auto& c : p.parent_path()) parts.push_back(c.string());
  static const std::regex kMonth(R"(\d{4}\.\d{2})");
  for (size_t i = parts.size(); i-- > 0;) {
    if (parts[i] == "bgpdata") {
      // route-views2 lives at the archive root: DIR/bgpdata/...
      bool named = i > 0 && parts[i - 1].rfind("route-views", 0) == 0;
      return named ? parts[i - 1] : "route-views2";
    }
  }
  if (!parts.empty() && std::regex_match(parts.back(), kMonth) && parts.size() >= 2) {
    return parts[parts.size() - 2];
  }
  return parts.empty() ? "local" : parts.back();
}

std::optional<UnixSeconds> TimeFromName(const std::string& name) {
  static const std::regex kStamp(R"((\d{4})(\d{2})(\d{2})\.(\d{2})(\d{2}))");
  std::smatch m;
  if (!std::regex_search(name, m, kStamp)) return std::nullopt;
  auto n = [&](int i) { return std::stoi(m[i].str()); };
  return DaysFromCivil(n(1), n(2), n(3)) * 86400 + n(4) * 3600 + n(5) * 60;
}

UnixSeconds FirstRecordTime(const fs::path& p) {
  mrt::ReaderOptions o;
  auto r = mrt::MrtReader::Open(p.string(), o);
  if (!r.ok()) return 0;
  auto rec = (*r)->Next();
  return rec.ok() && *rec != nullptr ? (*rec)->time : 0;
}

// One collector's files read one after the other.
class Stream {
 public:
  Stream(const std::vector<InputFile>& files, std::vector<size_t> indices)
      : files_(files), indices_(std::move(indices)) {}

  // Moves to the next element; false at the end of the last file. Calls `done` for each file
  // finished.
  bool Advance(const std::function<void(size_t, FileReport&)>& done) {
    for (;;) {
      if (reader_) {
        if (rec_ != nullptr && next_ < rec_->elements.size()) {
          el_ = &rec_->elements[next_++];
          ++report_.elements;
          return true;
        }
        auto r = reader_->Next();
        if (!r.ok()) {  // strict-mode only; recover mode reports through on_problem
          AddProblem(r.status().ToString());
          rec_ = nullptr;
        } else {
          rec_ = *r;
        }
        next_ = 0;
        if (rec_ != nullptr) {
          ++report_.records;
          continue;
        }
        FinishFile(done);
      }
      if (pos_ >= indices_.size()) return false;
      OpenNext();
    }
  }
  const mrt::Element& element() const { return *el_; }
  size_t file() const { return indices_[pos_ - 1]; }
  const std::string& collector() const { return files_[file()].collector; }

 private:
  void AddProblem(std::string text) {
    ++report_.problems;
    report_.partial = true;
    if (report_.problem_texts.size() < kMaxProblemTexts)
      report_.problem_texts.push_back(std::move(text));
  }
  void OpenNext() {
    report_ = FileReport();
    const InputFile& f = files_[indices_[pos_++]];
    auto hash = store::HashFile(f.path.string());
    if (hash.ok()) report_.hash = *hash;
    mrt::ReaderOptions o;
    o.mode = mrt::ReadMode::kRecover;
    o.on_problem = [this](const mrt::Problem& p) { AddProblem(p.ToString()); };
    auto r = mrt::MrtReader::Open(f.path.string(), o);
    if (!r.ok()) {
      AddProblem(r.status().ToString());
      reader_.reset();
      pending_done_ = true;
      return;
    }
    reader_ = std::move(*r);
    rec_ = nullptr;
    next_ = 0;
  }
  void FinishFile(const std::function<void(size_t, FileReport&)>& done) {
    reader_.reset();
    done(file(), report_);
  }

 public:
  // A file that could not be opened is finished at once.
  bool TakePendingDone(const std::function<void(size_t, FileReport&)>& done) {
    if (!pending_done_) return false;
    pending_done_ = false;
    done(file(), report_);
    return true;
  }

 private:
  const std::vector<InputFile>& files_;
  std::vector<size_t> indices_;
  size_t pos_ = 0;
  std::unique_ptr<mrt::MrtReader> reader_;
  const mrt::Record* rec_ = nullptr;
  size_t next_ = 0;
  const mrt::Element* el_ = nullptr;
  FileReport report_;
  bool pending_done_ = false;
};

}  // namespace

Result<std::vector<InputFile>> DescribeInputs(const std::vector<std::string>& paths,
                                              const std::string& collector) {
  std::vector<fs::path> found;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> in_dir;
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
           it.increment(ec)) {
        if (it->is_regular_file() && LooksLikeMrt(it->path())) in_dir.push_back(it->path());
      }
      if (ec) return IoError("cannot list " + p + ": " + ec.message());
      std::sort(in_dir.begin(), in_dir.end());
      found.insert(found.end(), in_dir.begin(), in_dir.end());
    } else if (fs::is_regular_file(p, ec)) {
      found.emplace_back(p);
    } else {
      return NotFound("no such file or folder: " + p);
    }
  }
  std::vector<InputFile> out;
  for (const auto& p : found) {
    InputFile f;
    f.path = p;
    f.collector = collector.empty() ? CollectorOf(fs::absolute(p)) : collector;
    std::string name = p.filename().string();
    f.rib = name.find("bview") != std::string::npos || name.find("rib") != std::string::npos;
    auto t = TimeFromName(name);
    f.time = t ? *t : FirstRecordTime(p);
    f.ledger_key = "bgp:" + f.collector + "/" + name;
    out.push_back(std::move(f));
  }
  std::stable_sort(out.begin(), out.end(), [](const InputFile& a, const InputFile& b) {
    if (a.collector != b.collector) return a.collector < b.collector;
    if (a.time != b.time) return a.time < b.time;
    if (a.rib != b.rib) return a.rib;
    return a.path < b.path;
  });
  return out;
}

Status IngestFiles(const std::vector<InputFile>& files, const IngestOptions& options,
                   const BlockGeo* geo, const IngestCallbacks& cb) {
  if (options.step <= 0) return InvalidArgument("step must be > 0");
  RoutingView view(options.view, geo);
  std::map<std::string, std::vector<size_t>> by_collector;
  for (size_t i = 0; i < files.size(); ++i) by_collector[files[i].collector].push_back(i);
  std::vector<std::unique_ptr<Stream>> streams;
  for (auto& [name, idx] : by_collector) streams.push_back(std::make_unique<Stream>(files, idx));

  size_t files_done = 0;
  uint64_t elements = 0;
  std::optional<UnixSeconds> bin;
  size_t last_file = files.empty() ? 0 : files.size() - 1;
  auto done = [&](size_t file, FileReport& report) {
    ++files_done;
    if (cb.on_file) cb.on_file(file, report);
    if (cb.on_progress) cb.on_progress(files_done, elements);
  };
  auto emit = [&](UnixSeconds b, size_t file) {
    if (cb.on_bin) cb.on_bin(b, view.Compute(), file);
  };
  // Each stream's current element; the smallest time goes first (ties: collector order).
  std::vector<bool> live(streams.size());
  for (size_t s = 0; s < streams.size(); ++s) {
    live[s] = streams[s]->Advance(done);
    while (streams[s]->TakePendingDone(done)) live[s] = streams[s]->Advance(done);
  }
  std::vector<uint32_t> origins;
  for (;;) {
    int best = -1;
    for (size_t s = 0; s < streams.size(); ++s) {
      if (live[s] && (best < 0 || streams[s]->element().time < streams[best]->element().time)) {
        best = static_cast<int>(s);
      }
    }
    if (best < 0) break;
    if (options.cancel != nullptr && (elements & 4095) == 0 &&
        options.cancel->load(std::memory_order_relaxed)) {
      return Unavailable("ingest cancelled");
    }
    Stream& st = *streams[best];
    const mrt::Element& e = st.element();
    UnixSeconds b = BinStart(e.time, options.step);
    if (!bin) {
      bin = b;
    } else if (b > *bin) {
      emit(*bin, st.file());
      if (b - *bin <= options.max_gap) {
        for (UnixSeconds g = *bin + options.step; g < b; g += options.step) emit(g, st.file());
      }
      bin = b;
    }
    ++elements;
    if (!e.local) {
      uint32_t peer = view.Peer(st.collector(), e.peer_ip, e.peer_as);
      switch (e.type) {
        case mrt::ElementType::kRibEntry:
        case mrt::ElementType::kAnnounce:
          if (e.attrs != nullptr) {
            PathOrigins(e.attrs->as_path, &origins);
          } else {
            origins.clear();
          }
          view.Announce(peer, e.prefix, origins, e.has_path_id, e.path_id);
          break;
        case mrt::ElementType::kWithdraw:
          view.Withdraw(peer, e.prefix, e.has_path_id, e.path_id);
          break;
        case mrt::ElementType::kStateChange:
          if (e.old_state == kEstablished && e.new_state != kEstablished) view.PeerDown(peer);
          break;
      }
    }
    last_file = st.file();
    live[best] = st.Advance(done);
    while (st.TakePendingDone(done)) live[best] = st.Advance(done);
  }
  if (bin) emit(*bin, last_file);
  if (options.routed != nullptr) *options.routed = view.RoutedPrefixes();
  return Status::Ok();
}

}  // namespace blackout::bgp
