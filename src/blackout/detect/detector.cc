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
  size_t longest = 1;
  for (Signal s : kAllSignals) {
    const SignalConfig& c = config_.of(s);
    signals_.emplace_back(c, step_);
    const int i = static_cast<int>(s);
    sustain_bins_[i] = c.sustain_seconds > 0 ? std::max<int64_t>(1, c.sustain_seconds / step_) : 0;
    longest = std::max(longest, static_cast<size_t>(sustain_bins_[i]));
  }
  recent_.resize(std::min<size_t>(longest, 100000));
  for (const NewNormal& n : config_.new_normals) {
    if (n.entity == entity_) new_normals_.push_back(n);
  }
  std::stable_sort(new_normals_.begin(), new_normals_.end(),
                   [](const NewNormal& a, const NewNormal& b) { return a.from < b.from; });
  config_.new_normals.clear();  // this entity's are in new_normals_
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
  // detectors fill longer gaps themselves), unless an event is open: then every silent bin is
  // part of it.
  int64_t keep = 0;
  if (next_ && bin != *next_) {
    int64_t skipped = (bin - *next_) / step_;
    // With no event open, the bins a sustained warning may reach back to (recent_) are enough.
    keep = current_.empty() ? std::max<int64_t>(config_.combine.merge_gap_bins + 1,
                                                static_cast<int64_t>(recent_.size()))
                            : skipped;
    // A new normal inside the gap takes effect at its own bin, as in the batch path.
    if (next_new_normal_ < new_normals_.size() && new_normals_[next_new_normal_].from < bin) {
      keep = std::max<int64_t>(
          keep,
          (bin - BinStart(std::max(*next_, new_normals_[next_new_normal_].from), step_)) / step_);
    }
    keep = std::min<int64_t>({keep, skipped, 400 * 86400 / step_});  // bounded for absurd gaps
  }
  next_ = bin + step_;

  static const Verdict kNoVerdict;
  std::array<Verdict, kNumSignals> v;
  std::array<const Verdict*, kNumSignals> pv;
  for (int64_t k = keep; k >= 0; --k) {
    const UnixSeconds b = bin - k * step_;
    const bool last = k == 0;
    ApplyNewNormals(b, sink);
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

void EntityDetector::ApplyNewNormals(UnixSeconds b, const DetectSink* sink) {
  while (next_new_normal_ < new_normals_.size() && new_normals_[next_new_normal_].from <= b) {
    const NewNormal& n = new_normals_[next_new_normal_++];
    for (int s = 0; s < kNumSignals; ++s) {
      if (!n.signal || static_cast<int>(*n.signal) == s) {
        signals_[static_cast<size_t>(s)].Reset();
        warn_run_[s] = 0;
      }
    }
    if (!current_.empty()) {
      std::string reason = "new normal declared";
      if (n.signal) reason += " for " + std::string(SignalName(*n.signal));
      if (!n.note.empty()) reason += ": " + n.note;
      CloseCurrent(sink, BinStart(n.from, step_), reason);
    }
  }
}

void EntityDetector::CloseCurrent(const DetectSink* sink, std::optional<UnixSeconds> cut,
                                  std::string reason) {
  if (confirmed_) {
    if (cut) {
      // Cut the event at `cut`: bins from there on are not part of it.
      while (!current_.empty() && current_.back().time >= *cut) current_.pop_back();
      gap_ = 0;
      while (gap_ < static_cast<int>(current_.size()) &&
             current_[current_.size() - 1 - static_cast<size_t>(gap_)].state == BinState::kBack) {
        ++gap_;
      }
    }
    if (!current_.empty() && static_cast<size_t>(gap_) < current_.size()) {
      Event e = Build(true);
      if (cut) {
        e.end = std::max(e.start + step_, *cut);
        e.end_reason = std::move(reason);
        // No recovery was seen: the event ends by declaration, its last phase ends with it.
        while (!e.phases.empty() && e.phases.back().kind == PhaseKind::kTotalRecovery) {
          e.phases.pop_back();
        }
        if (!e.phases.empty()) e.phases.back().end = e.end;
      }
      closed_.push_back(std::move(e));
      if (sink && sink->on_event) sink->on_event(closed_.back());
    }
  }
  current_.clear();
  outage_bins_ = 0;
  gap_ = 0;
  confirmed_ = false;
  shows_ = {};
  for (auto& sd : signals_) sd.Release();
}

void EntityDetector::Decide(UnixSeconds b, const std::array<const Verdict*, kNumSignals>& verdicts,
                            const DetectSink* sink) {
  if (sink && sink->on_verdicts) sink->on_verdicts(b, verdicts);
  BinRecord rec{b, BinState::kBack, {}, {}};
  int critical = 0, warning = 0;
  bool data_plane_normal = false;
  for (int s = 0; s < kNumSignals; ++s) {
    const Verdict& v = *verdicts[s];
    rec.level[s] = v.level;
    if (v.level == Level::kNormal && SignalPlane(static_cast<Signal>(s)) == Plane::kData) {
      data_plane_normal = true;
    }
    // A missing or unjudged bin neither extends nor ends a signal's run of warnings.
    if (v.level >= Level::kWarning) {
      if (warn_run_[s]++ == 0) warn_start_[s] = b;
    } else if (v.level == Level::kNormal) {
      warn_run_[s] = 0;
    }
    if (v.level <= Level::kUnknown) continue;
    rec.ratio[s] = v.ratio;
    // The telescope corroborates: however deep its drop, it is never an outage on its own word
    // (docs/detect.md; IODA drops telescope-only events: a scanner that stops, the telescope's own
    // outage). It still votes as a warning with the other signals.
    const bool corroboration_only = static_cast<Signal>(s) == Signal::kDarknet;
    if (v.level == Level::kCritical && !corroboration_only) ++critical;
    if (v.level >= Level::kWarning) {
      ++warning;
      if (sink && sink->on_alert) {
        sink->on_alert(Alert{entity_, static_cast<Signal>(s), b, v.level, *v.value, *v.expected,
                             *v.ratio, config_.signals[s].method});
      }
    }
  }
  // A warning held long enough on a reachability signal is an outage on its own word; a
  // control-plane one not while the data plane answers normally (routes to unused space).
  std::optional<UnixSeconds> sustained_from;
  for (int s = 0; s < kNumSignals; ++s) {
    if (sustain_bins_[s] == 0 || rec.level[s] < Level::kWarning) continue;
    if (warn_run_[s] < sustain_bins_[s]) continue;
    const Plane plane = SignalPlane(static_cast<Signal>(s));
    if (plane == Plane::kActivity) continue;
    if (plane == Plane::kControl && data_plane_normal) continue;
    sustained_from = std::min(sustained_from.value_or(warn_start_[s]), warn_start_[s]);
  }
  const bool outage =
      critical >= 1 || warning >= config_.combine.min_warning_signals || sustained_from;

  // Never back into an event already reported ended.
  if (sustained_from && !closed_.empty() && closed_.back().end) {
    sustained_from = std::max(*sustained_from, *closed_.back().end);
  }
  if (sustained_from && (current_.empty() || current_.front().time > *sustained_from)) {
    // The event starts where the run began: take those bins back from the recent ones.
    const UnixSeconds first_kept = current_.empty() ? b : current_.front().time;
    std::vector<BinRecord> before;
    const size_t r = recent_.size();
    for (size_t i = 0; i < r; ++i) {
      const BinRecord& x = recent_[(recent_head_ + i) % r];
      if (x.time >= *sustained_from && x.time < first_kept && x.time < b) before.push_back(x);
    }
    std::sort(before.begin(), before.end(),
              [](const BinRecord& x, const BinRecord& y) { return x.time < y.time; });
    current_.insert(current_.begin(), before.begin(), before.end());
  }
  if (sustained_from) {
    for (BinRecord& x : current_) {
      if (x.time >= *sustained_from && x.state != BinState::kSilent) x.state = BinState::kOutage;
    }
    outage_bins_ = 0;
    for (const BinRecord& x : current_) outage_bins_ += x.state == BinState::kOutage;
    gap_ = 0;
  }

  // Within a confirmed event, is there still word from the signals that showed it?
  bool heard = false;
  for (int s = 0; s < kNumSignals; ++s) {
    if (shows_[s] && rec.level[s] >= Level::kNormal) heard = true;
  }
  if (outage) {
    rec.state = BinState::kOutage;
    current_.push_back(rec);
    ++outage_bins_;
    gap_ = 0;
  } else if (!current_.empty()) {
    if (warning > 0) {
      // Some judged signal is still below its band: neither an outage bin by the vote nor a sign
      // of recovery (a drop that flickers between critical and warning is not split by it).
      rec.state = BinState::kRecovering;
      current_.push_back(rec);
      gap_ = 0;
    } else if (confirmed_ && !heard) {
      rec.state = BinState::kSilent;  // no word: neither outage nor recovery
      current_.push_back(rec);
    } else {
      current_.push_back(rec);
      if (++gap_ > config_.combine.merge_gap_bins) CloseCurrent(sink);
    }
  }
  if (rec.state == BinState::kOutage || rec.state == BinState::kRecovering) {
    for (int s = 0; s < kNumSignals; ++s) {
      if (rec.level[s] >= Level::kWarning) shows_[s] = true;
    }
  }
  bool newly_confirmed = false;
  if (!current_.empty() && !confirmed_ && outage_bins_ >= config_.combine.min_event_bins) {
    confirmed_ = true;
    newly_confirmed = true;
  }
  if (confirmed_ && outage && sink && sink->on_event) sink->on_event(Build(false));

  // Nothing inside an open event teaches the baselines.
  if (confirmed_ && !current_.empty()) {
    const UnixSeconds from = newly_confirmed ? current_.front().time : b;
    for (auto& sd : signals_) sd.Hold(from);
  }
  // Only bins inside a signal's run of warnings can be taken back when the run is sustained.
  bool in_run = false;
  for (int s = 0; s < kNumSignals; ++s) in_run |= sustain_bins_[s] > 0 && warn_run_[s] > 0;
  if (in_run && !recent_.empty()) {
    recent_[recent_head_] = rec;
    recent_head_ = recent_head_ + 1 == recent_.size() ? 0 : recent_head_ + 1;
  }
}

std::vector<Event> EntityDetector::Events() const {
  std::vector<Event> out = closed_;
  if (confirmed_ && static_cast<size_t>(gap_) < current_.size()) out.push_back(Build(false));
  return out;
}

// The final recovery, once total recovery has begun (bins [0, n) are the event's, n the first
// bin back). Connectivity may be back (at or above recovered_ratio) before the last straggler
// is: restoration began at the latest where that closing stretch starts. Before it, the rise that
// led there is found by walking back over the bins with a fresh measurement while connectivity
// does not rise (a dip stops the walk; equal values, as in series forward-filled from a coarser
// step, do not); restoration began at the first bin risen by recovery_delta / 2 above that
// rise's foot. A plateau, however partial, is part of the disruption: from a plateau straight
// back, restoration is where the plateau ends (n). Bins from there to total recovery are a
// partial recovery whatever their level.
size_t EntityDetector::RestorationOnset(const std::vector<double>& conn,
                                        const std::vector<bool>& fresh, size_t n) const {
  const CombineConfig& cc = config_.combine;
  std::vector<size_t> heard;
  for (size_t i = 0; i < n; ++i) {
    if (current_[i].state != BinState::kSilent && fresh[i]) heard.push_back(i);
  }
  size_t onset = n;
  size_t h = heard.size();
  while (h > 0 && conn[heard[h - 1]] >= cc.recovered_ratio) --h;
  // Connectivity back from heard[h] on; when it never fell (throttling: traffic alone down) the
  // disruption lasts until total recovery.
  if (h > 0 && h < heard.size()) onset = heard[h];
  if (h > 0) {
    size_t r0 = h - 1;
    while (r0 > 0 && conn[heard[r0 - 1]] <= conn[heard[r0]]) --r0;
    const double foot = conn[heard[r0]];
    for (size_t k = r0; k < h; ++k) {
      if (conn[heard[k]] >= foot + cc.recovery_delta / 2) return heard[k];
    }
  }
  return onset;
}

Event EntityDetector::Build(bool ended) const {
  const CombineConfig& cc = config_.combine;
  const size_t total = current_.size();
  const size_t n = total - static_cast<size_t>(gap_);  // without the trailing bins back to normal
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
  std::vector<double> conn(total, 1.0);
  std::vector<bool> fresh(total, false);  // conn measured in this bin, not carried
  std::array<std::optional<double>, kNumSignals> last{};
  std::array<int, kNumSignals> age{};
  double prev = 1.0;
  for (size_t i = 0; i < total; ++i) {
    const BinRecord& r = current_[i];
    std::vector<double> rs;
    for (int s = 0; s < kNumSignals; ++s) {
      if (i < n && r.level[s] >= Level::kWarning) shows[s] = true;
      if (r.ratio[s]) {
        double q = std::clamp(*r.ratio[s], 0.0, 1.0);
        if (i < n) area[s] += (1.0 - q) * double(step_) / 60.0;
        if (r.state == BinState::kOutage) outage_ratios[s].push_back(q);
        last[s] = q;
        age[s] = 0;
      } else if (last[s] && ++age[s] > kCarryBins) {
        last[s].reset();
      }
      if (last[s]) rs.push_back(*last[s]);
    }
    const auto& probe = last[static_cast<int>(Signal::kProbe)];
    conn[i] = probe ? *probe : rs.empty() ? prev : Median(rs);
    fresh[i] = probe ? r.ratio[static_cast<int>(Signal::kProbe)].has_value()
                     : std::any_of(r.ratio.begin(), r.ratio.end(),
                                   [](const std::optional<double>& x) { return x.has_value(); });
    prev = conn[i];
  }
  double depth = 1.0;
  for (size_t i = 0; i < n; ++i) {
    if (current_[i].state != BinState::kSilent) depth = std::min(depth, conn[i]);
  }
  e.depth = depth;
  e.score = *std::max_element(area.begin(), area.end());
  for (int s = 0; s < kNumSignals; ++s) {
    if (shows[s]) e.signals.push_back(static_cast<Signal>(s));
  }

  // Phases: each bin is a near-total blackout (connectivity <= blackout_ratio), a partial recovery
  // (risen by recovery_delta above the lowest point so far, or the vote no longer says outage while
  // some signal is still below its band), reduced connectivity, or no data (the signals that
  // showed the event went silent); runs become phases. Total recovery begins at the first bin at
  // which every judged signal is back inside its band, which is where the event ends, and lasts
  // the bins that confirmed it (merge_gap_bins + 1).
  size_t onset = n;
  if (n < total && n > 0) {
    onset = RestorationOnset(conn, fresh, n);
    e.restored = current_[onset].time;
  }
  // Short silences (a sparse signal's empty bins) continue the phase they interrupt; longer ones
  // are phases of their own.
  constexpr size_t kShortSilence = 6;
  std::vector<bool> long_silence(n, false);
  for (size_t i = 0; i < n;) {
    if (current_[i].state != BinState::kSilent) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < n && current_[j].state == BinState::kSilent) ++j;
    if (j - i > kShortSilence || i == 0) {
      for (size_t k = i; k < j; ++k) long_silence[k] = true;
    }
    i = j;
  }
  double low = 1.0;
  for (size_t i = 0; i < n; ++i) {
    const BinRecord& r = current_[i];
    PhaseKind k;
    if (long_silence[i]) {
      k = PhaseKind::kNoData;
    } else if (r.state == BinState::kSilent) {
      k = e.phases.back().kind;  // a short silence: the phase goes on
    } else if (i >= onset) {
      low = std::min(low, conn[i]);
      k = PhaseKind::kPartialRecovery;
    } else {
      low = std::min(low, conn[i]);
      k = conn[i] <= cc.blackout_ratio ? PhaseKind::kNearTotalBlackout
          : conn[i] >= low + cc.recovery_delta ||
                  (r.state == BinState::kRecovering && conn[i] > low)
              ? PhaseKind::kPartialRecovery
              : PhaseKind::kReducedConnectivity;
    }
    if (e.phases.empty() || e.phases.back().kind != k) {
      if (!e.phases.empty()) e.phases.back().end = r.time;
      e.phases.push_back(Phase{k, r.time, std::nullopt, k == PhaseKind::kNoData ? 1.0 : conn[i]});
    } else if (r.state != BinState::kSilent) {
      e.phases.back().depth = std::min(e.phases.back().depth, conn[i]);
    }
  }
  if (n < total) {
    const UnixSeconds t = current_[n].time;
    if (!e.phases.empty()) e.phases.back().end = t;
    double d = *std::min_element(conn.begin() + static_cast<ptrdiff_t>(n), conn.end());
    std::optional<UnixSeconds> until;
    if (ended) until = current_.back().time + step_;
    e.phases.push_back(Phase{PhaseKind::kTotalRecovery, t, until, d});
  } else if (ended && !e.phases.empty()) {
    e.phases.back().end = *e.end;
  }

  std::array<std::optional<double>, kNumSignals> med;
  for (int s = 0; s < kNumSignals; ++s) {
    if (!outage_ratios[s].empty()) med[s] = Median(outage_ratios[s]);
  }
  e.technique = Classify(med);
  return e;
}

