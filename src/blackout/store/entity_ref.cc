#include "blackout/store/entity_ref.h"

#include <algorithm>

#include "blackout/base/text.h"
#include "blackout/store/types.h"

namespace blackout::store {
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Result<EntityRef> EntityRef::Parse(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    return InvalidArgument("entity '" + std::string(text) +
                           "' is not TYPE/CODE (e.g. country/KZ, region/KZ-ALA, asn/9198)");
  }
  std::string type = AsciiLower(text.substr(0, slash));
  std::string code(text.substr(slash + 1));
  if (type == "country" || type == "region" || type == "geoasn") {
    code = AsciiUpper(code);
  } else if (type == "asn") {
    const std::string upper = AsciiUpper(code);
    if (upper.starts_with("AS") && AllDigits(std::string_view(upper).substr(2))) {
      code = upper.substr(2);
    }
  }
  EntityRef ref(std::move(type), std::move(code));
  BLACKOUT_RETURN_IF_ERROR(ValidateEntity(ref.ToString()));
  return ref;
}

EntityRef EntityRef::FromCanonical(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return EntityRef("", std::string(text));
  return EntityRef(std::string(text.substr(0, slash)), std::string(text.substr(slash + 1)));
}

std::optional<EntityRef> EntityRef::CountryOfRegion() const {
  if (type_ != "region") return std::nullopt;
  const size_t dash = code_.find('-');
  if (dash == std::string::npos || dash == 0) return std::nullopt;
  return EntityRef("country", code_.substr(0, dash));
}

}  // namespace blackout::store
