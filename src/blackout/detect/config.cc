#include "blackout/detect/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

#include "blackout/base/text.h"
#include "blackout/store/entity_ref.h"
#include "blackout/store/signals.h"
#include "blackout/store/types.h"

namespace blackout::detect {

// The detector's signals are the registry's, in its order (store/signals.h).
std::string_view SignalName(Signal s) { return store::Signals()[static_cast<size_t>(s)].name; }

std::optional<Signal> ParseSignal(std::string_view name) {
  const store::SignalInfo* info = store::FindSignal(name);
  // Registry entries past the detector's signals (app-blocking) are no connectivity vote.
  if (!info || info - store::Signals().data() >= kNumSignals) return std::nullopt;
  return static_cast<Signal>(info - store::Signals().data());
}

Plane SignalPlane(Signal s) {
  return static_cast<Plane>(store::Signals()[static_cast<size_t>(s)].plane);
}

std::string_view MethodName(Method m) {
  return m == Method::kSeasonal ? "seasonal" : "ioda-median";
}

std::optional<Method> ParseMethod(std::string_view name) {
  if (name == "ioda-median" || name == "ioda") return Method::kIodaMedian;
  if (name == "seasonal") return Method::kSeasonal;
  return std::nullopt;
}

DetectConfig DefaultConfig() {
  DetectConfig c;
  // BGP visibility has no daily cycle and little noise: a day-long sliding median is its natural
  // baseline, and a 5% (20%) loss of a country's routed space is already serious.
  SignalConfig& bgp = c.of(Signal::kBgp);
  bgp.method = Method::kIodaMedian;
  bgp.window_seconds = 86400;
  bgp.warning = 0.95;
  bgp.critical = 0.8;
  bgp.z = 3;
  bgp.floor = 1;
  bgp.max_inpaint_seconds = 86400;
  // Reachability signals: a warning held for an hour is a partial outage on its own (a mobile cut
  // that takes 40% of a country's blocks, a handful of a small network's /24s withdrawn).
  bgp.sustain_seconds = 3600;
  // Data-plane signals follow the day: compare with the same time of similar days.
  for (Signal s : {Signal::kProbe, Signal::kDarknet, Signal::kTraffic}) {
    SignalConfig& x = c.of(s);
    x.method = Method::kSeasonal;
    x.lookback_days = 28;
    x.similar_days = 6;
    x.window_seconds = 7 * 86400;
    x.z = 3;
    x.max_inpaint_seconds = 7 * 86400;
  }
  c.of(Signal::kProbe).warning = 0.8;
  c.of(Signal::kProbe).critical = 0.5;
  c.of(Signal::kProbe).floor = 10;  // /24s: fewer blocks are too few to call
  c.of(Signal::kProbe).sustain_seconds = 3600;
  c.of(Signal::kDarknet).counts = true;
  c.of(Signal::kTraffic).counts = true;
  c.of(Signal::kDarknet).warning = 0.5;
  c.of(Signal::kDarknet).critical = 0.25;
  c.of(Signal::kDarknet).floor = 2;
  c.of(Signal::kTraffic).warning = 0.7;
  c.of(Signal::kTraffic).critical = 0.4;
  // Unique sources per bin are Poisson-like counts: at 2 expected, 0 happens by chance in 14% of
  // bins; at 10 expected, 4 or fewer (the critical ratio) in 3%. A region's web clients (a few per
  // 5 minutes) are too few to call; the country's and its large networks' are not.
  c.of(Signal::kTraffic).floor = 10;
  return c;
}

SignalConfig IodaRuleConfig(Signal s) {
  SignalConfig c;
  c.method = Method::kIodaMedian;
  c.z = 0;
  c.floor = 0;
  switch (s) {
    case Signal::kBgp:
      c.window_seconds = 86400;
      c.warning = 0.99;
      c.critical = 0.5;
      break;
    case Signal::kDarknet:
      c.window_seconds = 7 * 86400;
      c.warning = 0.25;
      c.critical = 0.1;
      break;
    case Signal::kProbe:
    case Signal::kTraffic:
      c.window_seconds = 7 * 86400;
      c.warning = 0.8;
      c.critical = 0.5;
      break;
  }
  // After a whole window of anomaly the new level is the new normal.
  c.max_inpaint_seconds = c.window_seconds;
  return c;
}

Status ValidateConfig(const DetectConfig& c) {
  for (Signal s : kAllSignals) {
    const SignalConfig& x = c.of(s);
    std::string w = "signal." + std::string(SignalName(s)) + ": ";
    if (x.window_seconds < 3600) return InvalidArgument(w + "window must be at least 1 hour");
    if (x.lookback_days < 1 || x.lookback_days > 366)
      return InvalidArgument(w + "lookback_days must be in [1, 366]");
    if (x.similar_days < 1 || x.similar_days > 64 || x.similar_days > x.lookback_days)
      return InvalidArgument(w + "similar_days must be in [1, min(64, lookback_days)]");
    if (!(x.critical >= 0 && x.critical <= x.warning && x.warning <= 1))
      return InvalidArgument(w + "need 0 <= critical <= warning <= 1");
    if (!(x.z >= 0 && x.z <= 100)) return InvalidArgument(w + "z must be in [0, 100]");
    if (!(x.min_relative_spread >= 0 && x.min_relative_spread <= 1))
      return InvalidArgument(w + "min_relative_spread must be in [0, 1]");
    if (!(x.floor >= 0 && std::isfinite(x.floor))) return InvalidArgument(w + "floor must be >= 0");
    if (x.min_history_seconds < 0 || x.max_inpaint_seconds < 0 || x.sustain_seconds < 0)
      return InvalidArgument(w + "durations must be >= 0");
  }
  for (const NewNormal& n : c.new_normals) {
    if (Status s = store::ValidateEntity(n.entity); !s.ok()) {
      return InvalidArgument("new_normal: " + s.message());
    }
  }
  const CombineConfig& k = c.combine;
  if (k.min_warning_signals < 1)
    return InvalidArgument("combine: min_warning_signals must be >= 1");
  if (k.min_event_bins < 1) return InvalidArgument("combine: min_event_bins must be >= 1");
  if (k.merge_gap_bins < 0) return InvalidArgument("combine: merge_gap_bins must be >= 0");
  if (!(k.blackout_ratio >= 0 && k.blackout_ratio <= 1))
    return InvalidArgument("combine: blackout_ratio must be in [0, 1]");
  if (!(k.recovery_delta > 0 && k.recovery_delta <= 1))
    return InvalidArgument("combine: recovery_delta must be in (0, 1]");
  if (!(k.recovered_ratio > k.blackout_ratio && k.recovered_ratio <= 1))
    return InvalidArgument("combine: recovered_ratio must be in (blackout_ratio, 1]");
  return Status::Ok();
}

namespace {

Status ReadNumber(const toml::node& node, const std::string& where, double* out) {
  if (auto v = node.value<double>()) {
    *out = *v;
    return Status::Ok();
  }
  return InvalidArgument(where + ": expected a number");
}

// A count (days, bins, signals) read as a number: it must be finite and fit an int, otherwise the
// conversion is undefined. The ranges proper are ValidateConfig's.
Status ToInt(double d, const std::string& where, int* out) {
  if (!(d >= -2147483648.0 && d <= 2147483647.0)) return InvalidArgument(where + ": out of range");
  *out = static_cast<int>(d);
  return Status::Ok();
}

// A duration in hours, as seconds: finite and at most a million years either way.
Status HoursToSeconds(double hours, const std::string& where, int64_t* out) {
  constexpr double kMaxHours = 1e6 * 366 * 24;
  if (!(hours >= -kMaxHours && hours <= kMaxHours)) {
    return InvalidArgument(where + ": out of range");
  }
  *out = static_cast<int64_t>(std::llround(hours * 3600));
  return Status::Ok();
}

Status ReadSignal(const toml::table& t, const std::string& where, SignalConfig* c) {
  for (const auto& [key, node] : t) {
    std::string k(key.str());
    std::string at = where + "." + k;
    double d = 0;
    if (k == "method") {
      auto m = node.value<std::string>();
      auto parsed = m ? ParseMethod(*m) : std::nullopt;
      if (!parsed) return InvalidArgument(at + ": expected \"ioda-median\" or \"seasonal\"");
      c->method = *parsed;
    } else if (k == "enabled" || k == "counts") {
      auto b = node.value<bool>();
      if (!b) return InvalidArgument(at + ": expected true or false");
      (k == "enabled" ? c->enabled : c->counts) = *b;
    } else {
      BLACKOUT_RETURN_IF_ERROR(ReadNumber(node, at, &d));
      if (k == "window_hours") {
        BLACKOUT_RETURN_IF_ERROR(HoursToSeconds(d, at, &c->window_seconds));
      } else if (k == "lookback_days") {
        BLACKOUT_RETURN_IF_ERROR(ToInt(d, at, &c->lookback_days));
      } else if (k == "similar_days") {
        BLACKOUT_RETURN_IF_ERROR(ToInt(d, at, &c->similar_days));
      } else if (k == "warning") {
        c->warning = d;
      } else if (k == "critical") {
        c->critical = d;
      } else if (k == "z") {
        c->z = d;
      } else if (k == "min_relative_spread") {
        c->min_relative_spread = d;
      } else if (k == "floor") {
        c->floor = d;
      } else if (k == "min_history_hours") {
        BLACKOUT_RETURN_IF_ERROR(HoursToSeconds(d, at, &c->min_history_seconds));
      } else if (k == "max_inpaint_hours") {
        BLACKOUT_RETURN_IF_ERROR(HoursToSeconds(d, at, &c->max_inpaint_seconds));
      } else if (k == "sustain_hours") {
        BLACKOUT_RETURN_IF_ERROR(HoursToSeconds(d, at, &c->sustain_seconds));
      } else {
        return InvalidArgument(at + ": unknown key");
      }
    }
  }
  return Status::Ok();
}

// One [[new_normal]] table: entity, from (ISO 8601 or Unix seconds), optional signal and note.
Status ReadNewNormal(const toml::table& t, const std::string& where, NewNormal* n) {
  bool has_from = false;
  for (const auto& [key, node] : t) {
    std::string k(key.str());
    std::string at = where + "." + k;
    if (k == "entity" || k == "note" || k == "signal") {
      auto v = node.value<std::string>();
      if (!v) return InvalidArgument(at + ": expected a string");
      if (k == "entity") {
        auto ref = store::EntityRef::Parse(*v);
        if (!ref.ok()) return InvalidArgument(at + ": " + ref.status().message());
        n->entity = ref->ToString();
      } else if (k == "note") {
        n->note = *v;
      } else {
        n->signal = ParseSignal(*v);
        if (!n->signal) return InvalidArgument(at + ": unknown signal \"" + *v + "\"");
      }
    } else if (k == "from") {
      if (auto i = node.value<int64_t>()) {
        n->from = *i;
      } else if (auto text = node.value<std::string>()) {
        auto t = ParseTime(*text);
        if (!t.ok()) return InvalidArgument(at + ": " + t.status().message());
        n->from = *t;
      } else {
        return InvalidArgument(at + ": expected an ISO 8601 time or Unix seconds");
      }
      has_from = true;
    } else {
      return InvalidArgument(at + ": unknown key");
    }
  }
  if (n->entity.empty()) return InvalidArgument(where + ": entity is required");
  if (!has_from) return InvalidArgument(where + ": from is required");
  return Status::Ok();
}

}  // namespace

Result<DetectConfig> ParseConfig(std::string_view text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << e.description() << " (line " << e.source().begin.line << ")";
    return InvalidArgument(std::string(origin) + ": " + os.str());
  }
  DetectConfig c = DefaultConfig();
  std::string o(origin);
  for (const auto& [key, node] : root) {
    std::string k(key.str());
    if (k == "combine") {
      const toml::table* t = node.as_table();
      if (!t) return InvalidArgument(o + ": [combine] must be a table");
      for (const auto& [ck, cn] : *t) {
        std::string name(ck.str());
        double d = 0;
        BLACKOUT_RETURN_IF_ERROR(ReadNumber(cn, o + ": combine." + name, &d));
        if (name == "min_warning_signals") {
          BLACKOUT_RETURN_IF_ERROR(
              ToInt(d, o + ": combine." + name, &c.combine.min_warning_signals));
        } else if (name == "min_event_bins") {
          BLACKOUT_RETURN_IF_ERROR(ToInt(d, o + ": combine." + name, &c.combine.min_event_bins));
        } else if (name == "merge_gap_bins") {
          BLACKOUT_RETURN_IF_ERROR(ToInt(d, o + ": combine." + name, &c.combine.merge_gap_bins));
        } else if (name == "blackout_ratio") {
          c.combine.blackout_ratio = d;
        } else if (name == "recovery_delta") {
          c.combine.recovery_delta = d;
        } else if (name == "recovered_ratio") {
          c.combine.recovered_ratio = d;
        } else {
          return InvalidArgument(o + ": combine." + name + ": unknown key");
        }
      }
    } else if (k == "signal") {
      const toml::table* t = node.as_table();
      if (!t) return InvalidArgument(o + ": [signal] must hold tables");
      for (const auto& [sk, sn] : *t) {
        auto s = ParseSignal(sk.str());
        const toml::table* st = sn.as_table();
        if (!s || !st)
          return InvalidArgument(o + ": signal." + std::string(sk.str()) + ": unknown");
        BLACKOUT_RETURN_IF_ERROR(
            ReadSignal(*st, o + ": signal." + std::string(SignalName(*s)), &c.of(*s)));
      }
    } else if (k == "new_normal") {
      const toml::array* a = node.as_array();
      if (!a)
        return InvalidArgument(o + ": new_normal must be an array of tables ([[new_normal]])");
      for (size_t i = 0; i < a->size(); ++i) {
        const toml::table* t = (*a)[i].as_table();
        std::string where = o + ": new_normal[" + std::to_string(i) + "]";
        if (!t) return InvalidArgument(where + ": expected a table");
        NewNormal n;
        BLACKOUT_RETURN_IF_ERROR(ReadNewNormal(*t, where, &n));
        c.new_normals.push_back(std::move(n));
      }
    } else {
      return InvalidArgument(o + ": " + k + ": unknown table");
    }
  }
  BLACKOUT_RETURN_IF_ERROR(ValidateConfig(c));
  return c;
}

Result<DetectConfig> LoadConfigOrDefault(const std::string& path) {
  if (path.empty()) return DefaultConfig();
  return LoadConfig(path);
}

Result<DetectConfig> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseConfig(ss.str(), path);
}

}  // namespace blackout::detect