Detection DetectSeries(const EntitySeries& series, const DetectConfig& config,
                       VerdictTrace* trace) {
  Detection out;
  EntityDetector det(series.entity, config, series.step);
  DetectSink sink;
  sink.on_alert = [&](const Alert& a) { out.alerts.push_back(a); };
  const size_t n = series.bins();
  static const Verdict kNoVerdict;
  std::array<bool, kNumSignals> judged{};
  for (int s = 0; s < kNumSignals; ++s) {
    // A signal with no value from some bin on has only kNoData verdicts there, whatever its
    // state: such bins need not be judged at all.
    judged[s] = config.signals[s].enabled && !series.values[s].empty();
    if (trace) {
      (*trace)[s].clear();
      if (judged[s]) (*trace)[s].resize(n);
    }
  }
  std::array<Verdict, kNumSignals> v;
  std::array<const Verdict*, kNumSignals> pv;
  const UnixSeconds from = BinStart(series.from, series.step);  // as Push would bin it
  for (size_t i = 0; i < n; ++i) {
    const UnixSeconds t = from + static_cast<int64_t>(i) * series.step;
    det.ApplyNewNormals(t, &sink);
    for (int s = 0; s < kNumSignals; ++s) {
      const auto& vals = series.values[s];
      pv[s] = &kNoVerdict;
      if (!judged[s] || i >= vals.size()) continue;
      Verdict* out_v = trace ? &(*trace)[s][i] : &v[s];
      det.signals_[static_cast<size_t>(s)].Next(t, vals[i], vals.size() - i, out_v);
      pv[s] = out_v;
    }
    det.next_ = t + series.step;
    det.Decide(t, pv, &sink);
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
