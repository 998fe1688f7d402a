// curated::ParseList on any text, in each format (first byte % 3: keepiton, ioda-investigated,
// radar): never crashes, hangs or allocates without bound; every kept record meets the contract
// (its source, an id, at least one well-formed entity, until >= from, whole days on midnights,
// keys unique) and survives the stored form (ToJson -> FromJson); every problem is kDataLoss
// "fuzz.csv:LINE: ..." with a line inside the input; rows >= kept records.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "blackout/curated/curated.h"

using namespace blackout::curated;

namespace {

const PlaceNames& Names() {
  static const PlaceNames names = [] {
    auto n = PlaceNames::Load();
    PlaceNames p = n.ok() ? *n : PlaceNames();
    p.AddCountry("Kazakhstan", "KZ");  // something to resolve even without iso-codes
    p.AddRegion("KZ", "Almaty", "KZ-ALA");
    return p;
  }();
  return names;
}

bool WellFormedEntity(const std::string& e) {
  const size_t slash = e.find('/');
  if (slash == std::string::npos || slash + 1 >= e.size()) return false;
  const std::string type = e.substr(0, slash);
  return type == "country" || type == "region" || type == "asn";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const ListFormat format = static_cast<ListFormat>(data[0] % 3);
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  ParsedList l = ParseList(text, format, Names(), "fuzz.csv");
  const size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  if (l.rows < l.outages.size()) std::abort();
  std::set<std::string> keys;
  for (const CuratedOutage& o : l.outages) {
    if (o.source != ListFormatName(format) || o.id.empty() || o.entities.empty()) std::abort();
    for (const std::string& e : o.entities) {
      if (!WellFormedEntity(e)) std::abort();
    }
    if (o.until && *o.until < o.from) std::abort();
    if (o.whole_days && (o.from % 86400 != 0 || (o.until && *o.until % 86400 != 0))) std::abort();
    if (!keys.insert(o.key()).second) std::abort();
    auto back = FromJson(ToJson(o));
    if (!back.ok() || back->key() != o.key() || back->from != o.from || back->until != o.until ||
        back->entities != o.entities || back->cause != o.cause || back->link != o.link) {
      std::abort();
    }
    if (SpanText(o).empty() || Sentence(o, "X").empty()) std::abort();
  }
  for (const blackout::Status& p : l.problems) {
    if (p.code() != blackout::StatusCode::kDataLoss) std::abort();
    const std::string& m = p.message();
    if (m.rfind("fuzz.csv:", 0) != 0) std::abort();
    const unsigned long line = std::strtoul(m.c_str() + 9, nullptr, 10);
    // JSON problems name the annotation's position, which is below the input's size too.
    if (line == 0 || line > std::max(lines, size)) std::abort();
  }
  return 0;
}
