// IngestToStore: the bins of IngestFiles written to a store, one ledger entry per input file.
#include <algorithm>
#include <limits>
#include <string>

#include "blackout/bgp/ingest.h"
#include "blackout/store/store.h"

namespace blackout::bgp {

Result<IngestSummary> IngestToStore(const std::vector<InputFile>& files,
                                    const IngestOptions& options, const BlockGeo* geo,
                                    store::Store& st,
                                    const std::function<void(size_t, uint64_t)>& on_progress) {
  IngestSummary sum;
  sum.files = files.size();
  // Files the ledger already holds with the same content.
  std::vector<bool> known(files.size(), false);
  size_t n_known = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    // A file that cannot be read is not known: its ingest reports why.
    auto check = st.CheckFile(files[i].ledger_key, files[i].path.string());
    if (check.ok() && check->unchanged) {
      known[i] = true;
      ++n_known;
    }
  }
  if (n_known == files.size()) {
    sum.files_unchanged = n_known;
    return sum;
  }
  // Bins before the earliest new file's bin are what earlier ingests wrote from the same files;
  // they are not written again (the inputs may no longer reach back to them: archive caches keep
  // only the latest RIB and what follows it, docs/archives.md).
  UnixSeconds redo_from = std::numeric_limits<UnixSeconds>::max();
  for (size_t i = 0; i < files.size(); ++i) {
    if (!known[i]) redo_from = std::min(redo_from, BinStart(files[i].time, options.step));
  }

  auto batch = std::make_unique<store::WriteBatch>();
  Status failure;
  auto apply = [&](store::WriteBatch& b) -> bool {
    if (b.empty() && !b.input()) return true;
    auto r = st.Apply(b);
    if (!r.ok()) {
      if (failure.ok()) failure = r.status();
      return false;
    }
    return true;
  };
  IngestCallbacks cb;
  cb.on_bin = [&](UnixSeconds bin, const Visibility& v, size_t) {
    if (bin < redo_from) return;
    ++sum.bins;
    for (int fam = 0; fam < 2; ++fam) {
      const auto& m = fam == 0 ? v.v4 : v.v6;
      int denominators = fam == 0 ? v.full_feed_asns_v4 : v.full_feed_asns_v6;
      if (denominators == 0) continue;  // no full-feed peer: undefined, left missing
      Family f = fam == 0 ? Family::kIPv4 : Family::kIPv6;
      for (const auto& [entity, counts] : m) {
        for (int l = 0; l < kLevels; ++l) {
          batch->AddPoint({entity, SignalName(f, l), ""}, bin, static_cast<double>(counts[l]),
                          options.step);
        }
      }
    }
  };
  cb.on_file = [&](size_t i, const FileReport& r) {
    sum.elements += r.elements;
    sum.problems += r.problems;
    for (const auto& t : r.problem_texts) {
      if (sum.problem_texts.size() < 50) sum.problem_texts.push_back(t);
    }
    if (r.partial) ++sum.files_partial;
    if (known[i]) {
      ++sum.files_unchanged;
      return;  // its points ride with the next new file's batch
    }
    std::string detail;
    if (r.partial) {
      detail = std::to_string(r.problems) + " problems";
      if (!r.problem_texts.empty()) detail += "; first: " + r.problem_texts.front();
    }
    batch->SetInput(files[i].ledger_key, r.hash,
                    r.partial ? store::IngestState::kPartial : store::IngestState::kComplete,
                    detail);
    sum.points += batch->point_count();
    if (apply(*batch)) ++sum.files_written;
    batch = std::make_unique<store::WriteBatch>();
  };
  cb.on_progress = on_progress;
  BLACKOUT_RETURN_IF_ERROR(IngestFiles(files, options, geo, cb));
  sum.points += batch->point_count();
  apply(*batch);  // the last bins
  if (!failure.ok()) return failure;
  return sum;
}

}  // namespace blackout::bgp
