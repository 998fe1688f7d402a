#include "blackout/ooni/ingest.h"

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "blackout/store/store.h"

namespace blackout::ooni {
namespace {

std::string StateKey(const std::string& input) { return "ooni:cells:" + input; }

// The stored values of the series `values` touches, over the bins it touches.
Result<std::map<std::pair<store::SeriesKey, UnixSeconds>, double>> ReadCurrent(
    store::Store& store, const SeriesValues& values, int64_t step) {
  std::map<store::SeriesKey, std::pair<UnixSeconds, UnixSeconds>> ranges;
  for (const auto& [kb, v] : values) {
    auto [it, fresh] = ranges.try_emplace(kb.first, kb.second, kb.second + step);
    if (!fresh) {
      it->second.first = std::min(it->second.first, kb.second);
      it->second.second = std::max(it->second.second, kb.second + step);
    }
  }
  std::map<std::pair<store::SeriesKey, UnixSeconds>, double> out;
  for (const auto& [key, range] : ranges) {
    auto s = store.ReadSeries(key, range.first, range.second);
    if (!s.ok()) {
      if (s.status().code() == StatusCode::kNotFound) continue;
      return s.status();
    }
    if (!s->values.empty() && s->step != step) {
      return InvalidArgument("series " + key.ToString() + " has step " + std::to_string(s->step) +
                             ", not " + std::to_string(step));
    }
    for (size_t i = 0; i < s->values.size(); ++i) {
      if (!store::IsMissing(s->values[i])) {
        out[{key, s->from + static_cast<int64_t>(i) * s->step}] = s->values[i];
      }
    }
  }
  return out;
}

}  // namespace

Result<CellMap> CountFile(const std::string& path, const IngestOptions& options,
                          IngestSummary* summary) {
  CellMap cells;
  summary->read.max_problems_kept = options.max_problems_kept;
  auto sink = [&](const Measurement& m) {
    ++summary->outcomes[std::string(OutcomeName(m.verdict.outcome))];
    if (summary->first == 0 || m.start < summary->first) summary->first = m.start;
    summary->last = std::max(summary->last, m.start);
    AddMeasurement(m, options.step, options.entities, &cells);
  };
  BLACKOUT_RETURN_IF_ERROR(ReadMeasurements(path, sink, &summary->read));
  return cells;
}

namespace {

// IngestFile with the ledger's name for the input given.
Result<IngestSummary> IngestAs(const std::string& path, const std::string& input,
                               store::Store& store, const IngestOptions& options) {
  IngestSummary summary;
  BLACKOUT_ASSIGN_OR_RETURN(store::Store::FileCheck check, store.CheckFile(input, path));
  if (check.unchanged) {
    summary.unchanged = true;
    return summary;
  }
  const std::string& hash = check.hash;
  BLACKOUT_ASSIGN_OR_RETURN(CellMap cells, CountFile(path, options, &summary));
  CellMap delta = cells;
  // A changed file first takes back what its earlier version added (kept under its state key).
  if (auto old_text = store.GetState(StateKey(input)); old_text.ok()) {
    BLACKOUT_ASSIGN_OR_RETURN(CellMap old_cells, ParseCells(*old_text));
    for (const auto& [k, c] : old_cells) delta[k] -= c;
    summary.replaced = true;
  }
  SeriesValues values = ToSeriesValues(delta);
  BLACKOUT_ASSIGN_OR_RETURN(auto current, ReadCurrent(store, values, options.step));
  store::WriteBatch batch;
  uint64_t damaged = summary.read.malformed;
  batch.SetInput(input, hash,
                 damaged ? store::IngestState::kPartial : store::IngestState::kComplete,
                 damaged ? std::to_string(damaged) + " damaged records" : "");
  batch.SetState(StateKey(input), SerializeCells(cells));
  for (const auto& [kb, d] : values) {
    auto it = current.find(kb);
    double v = (it == current.end() ? 0.0 : it->second) + d;
    batch.AddPoint(kb.first, kb.second, std::max(0.0, v), options.step);
    ++summary.points;
  }
  BLACKOUT_ASSIGN_OR_RETURN(auto outcome, store.Apply(batch));
  summary.unchanged = outcome == store::ApplyOutcome::kAlreadyApplied;
  return summary;
}

// Standard input copied to a temporary file (removed with this object), so that it can be hashed
// for the ledger and read like any file.
class StdinSpool {
 public:
  ~StdinSpool() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove(path_, ec);
  }
  Status Fill() {
    std::error_code ec;
    std::string name =
        (std::filesystem::temp_directory_path(ec) / "blackout-ooni-stdin-XXXXXX").string();
    const int fd = ::mkstemp(name.data());  // a fresh file of our own
    if (fd < 0) return IoError(name + ": cannot create the spool for standard input");
    ::close(fd);
    path_ = name;
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    std::string buf(1 << 20, '\0');
    for (;;) {
      ssize_t k = ::read(STDIN_FILENO, buf.data(), buf.size());
      if (k < 0 && errno == EINTR) continue;
      if (k < 0) return IoError(std::string("standard input: ") + std::strerror(errno));
      if (k == 0) break;
      out.write(buf.data(), k);
      if (!out) return IoError(path_ + ": write failed (disk full?)");
    }
    out.close();
    if (!out) return IoError(path_ + ": write failed (disk full?)");
    return Status::Ok();
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

Result<IngestSummary> IngestFile(const std::string& path, store::Store& store,
                                 const IngestOptions& options) {
  if (path != "-") {
    std::error_code ec;
    return IngestAs(path, "ooni:" + std::filesystem::absolute(path, ec).string(), store, options);
  }
  // Standard input: what identifies it in the ledger is its content, so the same stream piped
  // twice is counted once and a different one is added.
  StdinSpool spool;
  BLACKOUT_RETURN_IF_ERROR(spool.Fill());
  BLACKOUT_ASSIGN_OR_RETURN(std::string hash, store::HashFile(spool.path()));
  BLACKOUT_ASSIGN_OR_RETURN(IngestSummary summary,
                            IngestAs(spool.path(), "ooni:stdin:" + hash, store, options));
  for (Status& p : summary.read.problems) {  // name the input as the user gave it
    Location where = p.where();
    where.file = "-";
    p = p.WithLocation(where);
  }
  return summary;
}

}  // namespace blackout::ooni
