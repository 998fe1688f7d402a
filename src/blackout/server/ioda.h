// Private to server/: what IODA's clients (its dashboard, scripts and sites built on its v2 API)
// read differently from blackout's own API, in one place (docs/api.md, "IODA clients"). The same
// routes answer under /api/v2 (blackout's meanings, with IODA's fields beside them) and under
// /ioda/v2 (IODA's meanings: numeric region codes, IODA-scaled scores, alerts as level changes),
// so an IODA client works with only its base URL changed. Thread-safety: pure functions.
#pragma once

#include <httplib.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/server/data.h"

namespace blackout::server {

// The request came in under /ioda/v2 (IODA's meanings).
bool IsIodaRequest(const httplib::Request& req);

// ---- Region codes ----
// IODA's dashboard takes any code with '-' for a country-ASN pair (geoasn), so IODA clients get a
// region as a number: the ISO 3166-2 code packed as geo::RegionCode (country letters in the high
// 16 bits, the subdivision part base 37 in the low 16), written in decimal. It is computed from the
// code alone, so it is stable across runs and data updates and turns back without a table.
// "KZ-ALA" -> "1264191..."; "" when `iso` is not an ISO 3166-2 code.
std::string RegionAlias(std::string_view iso);
// The ISO code of a numeric alias; nullopt when `text` is not one.
std::optional<std::string> RegionFromAlias(std::string_view text);
// A code as given by a client (either form for regions) in blackout's form.
std::string CanonicalCode(std::string_view type, std::string_view code);
// A code as this request's client reads it: the alias for regions under /ioda/v2.
std::string ClientCode(bool ioda, std::string_view type, std::string_view code);

// "KZ,UA" -> {"KZ", "UA"} (empty parts dropped).
std::vector<std::string> SplitList(std::string_view list);

// ---- Entities ----
// IODA's attrs beside blackout's own: fqid ("geo.blackout.AS.KZ", "geo.blackout.AS.KZ.<alias>"
// for a region (its fourth part is the country code, as IODA's), "asn.9198",
// "geo.blackout.AS.KZ.asn.9198" for a geoasn), country_code, country_name, org (ASNs), ip_count
// (null when the geo data did not give it).
nlohmann::json IodaAttrs(const DataView& data, const Entity& e);
// The entity as the client reads it: code per ClientCode, attrs with IodaAttrs.
nlohmann::json ClientEntityJson(const DataView& data, const Entity& e, bool ioda);
nlohmann::json ClientEntityRef(const DataView& data, const std::string& type,
                               const std::string& code, bool ioda);

// ---- Scores ----
// IODA's detection method of a datasource as its summary keys name it ("median" for bgp, whose
// baseline is IODA's sliding median; "seasonal" for the others, docs/detect.md).
std::string IodaMethod(std::string_view datasource);
// An event's score on IODA's scale: the drop in percent times minutes (blackout's score is the
// drop as a fraction times minutes, so x100), per datasource that shows it.
double IodaScore(const Event& e);
// {"<datasource>.<method>": score} for the datasources that show the event. With the event's bad
// bins (`alerts`: the entity's warning and critical alerts within the event), a datasource's score
// is IODA's own sum over them of the drop in percent, 100 * (expected - value) / max(expected,
// value), times the minutes of its bin (the closest spacing of its alerts, at most its native step
// from `datasources`); a datasource without alerts gets IodaScore(e). REQUIRES: `alerts` in time
// order.
nlohmann::json IodaSourceScores(const Event& e, const std::vector<Alert>& alerts = {},
                                const std::vector<Datasource>& datasources = {});
// IODA's overall score of one event: the product of its per-datasource scores (IODA multiplies the
// largest score of each datasource of a merged event).
double IodaOverallScore(const nlohmann::json& source_scores);
double IodaOverallScore(const Event& e);

// ---- Alerts ----
// IODA's alerts are level changes: one alert when a (entity, datasource) series turns warning or
// critical or changes between them, and a "normal" one when it recovers. No data is never read as
// normal: the recovery is placed at the first bin after the bad run (before the next bad bin and
// `until`) where `first_value` finds a measured value, and carries that value; a series whose
// data stop after the bad run gets no recovery. `first_value(alert, from, until)` gives the first
// bin in [from, until) of the alert's series with a value, and that value, or nullopt.
// REQUIRES: `bad` sorted by time (the read model's order); holds warning and critical bins only.
using FirstValue = std::function<std::optional<std::pair<UnixSeconds, double>>(
    const Alert& of, UnixSeconds from, UnixSeconds until)>;
std::vector<Alert> LevelChanges(const std::vector<Alert>& bad, UnixSeconds until,
                                const std::vector<Datasource>& datasources,
                                const FirstValue& first_value);

}  // namespace blackout::server
