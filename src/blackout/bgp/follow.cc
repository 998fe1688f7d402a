#include "blackout/bgp/follow.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>

#include "blackout/base/log.h"
#include "blackout/store/store.h"

namespace blackout::bgp {
namespace {

namespace fs = std::filesystem;

std::string LedgerKey(const std::string& collector, const ArchiveFile& f) {
  return "bgp:" + collector + "/" + f.relative.substr(f.relative.rfind('/') + 1);
}

bool IsTransferFile(const fs::path& p) {
  std::string ext = p.extension().string();
  return ext == ".part" || ext == ".meta";
}

bool InputOrder(const InputFile& a, const InputFile& b) {
  if (a.collector != b.collector) return a.collector < b.collector;
  if (a.time != b.time) return a.time < b.time;
  if (a.rib != b.rib) return a.rib;
  return a.path < b.path;
}

std::string Hours(int64_t seconds) {
  return std::to_string(seconds / 3600) + " h " + std::to_string(seconds % 3600 / 60) + " min";
}

}  // namespace

std::vector<ArchiveFetch> FetchArchive(const ArchiveFetchRequest& r, const FetchOptions& options,
                                       const FetchCallback& on_done) {
  std::vector<ArchiveFetch> out;
  std::vector<FetchJob> jobs;
  for (size_t i = 0; i < r.sources.size(); ++i) {
    for (auto& f : ListSourceFiles(r.sources[i], r.from, r.until, r.ribs, r.updates)) {
      if (r.want && !r.want(r.sources[i], f)) continue;
      jobs.push_back({f.url, r.dir / f.relative});
      out.push_back({i, std::move(f), {}});
    }
  }
  auto outcomes = FetchFiles(jobs, options, on_done);
  for (size_t k = 0; k < out.size(); ++k) out[k].outcome = std::move(outcomes[k]);
  return out;
}

LedgerLookup StoreLedger(store::Store& st) {
  return [&st](const std::string& key) { return st.GetIngest(key).ok(); };
}

ArchiveFollower::ArchiveFollower(std::vector<ArchiveSource> sources, FollowOptions options)
    : sources_(std::move(sources)),
      options_(std::move(options)),
      start_(sources_.size(), 0),
      moves_(sources_.size(), 0) {}

UnixSeconds ArchiveFollower::Now() const {
  if (options_.now) return options_.now();
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t ArchiveFollower::CacheBytes() const {
  uint64_t total = 0;
  std::error_code ec;
  if (!fs::is_directory(options_.cache_dir, ec)) return 0;
  for (auto it = fs::recursive_directory_iterator(options_.cache_dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::error_code e2;
    if (it->is_regular_file(e2)) total += it->file_size(e2);
  }
  return total;
}

std::vector<InputFile> ArchiveFollower::Cached() const {
  std::vector<InputFile> out;
  const UnixSeconds now = Now();
  for (size_t i = 0; i < sources_.size(); ++i) {
    const ArchiveSource& s = sources_[i];
    if (start_[i] == 0) continue;
    for (const ArchiveFile& f : ListSourceFiles(s, start_[i], now + 1, true, true)) {
      fs::path p = options_.cache_dir / f.relative;
      std::error_code ec;
      if (!fs::is_regular_file(p, ec)) continue;
      InputFile in;
      in.path = p;
      in.collector = s.collector;
      in.time = f.time;
      in.rib = f.kind == ArchiveFileKind::kRib;
      in.ledger_key = LedgerKey(s.collector, f);
      out.push_back(std::move(in));
    }
  }
  return out;
}

std::vector<bool> ArchiveFollower::SetWindows(UnixSeconds now) {
  std::vector<bool> fresh(sources_.size(), false);
  for (size_t i = 0; i < sources_.size(); ++i) {
    const ArchiveSource& s = sources_[i];
    int64_t days = s.backfill_days >= 0 ? s.backfill_days : options_.backfill_days;
    int64_t period = s.rib_period > 0 ? s.rib_period : s.updates_period;
    if (start_[i] == 0) {
      fresh[i] = true;
      start_[i] = BinStart(now - days * 86400, period);
    } else {
      // A long-running follower slides its window: what lies before the backfill horizon and past
      // the 404 grace is ingested or given up by now, and need not be listed each poll.
      int64_t keep = std::max(days * 86400, options_.missing_after_s + 2 * period);
      start_[i] = std::max(start_[i], BinStart(now - keep, period));
    }
  }
  return fresh;
}

std::vector<ArchiveFetch> ArchiveFollower::FetchDue(UnixSeconds now,
                                                    const std::vector<UnixSeconds>& until,
                                                    uint64_t used, const LedgerLookup& ingested,
                                                    FollowReport* report) {
  std::atomic<bool> full{false};
  ArchiveFetchRequest req;
  req.sources = sources_;
  req.dir = options_.cache_dir;
  req.from = std::numeric_limits<UnixSeconds>::max();
  for (UnixSeconds s : start_) req.from = std::min(req.from, s);
  req.until = now + 1;
  size_t wanted = 0;
  req.want = [&](const ArchiveSource& s, const ArchiveFile& f) {
    size_t i = static_cast<size_t>(&s - req.sources.data());
    if (f.time < start_[i] || f.time >= until[i]) return false;
    int64_t period = f.kind == ArchiveFileKind::kRib ? 0 : s.updates_period;
    if (f.time + period > now) return false;  // not complete yet on the collector
    if (given_up_.count(f.url)) return false;
    std::error_code ec;
    if (fs::exists(options_.cache_dir / f.relative, ec)) return false;
    if (ingested(LedgerKey(s.collector, f))) return false;
    ++wanted;
    return true;
  };
  FetchOptions fo = options_.fetch;
  fo.stop_new = &full;
  uint64_t grown = 0;
  size_t done = 0;
  auto last_note = std::chrono::steady_clock::now();
  auto results = FetchArchive(req, fo, [&](const FetchOutcome& o) {
    grown += o.bytes;
    ++done;
    if (used + grown >= options_.disk_budget_bytes) full = true;
    if (o.status.ok()) log::Debug("fetched ", o.job.url, " (", o.bytes, " bytes)");
    // A long backfill says how far it got every 10 s.
    auto t = std::chrono::steady_clock::now();
    if (t - last_note >= std::chrono::seconds(10)) {
      last_note = t;
      log::Info("bgp archives: ", done, " of ", wanted, " files done (", grown,
                " bytes) this poll; last: ", o.job.url);
    }
  });
  size_t missing = 0;
  std::string first_missing;
  for (const ArchiveFetch& r : results) {
    const FetchOutcome& o = r.outcome;
    const ArchiveSource& s = sources_[r.source];
    if (o.attempts == 0) continue;  // not started: the budget was reached
    if (o.status.ok()) {
      ++report->fetched;
      report->resumed += o.resumed ? 1 : 0;
      report->bytes += o.bytes;
      waits_.erase(r.file.url);
      continue;
    }
    if (o.status.code() == StatusCode::kNotFound) {
      int64_t period = r.file.kind == ArchiveFileKind::kRib ? s.rib_period : s.updates_period;
      int64_t late = now - (r.file.time + period);
      if (late > options_.missing_after_s) {
        given_up_.insert(r.file.url);
        waits_.erase(r.file.url);
        if (missing++ == 0) {
          first_missing = r.file.url + " (404 " + Hours(late) + " after its period ended)";
        }
      } else {
        ++report->waiting;
        if (waits_[r.file.url]++ == 0) {
          log::Debug("bgp archives: not yet published: ", r.file.url, " (asked again next poll)");
        }
      }
      continue;
    }
    ++report->failed;
    report->problems.push_back(
        "bgp archives: " + r.file.url + ": " + o.status.ToString() + " after " +
        std::to_string(o.attempts) +
        " attempts; kept as .part and resumed on the next poll (check the network or the URL)");
  }
  if (missing > 0) {
    report->missing += missing;
    log::Warn("bgp archives: ", missing,
              " files given up as missing (archive gaps; the view goes on without them), first: ",
              first_missing);
  }
  return results;
}

bool ArchiveFollower::MoveStarts(const std::vector<ArchiveFetch>& results,
                                 const std::vector<bool>& fresh) {
  bool moved = false;
  for (size_t i = 0; i < sources_.size(); ++i) {
    const ArchiveSource& s = sources_[i];
    if (s.rib_period <= 0) continue;
    auto rib = ListSourceFiles(s, start_[i], start_[i] + 1, true, false);
    if (rib.empty()) continue;
    bool absent = std::any_of(results.begin(), results.end(), [&](const ArchiveFetch& r) {
      return r.file.url == rib[0].url && r.outcome.status.code() == StatusCode::kNotFound;
    });
    if ((given_up_.count(rib[0].url) || (fresh[i] && absent)) && moves_[i] < 4) {
      ++moves_[i];
      start_[i] -= s.rib_period;
      moved = true;
      log::Info("bgp archives: ", s.collector, ": RIB ", rib[0].url,
                " missing; following from the RIB before it");
    }
  }
  return moved;
}

FollowReport ArchiveFollower::Poll(const LedgerLookup& ingested) {
  FollowReport report;
  const UnixSeconds now = Now();
  std::vector<bool> fresh = SetWindows(now);
  // While the cache is at its budget and holds files not yet ingested, the ingest and the trim come
  // first: fetching more would only grow it.
  const uint64_t used = CacheBytes();
  bool unconsumed = false;
  for (const InputFile& f : Cached()) unconsumed |= !ingested(f.ledger_key);
  if (used >= options_.disk_budget_bytes && unconsumed) {
    report.budget_paused = true;
    log::Info("bgp archives: cache at its disk budget (", used,
              " bytes); fetching resumes after the cached files are ingested and trimmed");
    return report;
  }
  std::vector<UnixSeconds> until(sources_.size(), std::numeric_limits<UnixSeconds>::max());
  auto results = FetchDue(now, until, used, ingested, &report);
  // The start is a RIB. When it is not published yet on the first poll, or missing for good, the
  // one before it is the latest RIB: what lies between is fetched in this same poll (the later RIB
  // is still asked for on the next ones: it arrives as a late file).
  std::vector<UnixSeconds> before = start_;
  if (MoveStarts(results, fresh)) {
    FetchDue(now, before, CacheBytes(), ingested, &report);
  }
  return report;
}

std::vector<InputFile> ArchiveFollower::Inputs(const std::vector<InputFile>& others,
                                               const LedgerLookup& ingested) const {
  std::vector<InputFile> cached = Cached();
  // The earliest input the ledger does not hold: the routing view must be whole from there on.
  std::optional<UnixSeconds> first_new;
  for (const std::vector<InputFile>* list :
       {&others, static_cast<const std::vector<InputFile>*>(&cached)}) {
    for (const InputFile& f : *list) {
      if (!ingested(f.ledger_key) && (!first_new || f.time < *first_new)) first_new = f.time;
    }
  }
  std::vector<InputFile> out = others;
  if (!first_new) return out;
  // Per collector: its latest RIB at or before first_new, else (no such RIB) its earliest file.
  std::map<std::string, UnixSeconds> earliest, rib;
  for (const InputFile& f : cached) {
    auto& e = earliest.try_emplace(f.collector, f.time).first->second;
    e = std::min(e, f.time);
    if (f.rib && f.time <= *first_new) {
      auto& r = rib.try_emplace(f.collector, f.time).first->second;
      r = std::max(r, f.time);
    }
  }
  std::map<std::string, UnixSeconds> anchor = earliest;
  for (const auto& [c, t] : rib) anchor[c] = t;
  for (InputFile& f : cached) {
    if (f.time >= anchor[f.collector]) out.push_back(std::move(f));
  }
  std::stable_sort(out.begin(), out.end(), InputOrder);
  return out;
}

TrimReport ArchiveFollower::Trim(const LedgerLookup& ingested) const {
  TrimReport report;
  report.held = CacheBytes();
  if (report.held <= options_.disk_budget_bytes) return report;
  std::vector<std::string> complete;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(options_.cache_dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::error_code e2;
    if (it->is_regular_file(e2) && !IsTransferFile(it->path())) {
      complete.push_back(it->path().string());
    }
  }
  auto files = DescribeInputs(complete);
  if (!files.ok()) {
    report.problem = "bgp archives: cannot trim the cache: " + files.status().ToString();
    return report;
  }
  std::map<std::string, UnixSeconds> latest_rib;  // per collector: its latest ingested RIB
  for (const InputFile& f : *files) {
    if (f.rib && ingested(f.ledger_key)) {
      auto& t = latest_rib.try_emplace(f.collector, f.time).first->second;
      t = std::max(t, f.time);
    }
  }
  std::vector<const InputFile*> deletable;
  bool has_ribs = false;
  for (const InputFile& f : *files) {
    has_ribs |= f.rib;
    auto it = latest_rib.find(f.collector);
    bool before_state = it == latest_rib.end() ? !f.rib : f.time < it->second;
    if (before_state && ingested(f.ledger_key)) deletable.push_back(&f);
  }
  std::stable_sort(deletable.begin(), deletable.end(),
                   [](const InputFile* a, const InputFile* b) { return a->time < b->time; });
  for (const InputFile* f : deletable) {
    if (report.held <= options_.disk_budget_bytes) break;
    uint64_t size = fs::file_size(f->path, ec);
    if (ec || !fs::remove(f->path, ec)) continue;
    fs::remove(f->path.parent_path(), ec);  // an emptied month folder (fails when not empty)
    ++report.deleted;
    report.freed += size;
    report.held -= std::min(report.held, size);
  }
  if (report.held > options_.disk_budget_bytes) {
    report.problem = "bgp archives: the cache holds " + std::to_string(report.held) +
                     " bytes, over its budget of " + std::to_string(options_.disk_budget_bytes) +
                     ": what is left is not yet ingested or is each collector's latest RIB and "
                     "the updates after it" +
                     (has_ribs ? "" : " (no RIBs)") +
                     "; raise sources.bgp_disk_budget_mb or follow fewer collectors";
  }
  return report;
}

Result<BgpPass> RunBgpPass(const std::vector<InputFile>& local, ArchiveFollower* follower,
                           const IngestOptions& options, const BlockGeo* geo, store::Store& store) {
  BgpPass pass;
  const LedgerLookup ledger = StoreLedger(store);
  std::vector<InputFile> files = local;
  if (follower != nullptr) {
    pass.follow = follower->Poll(ledger);
    const FollowReport& f = pass.follow;
    if (f.fetched || f.missing || f.failed) {
      log::Info("bgp archives: ", f.fetched, " files fetched (", f.resumed, " resumed, ", f.bytes,
                " bytes), ", f.waiting, " not yet published, ", f.missing, " missing, ", f.failed,
                " failed");
    }
    files = follower->Inputs(local, ledger);
  }
  if (!files.empty()) {
    BLACKOUT_ASSIGN_OR_RETURN(pass.ingest, IngestToStore(files, options, geo, store));
  }
  if (follower != nullptr) {
    pass.trim = follower->Trim(ledger);
    if (pass.trim.deleted) {
      log::Info("bgp archives: deleted ", pass.trim.deleted, " ingested files (", pass.trim.freed,
                " bytes); the cache holds ", pass.trim.held, " bytes");
    }
  }
  return pass;
}

}  // namespace blackout::bgp
