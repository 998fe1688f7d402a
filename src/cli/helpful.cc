// Suggestions and checks shared by the commands (helpful.h).
#include "cli/helpful.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "blackout/base/text.h"
#include "blackout/store/entity_ref.h"
#include "blackout/store/store.h"

namespace blackout::cli {
namespace {

std::string Lower(std::string_view s) { return AsciiLower(s); }
std::string Upper(std::string_view s) { return AsciiUpper(s); }

// Country and region names and codes from iso-codes: lower-cased name or code -> entity.
class IsoIndex {
 public:
  static const IsoIndex& Get(const std::filesystem::path& dir) {
    static const IsoIndex* index = new IsoIndex(dir);
    return *index;
  }
  std::vector<std::string> Find(std::string_view key) const {
    auto it = by_key_.find(Lower(key));
    return it == by_key_.end() ? std::vector<std::string>{} : it->second;
  }
  // Every lower-cased name, for near matches.
  std::vector<std::string> Keys() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : by_key_) out.push_back(k);
    return out;
  }

 private:
  explicit IsoIndex(const std::filesystem::path& dir) {
    Load(dir / "iso_3166-1.json", "3166-1", "alpha_2", "country/");
    Load(dir / "iso_3166-2.json", "3166-2", "code", "region/");
  }
  void Add(const std::string& key, const std::string& entity) {
    auto& v = by_key_[Lower(key)];
    if (std::find(v.begin(), v.end(), entity) == v.end()) v.push_back(entity);
  }
  void Load(const std::filesystem::path& file, const char* list, const char* key,
            const char* type) {
    std::ifstream in(file);
    if (!in) return;
    auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains(list) || !j[list].is_array()) return;
    for (const auto& e : j[list]) {
      if (!e.contains(key) || !e[key].is_string()) continue;
      const std::string entity = type + e[key].get<std::string>();
      Add(e[key].get<std::string>(), entity);
      for (const char* name : {"name", "common_name", "official_name"}) {
        if (e.contains(name) && e[name].is_string()) Add(e[name].get<std::string>(), entity);
      }
    }
  }
  std::map<std::string, std::vector<std::string>> by_key_;
};

std::string DidYouMean(std::string_view text, const std::vector<std::string>& entities) {
  std::string out = "unknown entity '" + std::string(text) + "'";
  if (entities.empty()) {
    return out + ": entities are TYPE/CODE, e.g. country/KZ, region/KZ-ALA, asn/9198";
  }
  out += ": did you mean ";
  for (size_t i = 0; i < entities.size() && i < 3; ++i) out += (i ? " or " : "") + entities[i];
  return out + "?";
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::vector<std::string> Nearest(std::string_view word,
                                 const std::vector<std::string>& candidates) {
  const size_t limit = std::max<size_t>(1, word.size() / 3);
  std::vector<std::pair<size_t, std::string>> scored;
  for (const std::string& c : candidates) {
    const size_t d = EditDistance(word, c);
    if (d <= limit) scored.emplace_back(d, c);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < 3; ++i) out.push_back(scored[i].second);
  return out;
}

Result<std::string> ResolveEntity(std::string_view text, const std::filesystem::path& iso_dir) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    // No type: answer with what it could be, never guess.
    std::vector<std::string> found = IsoIndex::Get(iso_dir).Find(text);
    std::string upper = Upper(text);
    if (upper.rfind("AS", 0) == 0 && AllDigits(upper.substr(2))) {
      found.push_back("asn/" + upper.substr(2));
    } else if (AllDigits(text)) {
      found.push_back("asn/" + std::string(text));
    }
    if (found.empty()) {
      for (const std::string& near : Nearest(Lower(text), IsoIndex::Get(iso_dir).Keys())) {
        for (const std::string& e : IsoIndex::Get(iso_dir).Find(near)) found.push_back(e);
      }
    }
    return InvalidArgument(DidYouMean(text, found));
  }
  const std::string type = Lower(text.substr(0, slash));
  if (type != "country" && type != "region" && type != "asn" && type != "geoasn") {
    std::string code(text.substr(slash + 1));
    std::vector<std::string> near = Nearest(type, {"country", "region", "asn", "geoasn"});
    for (std::string& n : near) n += "/" + code;
    return InvalidArgument("unknown entity type '" + std::string(text.substr(0, slash)) + "'" +
                           (near.empty() ? std::string(": types are country, region, asn, geoasn")
                                         : ": did you mean " + near[0] + "?"));
  }
  BLACKOUT_ASSIGN_OR_RETURN(store::EntityRef ref, store::EntityRef::Parse(text));
  return ref.ToString();
}

std::string SubcommandTypo(const CLI::App& app, int argc, char** argv) {
  const CLI::App* cur = &app;
  std::string path = app.get_name();
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.empty() || arg[0] == '-') continue;
    auto subs = cur->get_subcommands([](const CLI::App*) { return true; });
    if (subs.empty()) break;
    const CLI::App* next = nullptr;
    std::vector<std::string> names;
    for (const CLI::App* s : subs) {
      if (s->check_name(std::string(arg))) next = s;
      names.push_back(s->get_name());
    }
    if (next) {
      cur = next;
      path += " " + next->get_name();
      continue;
    }
    if (cur->get_require_subcommand_min() == 0) break;
    std::string msg = "unknown command '" + std::string(arg) + "'";
    std::vector<std::string> near = Nearest(arg, names);
    if (!near.empty()) {
      msg += "; did you mean `" + path + " " + near[0] + "`?";
    } else {
      msg += "; the commands are:";
      for (const std::string& n : names) msg += " " + n;
    }
    return msg + " (`" + path + " --help` lists them)";
  }
  return "";
}

Result<std::unique_ptr<store::Store>> OpenExistingStore(const std::string& url, bool read_only) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.rfind(kSqlite, 0) == 0) {
    const std::string path = url.substr(kSqlite.size());
    std::error_code ec;
    if (!path.empty() && path != ":memory:" && !std::filesystem::exists(path, ec)) {
      return Unavailable("no store at " + path +
                         ": run `blackout run` to create and fill one, or pass " +
                         "--store sqlite:PATH (or clickhouse:http://HOST:PORT/DB) to use another");
    }
  }
  store::OpenOptions oo;
  oo.read_only = read_only;
  oo.create = false;
  return store::OpenStore(url, oo);
}

}  // namespace blackout::cli
