// The continent of each country, for IODA's entity paths (a country's fqid is
// geo.<provider>.<continent>.<country>; docs/api.md, "IODA clients"). Thread-safety: a constant
// table and a pure function.
#pragma once

#include <string_view>

namespace blackout::geo {

// "AS" for "KZ" (case-insensitive): AF, AN, AS, EU, NA, OC or SA; "" when the code is unknown.
std::string_view ContinentOf(std::string_view country);

}  // namespace blackout::geo
