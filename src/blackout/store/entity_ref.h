// The one entity reference of the project: "TYPE/CODE" (country/KZ, region/KZ-ALA in ISO 3166-2,
// asn/9198). Every module that names, splits or compares entities uses it: the CLI and the API
// parse user input with Parse (case-insensitive), stored keys are split with FromCanonical, and
// ToString gives the form the store, the API and exports write. Thread-safety: a value type.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "blackout/base/status.h"

namespace blackout::store {

class EntityRef {
 public:
  EntityRef() = default;
  EntityRef(std::string type, std::string code) : type_(std::move(type)), code_(std::move(code)) {}

  // User input, case-insensitive: the type folded to lower case; country, region and geoasn codes
  // to upper case; "asn/AS9198" -> asn/9198. The result satisfies ValidateEntity (types.h: the
  // store's shape rules). Whether the entity exists is geo's question, not this one's.
  // Errors: kInvalidArgument saying what is wrong and what the form is.
  static Result<EntityRef> Parse(std::string_view text);

  // A reference already in canonical form (from the store, the API's own data): split at the first
  // '/', nothing folded or checked. Text without '/' gives an empty type and the text as the code.
  static EntityRef FromCanonical(std::string_view text);

  const std::string& type() const { return type_; }
  const std::string& code() const { return code_; }
  bool empty() const { return type_.empty() && code_.empty(); }
  std::string ToString() const { return type_ + "/" + code_; }

  // The country of a region by its ISO 3166-2 code (region/KZ-ALA -> country/KZ); nullopt for
  // other types and for region codes without a country part.
  std::optional<EntityRef> CountryOfRegion() const;

  friend auto operator<=>(const EntityRef&, const EntityRef&) = default;

 private:
  std::string type_;
  std::string code_;
};

}  // namespace blackout::store
