#include "blackout/detect/evaluate.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>

#include "blackout/detect/synthetic.h"

namespace blackout::detect {

Scores Score(const std::vector<bool>& predicted, const std::vector<std::optional<bool>>& labels) {
  Scores s;
  size_t n = std::min(predicted.size(), labels.size());
  for (size_t i = 0; i < n; ++i) {
    if (!labels[i]) continue;
    bool p = predicted[i], l = *labels[i];
    s.tp += p && l;
    s.fp += p && !l;
    s.fn += !p && l;
  }
  s.precision = s.tp + s.fp ? double(s.tp) / double(s.tp + s.fp) : 0;
  s.recall = s.tp + s.fn ? double(s.tp) / double(s.tp + s.fn) : 0;
  s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0;

  double latency_sum = 0;
  for (size_t i = 0; i < n;) {
    if (!(labels[i] && *labels[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < n && labels[j] && *labels[j]) ++j;
    ++s.labelled_events;
    for (size_t k = i; k < j; ++k) {
      if (predicted[k]) {
        ++s.found_events;
        int64_t lat = static_cast<int64_t>(k - i);
        latency_sum += double(lat);
        s.max_onset_latency_bins = std::max(s.max_onset_latency_bins.value_or(0), lat);
        break;
      }
    }
    i = j;
  }
  s.event_recall = s.labelled_events ? double(s.found_events) / double(s.labelled_events) : 0;
  if (s.found_events) s.onset_latency_bins = latency_sum / double(s.found_events);

  for (size_t i = 0; i < n;) {
    if (!predicted[i]) {
      ++i;
      continue;
    }
    size_t j = i;
    bool touches = false;
    while (j < n && predicted[j]) touches |= labels[j] && *labels[j], ++j;
    if (!touches) ++s.false_events;
    i = j;
  }
  return s;
}

std::vector<Level> JudgeSeries(const std::vector<std::optional<double>>& values, UnixSeconds from,
                               int64_t step, const SignalConfig& config) {
  std::vector<Level> out(values.size(), Level::kNoData);
  SignalDetector det(config, step);
  for (size_t i = 0; i < values.size(); ++i) {
    auto v = det.Step(from + static_cast<int64_t>(i) * step, values[i]);
    if (v.ok()) out[i] = v->level;
  }
  return out;
}

std::vector<bool> EventBins(const std::vector<Event>& events, UnixSeconds from, int64_t step,
                            size_t bins, bool to_restoration) {
  std::vector<bool> out(bins, false);
  for (const Event& e : events) {
    UnixSeconds end = e.end.value_or(e.last_bin + step);
    if (to_restoration && e.restored) end = std::min(end, *e.restored);
    for (UnixSeconds t = std::max(e.start, from); t < end; t += step) {
      int64_t i = (t - from) / step;
      if (i >= 0 && static_cast<size_t>(i) < bins) out[static_cast<size_t>(i)] = true;
    }
  }
  return out;
}

Evaluation Evaluate(const LabelledSeries& data, const DetectConfig& config,
                    std::optional<Signal> only) {
  Evaluation ev;
  const EntitySeries& es = data.series;
  size_t n = es.bins();
  std::vector<std::optional<bool>> labels = data.labels;
  labels.resize(n);

  auto has_data = [&](Signal s) {
    const auto& v = es.values[static_cast<int>(s)];
    return std::any_of(v.begin(), v.end(), [](const auto& x) { return x.has_value(); });
  };
  std::vector<Signal> signals;
  for (Signal s : kAllSignals) {
    if (has_data(s) && (!only || *only == s)) signals.push_back(s);
  }

  struct Variant {
    std::string name;
    std::function<SignalConfig(Signal)> config;
  };
  std::vector<Variant> variants = {
      {"ioda-rule", [](Signal s) { return IodaRuleConfig(s); }},
      {"ioda-median",
       [&](Signal s) {
         SignalConfig c = config.of(s);
         c.method = Method::kIodaMedian;
         return c;
       }},
      {"seasonal",
       [&](Signal s) {
         SignalConfig c = config.of(s);
         c.method = Method::kSeasonal;
         return c;
       }},
  };
  for (const Variant& var : variants) {
    std::vector<std::vector<Level>> levels;
    for (Signal s : signals) {
      std::vector<Level> l =
          JudgeSeries(es.values[static_cast<int>(s)], es.from, es.step, var.config(s));
      for (Level at : {Level::kWarning, Level::kCritical}) {
        std::vector<bool> pred(n);
        for (size_t i = 0; i < n; ++i) pred[i] = l[i] >= at;
        ev.methods.push_back({var.name + ":" + std::string(LevelName(at)),
                              std::string(SignalName(s)), Score(pred, labels)});
      }
      // IODA alerts on BGP, active probing and the telescope only, not on traffic.
      if (!(var.name == "ioda-rule" && s == Signal::kTraffic)) levels.push_back(std::move(l));
    }
    if (levels.size() > 1) {
      // Votes across signals: any signal at the level, and a majority of the judged signals.
      for (Level at : {Level::kWarning, Level::kCritical}) {
        std::vector<bool> any(n), majority(n);
        for (size_t i = 0; i < n; ++i) {
          int judged = 0, down = 0;
          for (const auto& l : levels) {
            judged += l[i] >= Level::kNormal;
            down += l[i] >= at;
          }
          any[i] = down > 0;
          majority[i] = judged > 0 && 2 * down > judged;
        }
        std::string lv(LevelName(at));
        ev.methods.push_back({var.name + ":any-" + lv, "all", Score(any, labels)});
        ev.methods.push_back({var.name + ":majority-" + lv, "all", Score(majority, labels)});
      }
    }
  }

  DetectConfig cc = config;
  if (only) {
    for (Signal s : kAllSignals) cc.of(s).enabled = cc.of(s).enabled && s == *only;
  }
  Detection d = DetectSeries(es, cc);
  ev.events = d.events;
  ev.combined = Score(EventBins(d.events, es.from, es.step, n), labels);
  ev.whole_events = Score(EventBins(d.events, es.from, es.step, n, false), labels);
  return ev;
}

const MethodRow* BestIodaRule(const Evaluation& e) {
  const MethodRow* best = nullptr;
  for (const MethodRow& m : e.methods) {
    if (m.method.rfind("ioda-rule:", 0) != 0) continue;
    if (!best || m.scores.f1 > best->scores.f1) best = &m;
  }
  return best;
}

FamilyEvaluation EvaluateFamily(const SyntheticFamily& family, const DetectConfig& config,
                                int seeds) {
  FamilyEvaluation out;
  out.family = family.name;
  out.description = family.description;
  int with_outage = 0;
  for (int seed = 1; seed <= seeds; ++seed) {
    LabelledSeries data = Generate(family.make(static_cast<uint64_t>(seed)));
    Evaluation ev = Evaluate(data, config);
    FamilyEvaluation::Case c;
    c.seed = static_cast<uint64_t>(seed);
    c.combined = ev.combined;
    out.false_events += ev.combined.false_events;
    // On a case without an outage IODA's rule is judged by its alarms alone: the row with the
    // fewest false events.
    const bool has_outage = ev.combined.labelled_events > 0;
    const MethodRow* best = nullptr;
    for (const MethodRow& m : ev.methods) {
      if (m.method.rfind("ioda-rule:", 0) != 0) continue;
      if (!best || (has_outage ? m.scores.f1 > best->scores.f1
                               : m.scores.false_events < best->scores.false_events)) {
        best = &m;
      }
    }
    if (best) {
      c.best_ioda = best->method + "/" + best->signal;
      c.ioda = best->scores;
      out.ioda_false_events += best->scores.false_events;
    }
    if (has_outage) {
      ++with_outage;
      out.mean_combined_f1 += c.combined.f1;
      out.mean_ioda_f1 += c.ioda.f1;
    }
    out.cases.push_back(std::move(c));
  }
  if (with_outage) {
    out.mean_combined_f1 /= with_outage;
    out.mean_ioda_f1 /= with_outage;
  }
  return out;
}

std::string FamiliesTable(const std::vector<FamilyEvaluation>& families) {
  std::string out;
  char buf[320];
  std::snprintf(buf, sizeof buf, "%-16s %5s %9s %7s %7s  %-34s %7s %7s\n", "family", "seed",
                "combined", "events", "false", "IODA's rule at its best", "f1", "false");
  out += buf;
  for (const FamilyEvaluation& f : families) {
    for (const auto& c : f.cases) {
      std::snprintf(buf, sizeof buf, "%-16s %5llu %9.3f %3lld/%-3lld %7lld  %-34s %7.3f %7lld\n",
                    f.family.c_str(), static_cast<unsigned long long>(c.seed), c.combined.f1,
                    static_cast<long long>(c.combined.found_events),
                    static_cast<long long>(c.combined.labelled_events),
                    static_cast<long long>(c.combined.false_events), c.best_ioda.c_str(), c.ioda.f1,
                    static_cast<long long>(c.ioda.false_events));
      out += buf;
    }
    std::snprintf(buf, sizeof buf, "%-16s %5s %9.3f %7s %7lld  %-34s %7.3f %7lld\n",
                  f.family.c_str(), "mean", f.mean_combined_f1, "",
                  static_cast<long long>(f.false_events), "", f.mean_ioda_f1,
                  static_cast<long long>(f.ioda_false_events));
    out += buf;
  }
  return out;
}

std::string FamiliesJson(const std::vector<FamilyEvaluation>& families) {
  using nlohmann::json;
  json out = json::array();
  for (const FamilyEvaluation& f : families) {
    json cases = json::array();
    for (const auto& c : f.cases) {
      cases.push_back({{"seed", c.seed},
                       {"combinedF1", c.combined.f1},
                       {"combinedFalseEvents", c.combined.false_events},
                       {"labelledEvents", c.combined.labelled_events},
                       {"foundEvents", c.combined.found_events},
                       {"bestIodaRule", c.best_ioda},
                       {"iodaF1", c.ioda.f1},
                       {"iodaFalseEvents", c.ioda.false_events}});
    }
    out.push_back({{"family", f.family},
                   {"description", f.description},
                   {"meanCombinedF1", f.mean_combined_f1},
                   {"meanIodaF1", f.mean_ioda_f1},
                   {"falseEvents", f.false_events},
                   {"iodaFalseEvents", f.ioda_false_events},
                   {"cases", cases}});
  }
  return out.dump(2);
}

std::string EvaluationJson(const Evaluation& e) {
  using nlohmann::json;
  json out;
  out["combined"] = {
      {"precision", e.combined.precision},
      {"recall", e.combined.recall},
      {"f1", e.combined.f1},
      {"onset_latency_bins",
       e.combined.onset_latency_bins ? json(*e.combined.onset_latency_bins) : json(nullptr)}};
  out["wholeEvents"] = {{"precision", e.whole_events.precision},
                        {"recall", e.whole_events.recall},
                        {"f1", e.whole_events.f1}};
  json methods = json::array();
  for (const MethodRow& m : e.methods) {
    methods.push_back({{"method", m.method},
                       {"signal", m.signal},
                       {"precision", m.scores.precision},
                       {"recall", m.scores.recall},
                       {"f1", m.scores.f1}});
  }
  out["methods"] = methods;
  return out.dump(2);
}

std::string EvaluationTable(const Evaluation& e) {
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-28s %-8s %9s %6s %6s %6s %8s %8s %6s\n", "method", "signal",
                "precision", "recall", "f1", "events", "latency", "max-lat", "false");
  out += buf;
  auto row = [&](const std::string& m, const std::string& s, const Scores& x) {
    std::string lat =
        x.onset_latency_bins ? std::to_string(*x.onset_latency_bins).substr(0, 4) : "-";
    std::string mx = x.max_onset_latency_bins ? std::to_string(*x.max_onset_latency_bins) : "-";
    std::snprintf(buf, sizeof buf, "%-28s %-8s %9.3f %6.3f %6.3f %3lld/%-3lld %7s %8s %6lld\n",
                  m.c_str(), s.c_str(), x.precision, x.recall, x.f1,
                  static_cast<long long>(x.found_events), static_cast<long long>(x.labelled_events),
                  lat.c_str(), mx.c_str(), static_cast<long long>(x.false_events));
    out += buf;
  };
  for (const MethodRow& m : e.methods) row(m.method, m.signal, m.scores);
  row("combined", "all", e.combined);
  row("combined:whole-events", "all", e.whole_events);
  out += "\ncombined detector events:\n";
  for (const Event& ev : e.events) {
    std::snprintf(buf, sizeof buf, "  %s  %s -> %s  depth %.2f  score %.0f  %s", ev.entity.c_str(),
                  FormatIso8601(ev.start).c_str(),
                  ev.end ? FormatIso8601(*ev.end).c_str() : "ongoing", ev.depth, ev.score,
                  std::string(TechniqueName(ev.technique)).c_str());
    out += buf;
    if (ev.restored) out += "  restoration from " + FormatIso8601(*ev.restored);
    if (!ev.end_reason.empty()) out += "  (" + ev.end_reason + ")";
    out += "  signals";
    for (Signal s : ev.signals) out += " " + std::string(SignalName(s));
    out += "\n";
    for (const Phase& p : ev.phases) {
      std::snprintf(buf, sizeof buf, "    %-22s %s -> %s  depth %.2f\n",
                    std::string(PhaseName(p.kind)).c_str(), FormatIso8601(p.start).c_str(),
                    p.end ? FormatIso8601(*p.end).c_str() : "now", p.depth);
      out += buf;
    }
  }
  return out;
}

}  // namespace blackout::detect
