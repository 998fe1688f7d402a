#include "blackout/ooni/fetch.h"

#include <curl/curl.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "blackout/ooni/measurement.h"

namespace blackout::ooni {
namespace {

using nlohmann::json;

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::string Escape(CURL* curl, const std::string& s) {
  char* e = curl_easy_escape(curl, s.c_str(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

// One GET with retries. Errors: kNotFound (404), kUnavailable (after the retries).
Result<std::string> Get(CURL* curl, const std::string& url, const FetchOptions& o) {
  double delay = o.backoff_initial_s;
  Status last;
  for (int attempt = 1; attempt <= o.max_attempts; ++attempt) {
    std::string body;
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, o.timeout_s);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "blackout (OONI importer)");
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    CURLcode rc = curl_easy_perform(curl);
    long code = 0;  // NOLINT(runtime/int)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    if (rc == CURLE_OK && code == 200) return body;
    if (rc == CURLE_OK && code == 404) return NotFound(url + ": HTTP 404");
    last = Unavailable(
        url + ": " +
        (rc != CURLE_OK ? std::string(curl_easy_strerror(rc)) : "HTTP " + std::to_string(code)));
    if (rc == CURLE_OK && code != 429 && code < 500) return last;  // not transient
    if (attempt < o.max_attempts) {
      std::this_thread::sleep_for(std::chrono::duration<double>(delay));
      delay *= 2;
    }
  }
  return last;
}

std::string Day(UnixSeconds t) { return FormatIso8601(t).substr(0, 19); }

// The measurement ids of one test, page by page.
Status ListTest(CURL* curl, const FetchOptions& o, const std::string& test,
                std::vector<std::string>* uids) {
  for (uint64_t offset = 0;;) {
    std::string url =
        o.base_url + "/api/v1/measurements?probe_cc=" + Escape(curl, o.country) +
        "&since=" + Escape(curl, Day(o.since)) + "&until=" + Escape(curl, Day(o.until)) +
        "&test_name=" + Escape(curl, test) + "&limit=" + std::to_string(o.page_size) +
        "&offset=" + std::to_string(offset) + "&order_by=measurement_start_time&order=asc";
    BLACKOUT_ASSIGN_OR_RETURN(std::string body, Get(curl, url, o));
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("results") || !j["results"].is_array()) {
      return DataLoss(url + ": not a measurement list (no \"results\" array)");
    }
    for (const json& r : j["results"]) {
      if (r.is_object() && r.contains("measurement_uid") && r["measurement_uid"].is_string()) {
        uids->push_back(r["measurement_uid"].get<std::string>());
      }
    }
    size_t n = j["results"].size();
    offset += n;
    if (n < static_cast<size_t>(o.page_size) || uids->size() >= o.max_measurements) break;
  }
  return Status::Ok();
}

}  // namespace

std::vector<std::string> DefaultFetchTests() {
  return {"telegram",    "signal", "whatsapp", "facebook_messenger", "web_connectivity", "tor",
          "vanilla_tor", "torsf",  "psiphon",  "riseupvpn"};
}

Result<FetchSummary> FetchMeasurements(const FetchOptions& o, const std::string& output) {
  if (o.country.size() != 2) return InvalidArgument("--country must be two letters");
  if (o.until <= o.since) return InvalidArgument("--until must be after --since");
  if (o.page_size < 1 || o.max_attempts < 1) return InvalidArgument("bad page size or attempts");
  std::vector<std::string> tests = o.tests.empty() ? DefaultFetchTests() : o.tests;
  for (const std::string& t : tests) {
    if (AppOfTest(t).empty()) return InvalidArgument("unknown test '" + t + "'");
  }
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Internal("curl_easy_init failed");
  std::vector<std::string> uids;
  for (const std::string& t : tests) {
    BLACKOUT_RETURN_IF_ERROR(ListTest(curl.get(), o, t, &uids));
  }
  if (uids.size() > o.max_measurements) uids.resize(o.max_measurements);
  FetchSummary summary;
  summary.listed = uids.size();
  std::ofstream out(output, std::ios::trunc);
  if (!out) return IoError(output + ": cannot write");
  for (const std::string& uid : uids) {
    std::string url = o.base_url +
                      "/api/v1/measurement_meta?measurement_uid=" + Escape(curl.get(), uid) +
                      "&full=true";
    auto body = Get(curl.get(), url, o);
    json j = body.ok() ? json::parse(*body, nullptr, false) : json();
    if (!body.ok() || j.is_discarded() || !j.is_object() || !j.contains("raw_measurement")) {
      ++summary.failed;
      if (summary.problems.size() < 20) {
        summary.problems.push_back(body.ok() ? DataLoss(url + ": no raw_measurement")
                                             : body.status());
      }
      continue;
    }
    out << j.dump() << '\n';
    ++summary.fetched;
  }
  out.close();
  if (!out) return IoError(output + ": write failed");
  return summary;
}

}  // namespace blackout::ooni
