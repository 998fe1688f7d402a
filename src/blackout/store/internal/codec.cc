#include "blackout/store/internal/codec.h"

#include <nlohmann/json.hpp>

namespace blackout::store::internal {

using nlohmann::json;

int64_t AlertLevelCode(Level level) {
  switch (level) {
    case Level::kWarning:
      return 1;
    case Level::kCritical:
      return 2;
    default:
      return 0;
  }
}

Level AlertLevelFromCode(int64_t code) {
  return code >= 2 ? Level::kCritical : code == 1 ? Level::kWarning : Level::kNormal;
}

std::string EncodeStrings(const std::vector<std::string>& v) { return json(v).dump(); }

std::vector<std::string> DecodeStrings(std::string_view text) {
  std::vector<std::string> out;
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  for (const json& e : j) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

std::string EncodePhases(const std::vector<EventPhase>& phases) {
  json a = json::array();
  for (const EventPhase& p : phases) {
    json o;
    o["phase"] = std::string(PhaseName(p.phase));
    o["start"] = p.start;
    o["end"] = p.end ? json(*p.end) : json(nullptr);
    o["depth"] = IsMissing(p.depth) ? json(nullptr) : json(p.depth);
    a.push_back(std::move(o));
  }
  return a.dump();
}

std::vector<EventPhase> DecodePhases(std::string_view text) {
  std::vector<EventPhase> out;
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  for (const json& o : j) {
    if (!o.is_object()) continue;
    EventPhase p;
    if (auto it = o.find("phase"); it != o.end() && it->is_string()) {
      auto ph = ParsePhase(it->get<std::string>());
      if (ph.ok()) p.phase = *ph;
    }
    if (auto it = o.find("start"); it != o.end() && it->is_number()) p.start = it->get<int64_t>();
    if (auto it = o.find("end"); it != o.end() && it->is_number()) p.end = it->get<int64_t>();
    if (auto it = o.find("depth"); it != o.end() && it->is_number()) p.depth = it->get<double>();
    out.push_back(p);
  }
  return out;
}

Status ValidateBatch(const WriteBatch& batch) {
  for (const auto& s : batch.series()) {
    BLACKOUT_RETURN_IF_ERROR(ValidateEntity(s.key.entity));
    BLACKOUT_RETURN_IF_ERROR(ValidateSignal(s.key.signal));
    if (s.key.source.size() > 128) return InvalidArgument("series source longer than 128 bytes");
    if (s.step <= 0) return InvalidArgument("series step must be positive: " + s.key.ToString());
  }
  for (const Alert& a : batch.alerts()) {
    BLACKOUT_RETURN_IF_ERROR(ValidateEntity(a.entity));
    BLACKOUT_RETURN_IF_ERROR(ValidateSignal(a.signal));
    if (a.step <= 0) return InvalidArgument("alert step must be positive");
  }
  for (const Event& e : batch.events()) {
    BLACKOUT_RETURN_IF_ERROR(ValidateEntity(e.entity));
    if (e.end && *e.end < e.start) {
      return InvalidArgument("event " + e.EffectiveId() + " ends before it starts");
    }
  }
  if (batch.input() && batch.input()->input.empty()) {
    return InvalidArgument("ledger input name must not be empty");
  }
  return Status::Ok();
}

}  // namespace blackout::store::internal
