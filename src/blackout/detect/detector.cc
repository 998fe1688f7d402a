#include "blackout/detect/detector.h"

#include <algorithm>
#include <limits>
#include <set>

namespace blackout::detect {

size_t EntitySeries::bins() const {
  size_t n = 0;
  for (const auto& v : values) n = std::max(n, v.size());
  return n;
}

namespace {

double Median(std::vector<double>& v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Thresholds of the technique rules (docs/detect.md, "Technique").
constexpr double kBgpDown = 0.9;        // BGP below this share of its baseline: routes withdrawn
constexpr double kBgpUp = 0.95;         // BGP at or above: routes still there
constexpr double kMixedMargin = 0.2;    // data plane this much lower than BGP: filtered as well
constexpr double kDataPlaneDown = 0.8;  // probe / telescope below: unreachable
constexpr double kReachableUp = 0.9;    // probe at or above: still reachable
constexpr double kTrafficDown = 0.8;    // traffic below: throttled (if reachable)

Technique Classify(const std::array<std::optional<double>, kNumSignals>& m) {
  auto get = [&](Signal s) { return m[static_cast<int>(s)]; };
  auto bgp = get(Signal::kBgp);
  auto probe = get(Signal::kProbe);
  auto dark = get(Signal::kDarknet);
  auto traffic = get(Signal::kTraffic);
  std::optional<double> data_plane = probe ? probe : dark;
  if (bgp && *bgp < kBgpDown) {
    if (data_plane && *data_plane < *bgp - kMixedMargin) return Technique::kMixed;
    return Technique::kRoutesWithdrawn;
  }
  if (bgp && *bgp >= kBgpUp && data_plane && *data_plane < kDataPlaneDown) {
    return Technique::kPacketsFiltered;
  }
  if (traffic && *traffic < kTrafficDown && probe && *probe >= kReachableUp &&
      (!bgp || *bgp >= kBgpUp)) {
    return Technique::kThrottling;
  }
  return Technique::kUnknown;
}

}  // namespace

EntityDetector::EntityDetector(std::string entity, const DetectConfig& config, int64_t step)
    : entity_(std::move(entity)), config_(config), step_(step) {
  signals_.reserve(kNumSignals);
  for (Signal s : kAllSignals) signals_.emplace_back(config_.of(s), step_);
}

Status EntityDetector::Push(UnixSeconds t,
                            const std::array<std::optional<double>, kNumSignals>& values,
                            const DetectSink* sink) {
  UnixSeconds bin = next_ && t == *next_ ? t : BinStart(t, step_);
  if (next_ && bin < *next_) {
    return InvalidArgument(entity_ + ": bin " + FormatIso8601(bin) +
                           " is not after the previous bin " + FormatIso8601(*next_ - step_));
  }
  // Skipped bins are missing data. Only the last few matter for the event logic (the signal
  // detectors fill longer gaps themselves).
  int64_t keep = 0;
  if (next_ && bin != *next_) {
    int64_t skipped = (bin - *next_) / step_;
    keep = std::min<int64_t>(skipped, config_.combine.merge_gap_bins + 1);
  }
  next_ = bin + step_;

  static const Verdict kNoVerdict;
  std::array<Verdict, kNumSignals> v;
  std::array<const Verdict*, kNumSignals> pv;
  for (int64_t k = keep; k >= 0; --k) {
    const UnixSeconds b = bin - k * step_;
    const bool last = k == 0;
    for (int s = 0; s < kNumSignals; ++s) {
      pv[s] = &kNoVerdict;
      if (!config_.signals[s].enabled) continue;
      auto verdict = signals_[s].Step(b, last ? values[s] : std::nullopt);
      if (!verdict.ok()) continue;  // cannot happen: bins are increasing
      v[s] = *verdict;
      pv[s] = &v[s];
    }
    Decide(b, pv, sink);
  }
  return Status::Ok();
}

void EntityDetector::Decide(UnixSeconds b, const std::array<const Verdict*, kNumSignals>& verdicts,
                            const DetectSink* sink) {
  BinRecord rec{b, false, {}, {}};
  int critical = 0, warning = 0;
  for (int s = 0; s < kNumSignals; ++s) {
    const Verdict& v = *verdicts[s];
    rec.level[s] = v.level;
    if (v.level == Level::kUnknown) continue;
    rec.ratio[s] = v.ratio;
    if (v.level == Level::kCritical) ++critical;
    if (v.level >= Level::kWarning) {
      ++warning;
      if (sink && sink->on_alert) {
        sink->on_alert(Alert{entity_, static_cast<Signal>(s), b, v.level, *v.value, *v.expected,
                             *v.ratio, config_.signals[s].method});
      }
    }
  }
  rec.outage = critical >= 1 || warning >= config_.combine.min_warning_signals;
  if (rec.outage) {
    current_.push_back(rec);
    ++outage_bins_;
    gap_ = 0;
    if (outage_bins_ >= config_.combine.min_event_bins) confirmed_ = true;
    if (confirmed_ && sink && sink->on_event) sink->on_event(Build(false));
  } else if (!current_.empty()) {
    current_.push_back(rec);
    if (++gap_ > config_.combine.merge_gap_bins) {
      if (confirmed_) {
        closed_.push_back(Build(true));
        if (sink && sink->on_event) sink->on_event(closed_.back());
      }
      current_.clear();
      outage_bins_ = 0;
      gap_ = 0;
      confirmed_ = false;
    }
  }
}

std::vector<Event> EntityDetector::Events() const {
  std::vector<Event> out = closed_;
  if (confirmed_) out.push_back(Build(false));
  return out;
}

Event EntityDetector::Build(bool ended) const {
  const CombineConfig& cc = config_.combine;
  size_t n = current_.size() - static_cast<size_t>(gap_);  // drop the trailing non-outage bins
  Event e;
  e.entity = entity_;
  e.step = step_;
  e.start = current_.front().time;
  e.last_bin = current_[n - 1].time;
  if (ended) e.end = e.last_bin + step_;

  std::array<double, kNumSignals> area{};
  std::array<bool, kNumSignals> shows{};
  std::array<std::vector<double>, kNumSignals> outage_ratios;
  // Connectivity per bin: active probing measures the reachability of address blocks directly, so
  // it defines the level when it is judged; otherwise the median of the judged signals. A sparse
  // signal's last ratio stands for up to kCarryBins bins so that the level does not flicker.
  constexpr int kCarryBins = 6;
  std::vector<double> conn(n, 1.0);
  std::array<std::optional<double>, kNumSignals> last{};
  std::array<int, kNumSignals> age{};
  double prev = 1.0;
  for (size_t i = 0; i < n; ++i) {
    const BinRecord& r = current_[i];
    std::vector<double> rs;
    for (int s = 0; s < kNumSignals; ++s) {
      if (r.level[s] >= Level::kWarning) shows[s] = true;
      if (r.ratio[s]) {
        double q = std::clamp(*r.ratio[s], 0.0, 1.0);
        area[s] += (1.0 - q) * double(step_) / 60.0;
        if (r.outage) outage_ratios[s].push_back(q);
        last[s] = q;
        age[s] = 0;
      } else if (last[s] && ++age[s] > kCarryBins) {
        last[s].reset();
      }
      if (last[s]) rs.push_back(*last[s]);
    }
    const auto& probe = last[static_cast<int>(Signal::kProbe)];
    conn[i] = probe ? *probe : rs.empty() ? prev : Median(rs);
    prev = conn[i];
  }
  e.depth = *std::min_element(conn.begin(), conn.end());
  e.score = *std::max_element(area.begin(), area.end());
  for (int s = 0; s < kNumSignals; ++s) {
    if (shows[s]) e.signals.push_back(static_cast<Signal>(s));
  }

  // Phases: each bin is a blackout (connectivity <= blackout_ratio), a partial recovery (risen by
  // recovery_delta above the lowest point so far) or reduced connectivity; runs become phases.
  // Total recovery is the closing stretch in which connectivity is back at or above
  // recovered_ratio and stays there while some signal still alerts (a straggler: traffic
  // reported late, routes re-announced after the hosts answer again); it starts after the last
  // bin below recovered_ratio. When the event's last outage bin is still below, connectivity
  // returned to normal at the event's end and total recovery is that instant.
  size_t recovered = n;  // first bin of total recovery (n: none within the outage bins)
  for (size_t i = n; i-- > 0;) {
    if (conn[i] < cc.recovered_ratio) {
      recovered = i + 1;
      break;
    }
  }
  double low = 1.0;
  for (size_t i = 0; i < recovered; ++i) {
    low = std::min(low, conn[i]);
    PhaseKind k = conn[i] <= cc.blackout_ratio         ? PhaseKind::kNearTotalBlackout
                  : conn[i] >= low + cc.recovery_delta ? PhaseKind::kPartialRecovery
                                                       : PhaseKind::kReducedConnectivity;
    UnixSeconds t = current_[i].time;
    if (e.phases.empty() || e.phases.back().kind != k) {
      if (!e.phases.empty()) e.phases.back().end = t;
      e.phases.push_back(Phase{k, t, std::nullopt, conn[i]});
    } else {
      e.phases.back().depth = std::min(e.phases.back().depth, conn[i]);
    }
  }
  if (recovered < n) {
    const UnixSeconds t = current_[recovered].time;
    if (!e.phases.empty()) e.phases.back().end = t;
    double depth = *std::min_element(conn.begin() + static_cast<ptrdiff_t>(recovered), conn.end());
    e.phases.push_back(Phase{PhaseKind::kTotalRecovery, t, e.end, depth});
  } else if (ended) {
    e.phases.back().end = *e.end;
    e.phases.push_back(Phase{PhaseKind::kTotalRecovery, *e.end, *e.end, 1.0});
  }

  std::array<std::optional<double>, kNumSignals> med;
  for (int s = 0; s < kNumSignals; ++s) {
    if (!outage_ratios[s].empty()) med[s] = Median(outage_ratios[s]);
  }
  e.technique = Classify(med);
  return e;
}

Detection DetectSeries(const EntitySeries& series, const DetectConfig& config) {
  Detection out;
  EntityDetector det(series.entity, config, series.step);
  DetectSink sink;
  sink.on_alert = [&](const Alert& a) { out.alerts.push_back(a); };
  const size_t n = series.bins();
  // Blocks small enough that the four signals' verdicts stay in the L1/L2 cache.
  constexpr size_t kBlock = 512;
  static const Verdict kNoVerdict;
  std::array<std::vector<Verdict>, kNumSignals> verdicts;
  std::array<bool, kNumSignals> judged{};
  for (int s = 0; s < kNumSignals; ++s) {
    // A signal with no value from some bin on has only kUnknown verdicts there, whatever its
    // state: such bins need not be judged at all.
    judged[s] = config.signals[s].enabled && !series.values[s].empty();
    if (judged[s]) verdicts[s].resize(kBlock);
  }
  std::array<const Verdict*, kNumSignals> pv;
  const UnixSeconds from = BinStart(series.from, series.step);  // as Push would bin it
  for (size_t begin = 0; begin < n; begin += kBlock) {
    const size_t len = std::min(kBlock, n - begin);
    const UnixSeconds t0 = from + static_cast<int64_t>(begin) * series.step;
    std::array<size_t, kNumSignals> have{};  // bins of this block with a verdict per signal
    for (int s = 0; s < kNumSignals; ++s) {
      const auto& vals = series.values[s];
      if (!judged[s] || begin >= vals.size()) continue;
      have[s] = std::min(len, vals.size() - begin);
      bool ok = det.signals_[static_cast<size_t>(s)].StepMany(
          t0, std::span(vals).subspan(begin, have[s]), verdicts[s].data());
      (void)ok;  // bins are increasing by construction
    }
    for (size_t i = 0; i < len; ++i) {
      for (int s = 0; s < kNumSignals; ++s) pv[s] = i < have[s] ? &verdicts[s][i] : &kNoVerdict;
      det.Decide(t0 + static_cast<int64_t>(i) * series.step, pv, &sink);
    }
  }
  out.events = det.Events();
  return out;
}

void AttachCarriers(std::vector<Event>& parents, const std::vector<Event>& children) {
  constexpr UnixSeconds kForever = std::numeric_limits<UnixSeconds>::max();
  for (Event& p : parents) {
    std::set<std::string> found(p.carriers.begin(), p.carriers.end());
    UnixSeconds pend = p.end.value_or(kForever);
    for (const Event& c : children) {
      if (c.start < pend && c.end.value_or(kForever) > p.start) found.insert(c.entity);
    }
    p.carriers.assign(found.begin(), found.end());
  }
}

}  // namespace blackout::detect
